"""Who is signed in, for how long, and which roles may open a page.

A signed-in session is a row on the server (`services.browser_sessions`), named by a random token in the
cookie. It ends on sign-out, after `STAFF_IDLE_MINUTES` without a request (measured on the server's row), and
whenever the account's password changes, it is disabled, or a supervisor ends it: each deletes the row, so a
copy of the cookie taken before no longer signs anyone in.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import Flask, abort, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from ..extensions import db, login
from ..models import User
from ..services import browser_sessions

HOME_BY_ROLE = {"operator": "village.home", "clerk": "staff.home", "supervisor": "admin.home", "admin": "admin.home"}


@login.user_loader
def load_user(identity: str) -> User | None:
    """Return the user of a session identity "id:version", or None when it is stale or disabled, or when this
    browser's session row (which the sign-in made) is gone, expired or names someone else."""
    user_id, _, version = identity.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    record = browser_sessions.current()
    if record is None or record.user_id != int(user_id):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def home_for(user: User) -> str:
    """Return the URL of the page a user starts on after signing in."""
    return url_for(HOME_BY_ROLE[user.role])


def roles_required(*roles: str) -> Callable:
    """Return a decorator letting only signed-in users with one of `roles` in (others: sign-in page or 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")), 303)
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def init_app(app: Flask) -> None:
    """Set up Flask-Login's messages and the server-side idle timeout."""
    login.login_view = "auth.sign_in"
    login.login_message = _l("Silakan masuk terlebih dahulu.")
    login.session_protection = "basic"

    @app.before_request
    def check_session_row():
        """Honour this browser's session only while its server row lives: sign out a user whose row is gone
        (signed out elsewhere, ended by a supervisor) or idle too long; note the time of this request."""
        if request.endpoint == "static" or not browser_sessions.named():
            return None
        record, state = browser_sessions.lookup()
        if state == "live":
            browser_sessions.touch(record)
            return None
        signed_in = "_user_id" in session
        if record is not None:
            browser_sessions.end()
        if signed_in:
            logout_user()
            session.clear()
            if state == "expired":
                flash(_l("Sesi Anda berakhir karena lama tidak dipakai. Silakan masuk lagi."))
                return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")), 303)
        else:
            session.pop(browser_sessions.COOKIE_KEY, None)
        return None
