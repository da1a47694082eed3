"""Accounts of staff and village operators: create, change, disable, and sign in with a lockout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from .. import hashing
from ..extensions import db
from ..models import Region, User

ROLES = ("operator", "clerk", "supervisor", "admin")
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A change to an account that cannot be made; the message says why."""


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or why not ("wrong", "locked", "disabled") and until when."""

    user: User | None
    refusal: str | None = None
    locked_until: datetime | None = None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def create_user(username: str, full_name: str, role: str, password: str, region_code: str | None = None) -> User:
    """Create and commit an account; raises AccountError for a taken name, an unknown role, a short
    password, or an operator without a desa of this regency (and anyone else with one)."""
    username = username.strip().lower()
    if not username or db.session.scalars(select(User).where(User.username == username)).first():
        raise AccountError(f"the username {username!r} is empty or taken")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if role == "operator":
        region = db.session.get(Region, region_code or "")
        if region is None or region.kind not in ("desa", "kelurahan"):
            raise AccountError("an operator needs the code of their desa, e.g. 33.17.01.2001")
    elif region_code:
        raise AccountError("only operators belong to a desa")
    _check_password(password)
    user = User(username=username, full_name=full_name.strip() or username, role=role,
                password_hash=hashing.make_hash(password), region_code=region_code, active=True,
                failed_attempts=0, session_version=1)
    db.session.add(user)
    db.session.commit()
    return user


def find_user(username: str) -> User | None:
    """Return the account named `username` (case-insensitive), or None."""
    return db.session.scalars(select(User).where(User.username == username.strip().lower())).first()


def set_password(user: User, password: str) -> None:
    """Change the password, end every session of the account, unlock it, and commit."""
    _check_password(password)
    user.password_hash = hashing.make_hash(password)
    user.session_version += 1
    user.failed_attempts, user.locked_until = 0, None
    db.session.commit()


def set_active(user: User, active: bool) -> None:
    """Enable or disable the account (disabling ends its sessions) and commit."""
    user.active = active
    if not active:
        user.session_version += 1
    db.session.commit()


def sign_in(username: str, password: str, now: datetime) -> SignIn:
    """Return the user when the password matches and the account is usable; count and lock on failures.

    A password is hashed and checked even for an unknown name, so both answers take as long.
    """
    user = find_user(username)
    matches = hashing.matches(user.password_hash if user else hashing.dummy_hash(), password)
    if user is None:
        return SignIn(None, "wrong")
    if not user.active:
        return SignIn(None, "disabled")
    if user.locked_until is not None and user.locked_until > now:
        return SignIn(None, "locked", user.locked_until)
    if not matches:
        user.failed_attempts += 1
        if user.failed_attempts >= current_app.config["SIGN_IN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["SIGN_IN_LOCK_MINUTES"])
            user.failed_attempts = 0
            db.session.commit()
            return SignIn(None, "locked", user.locked_until)
        db.session.commit()
        return SignIn(None, "wrong")
    user.failed_attempts, user.locked_until, user.last_sign_in_at = 0, None, now
    db.session.commit()
    return SignIn(user)


def list_users(role: str | None = None) -> list[User]:
    """Return every account (active or disabled), admins first, then supervisors, clerks and operators, each
    by username; only those of `role` when it is given."""
    query = select(User)
    if role:
        query = query.where(User.role == role)
    rank = {name: index for index, name in enumerate(reversed(ROLES))}
    return sorted(db.session.scalars(query), key=lambda user: (rank.get(user.role, len(ROLES)), user.username))
