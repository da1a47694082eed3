"""Who is signed in, for how long, and which roles may open a page.

Sessions end after `STAFF_IDLE_MINUTES` without a request (checked on the server, not only by the cookie's
age) and whenever the account's password changes or it is disabled (the session names a version).
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import wraps
from typing import Callable

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from ..extensions import db, login
from ..models import User

HOME_BY_ROLE = {"operator": "village.home", "clerk": "staff.home", "supervisor": "admin.home", "admin": "admin.home"}


@login.user_loader
def load_user(identity: str) -> User | None:
    """Return the user of a session identity "id:version", or None when it is stale or disabled."""
    user_id, _, version = identity.partition(":")
    if not user_id.isdigit() or not version.isdigit():
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
    def end_idle_sessions():
        """Sign out a user whose last request is older than the idle limit; note the time of this one."""
        if request.endpoint == "static" or "_user_id" not in session:
            return None
        now = datetime.now(timezone.utc).timestamp()
        last_seen = session.get("seen", now)
        if now - last_seen > current_app.config["STAFF_IDLE_MINUTES"] * 60:
            logout_user()
            session.clear()
            flash(_l("Sesi Anda berakhir karena lama tidak dipakai. Silakan masuk lagi."))
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")), 303)
        session["seen"] = now
        return None
