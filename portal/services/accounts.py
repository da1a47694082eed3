"""Accounts of staff and village operators: create, change, disable, end sessions, and sign in.

Wrong passwords are counted per typed username and client (`guesses`): a client that spends its budget waits,
while the owner on another client signs in as usual, so a stranger cannot lock a named account. Unknown names
and locked ones get the same answer as a wrong password, so nothing tells which accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .. import guesses, hashing
from ..extensions import db
from ..models import Region, User
from . import audit, browser_sessions
from .transactions import operation

ROLES = ("operator", "clerk", "supervisor", "admin")
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A change to an account that cannot be made; the message says why."""


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or why not ("wrong", "wait", "disabled") and until when (UTC)."""

    user: User | None
    refusal: str | None = None
    locked_until: datetime | None = None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


@operation
def create_user(username: str, full_name: str, role: str, password: str, region_code: str | None = None, *,
                audited: audit.Line | None = None) -> User:
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
                session_version=1)
    db.session.add(user)
    audit.commit(audited)
    return user


def find_user(username: str) -> User | None:
    """Return the account named `username` (case-insensitive), or None."""
    return db.session.scalars(select(User).where(User.username == username.strip().lower())).first()


@operation
def set_password(user: User, password: str, *, audited: audit.Line | None = None) -> None:
    """Change the password, end every session of the account, and commit."""
    _check_password(password)
    user.password_hash = hashing.make_hash(password)
    user.session_version += 1
    browser_sessions.end_all_of(user.id)
    audit.commit(audited)


@operation
def set_active(user: User, active: bool, *, audited: audit.Line | None = None) -> None:
    """Enable or disable the account (disabling ends its sessions) and commit."""
    user.active = active
    if not active:
        user.session_version += 1
        browser_sessions.end_all_of(user.id)
    audit.commit(audited)


@dataclass(frozen=True)
class Ended:
    """Sessions ended at once: how many, and whether this browser's own was among them (it is signed out)."""

    count: int
    here: bool


@operation
def end_sessions(actor: User, user: User, now: datetime, session_id: str | None = None) -> Ended:
    """End the live session `session_id` of `user`, or all of them when it is None, with an audit line by
    `actor` in the same commit; return what ended. Raises AccountError when `session_id` names no live
    session of the user (already ended, or never theirs)."""
    live = {row.id for row in browser_sessions.active_of(user.id)}
    if session_id is not None and session_id not in live:
        raise AccountError("that session has already ended")
    this = browser_sessions.current()
    here = this is not None and this.id in live and session_id in (None, this.id)
    if session_id is None:
        browser_sessions.end_all_of(user.id)
        detail = f"Semua sesi akun {user.username} ({len(live)})"
    else:
        browser_sessions.end_one(user.id, session_id)
        detail = f"Satu sesi akun {user.username}"
    audit.commit(audit.Line(actor, "end_sessions", now, None, detail))
    return Ended(len(live) if session_id is None else 1, here)


def sign_in(username: str, password: str, now: datetime) -> SignIn:
    """Return the user when the password matches and the account is usable; otherwise why not.

    A client that typed `SIGN_IN_ACCOUNT_LIMIT` wrong passwords for this username waits ("wait", with the
    time), even with the right one. A password is hashed and checked even for an unknown name, so both take as
    long; "disabled" is said only to whoever knows the password.
    """
    wait = guesses.sign_in_attempt(username)
    if wait is not None:
        return SignIn(None, "wait", wait)
    user = find_user(username)
    matches = hashing.matches(user.password_hash if user else hashing.dummy_hash(), password)
    if user is None or not matches:
        return SignIn(None, "wrong")  # a try that was checked says so; the next one over the budget waits
    if not user.active:
        return SignIn(None, "disabled")
    guesses.forget_sign_in_failures(username)
    user.last_sign_in_at = now
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
