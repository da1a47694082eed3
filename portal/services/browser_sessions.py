"""Sessions the server can end: one `BrowserSession` row per browser that was granted something.

The browser's signed cookie keeps only what is harmless to read or replay: a CSRF token, the language, the
counter a clerk sits at, and `sid`, a random token naming this row (the row's id is its SHA-256). Everything
that grants access or is secret lives in the row: the signed-in staff member, the applications unlocked in
this browser, the drafts being filled in with their PINs, and a village operator's slip PINs. Deleting the row
(signing out, "Tutup di perangkat ini", a password change, disabling an account, ending it from
`/admin/pengguna`) ends it for every copy of the cookie.

Why not Flask-Session: it stores the whole session server-side, so every anonymous visitor who opens a form
(which needs a CSRF token) would cost a stored row and a write; it cannot list or end one user's sessions; and
its SQL backend creates its table outside migrations and commits the application's database session itself.
Flask-Login still does the signing in; this module only decides whether its cookie still counts.

Time here is the real clock (`utcnow`), never the office's settable clock: idle limits are about real minutes.

Rows expire: a staff session `STAFF_IDLE_MINUTES` after its last request (checked here, on the server), a
resident's `PERMANENT_SESSION_LIFETIME` after its last use. `purge` deletes expired rows (`flask sessions
purge`); an expired row is never honoured before that.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, g, request, session
from sqlalchemy import delete, func, or_, select

from ..extensions import db
from ..models import BrowserSession
from ..models.types import utcnow

COOKIE_KEY = "sid"
TOUCH_EVERY = timedelta(minutes=1)  # last-seen is written at most this often: idle time is exact to a minute
_UNSET = object()


# How a session's browser is named on `/akun/sesi`: the first match of each list, else the start of its string.
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"), ("UCBrowser/", "UC Browser"),
             ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device_name(user_agent: str) -> str:
    """Return a short name for the browser of `user_agent` ("Chrome · Android"), its first 60 characters when
    neither browser nor system is known, or "" for none."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    return " · ".join(part for part in (browser, system) if part) or user_agent[:60]


def _digest(token: str) -> str:
    """Return the row id of the cookie token `token` (its SHA-256, hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(record: BrowserSession) -> timedelta:
    """Return how long `record` lives without a request: the staff idle limit, or a resident's lifetime."""
    if record.user_id is not None:
        return timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"])
    return current_app.permanent_session_lifetime


def is_expired(record: BrowserSession, now: datetime) -> bool:
    """Return True when `record` went unused for longer than its lifetime at `now`."""
    return now - record.seen_at > lifetime(record)


def named() -> bool:
    """Return True when this browser's cookie names a session row (which may since have ended or expired)."""
    return COOKIE_KEY in session


def lookup() -> tuple[BrowserSession | None, str]:
    """Return this browser's row and its state: (row, "live"), (row, "expired"), or (None, "none") when the
    cookie names no row (none was granted, or it was ended). Read once per request."""
    cached = g.get("_browser_session", _UNSET)
    if cached is not _UNSET:
        return cached
    token = session.get(COOKIE_KEY)
    record = db.session.get(BrowserSession, _digest(token)) if isinstance(token, str) and token else None
    result = (None, "none") if record is None else (record, "expired" if is_expired(record, utcnow()) else "live")
    g._browser_session = result
    return result


def current() -> BrowserSession | None:
    """Return this browser's live row, or None."""
    record, state = lookup()
    return record if state == "live" else None


def data() -> dict[str, Any]:
    """Return a copy of what this browser was granted (empty without a live row)."""
    record = current()
    return dict(record.data or {}) if record is not None else {}


def _new(user_id: int | None = None) -> BrowserSession:
    """Add a new row for this browser (named by a fresh token put in its cookie) and return it, uncommitted."""
    token, now = secrets.token_urlsafe(32), utcnow()
    client = address = ""
    if user_id is not None:
        client = device_name(request.user_agent.string or "")[:200]
        address = (request.remote_addr or "")[:64]
    record = BrowserSession(id=_digest(token), user_id=user_id, created_at=now, seen_at=now, client=client,
                            address=address, data={})
    db.session.add(record)
    session[COOKIE_KEY] = token
    g._browser_session = (record, "live")
    return record


def update(**changes: Any) -> None:
    """Set keys of this browser's data (a value of None removes the key), making its row when there is none,
    and commit. An anonymous row left with no data is deleted; removing keys never makes a row."""
    record = current()
    if record is None:
        if all(value is None for value in changes.values()):
            return
        record = _new()
    merged = {**(record.data or {}), **changes}
    record.data = {key: value for key, value in merged.items() if value is not None}
    record.seen_at = utcnow()
    if record.user_id is None and not record.data:
        _end(record)
    db.session.commit()


def _end(record: BrowserSession) -> None:
    db.session.delete(record)
    session.pop(COOKIE_KEY, None)
    g._browser_session = (None, "none")


def start(user_id: int) -> BrowserSession:
    """End this browser's row (if any) and start a signed-in one for `user_id`, with the browser's name and
    address; commit and return it. Also deletes the user's expired rows."""
    record, _state = lookup()
    if record is not None:
        _end(record)
    _delete_expired(utcnow(), BrowserSession.user_id == user_id)
    record = _new(user_id)
    db.session.commit()
    return record


def end() -> None:
    """End this browser's row (sign-out), live or expired, and commit."""
    record, _state = lookup()
    if record is not None:
        _end(record)
        db.session.commit()
    session.pop(COOKIE_KEY, None)


def touch(record: BrowserSession) -> None:
    """Note a request now on `record`, writing (and committing) at most once per `TOUCH_EVERY`."""
    now = utcnow()
    if now - record.seen_at >= TOUCH_EVERY:
        record.seen_at = now
        db.session.commit()


def end_all_of(user_id: int) -> None:
    """Delete every row of `user_id` without committing: the caller's change (a new password, a disabled
    account) commits it, so both happen or neither."""
    db.session.execute(delete(BrowserSession).where(BrowserSession.user_id == user_id))


def end_one(user_id: int, session_id: str) -> bool:
    """Delete the row `session_id` of `user_id` without committing; return False when there is none."""
    result = db.session.execute(delete(BrowserSession).where(BrowserSession.user_id == user_id,
                                                              BrowserSession.id == session_id))
    return result.rowcount > 0


def active_of(user_id: int) -> list[BrowserSession]:
    """Return the live rows of `user_id`, the most recently used first."""
    now = utcnow()
    rows = db.session.scalars(select(BrowserSession).where(BrowserSession.user_id == user_id)
                              .order_by(BrowserSession.seen_at.desc()))
    return [row for row in rows if not is_expired(row, now)]


def active_counts() -> dict[int, int]:
    """Return, per user id, how many live signed-in sessions the user has (users without any are absent)."""
    idle_since = utcnow() - timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"])
    rows = db.session.execute(select(BrowserSession.user_id, func.count()).where(
        BrowserSession.user_id.is_not(None), BrowserSession.seen_at >= idle_since).group_by(BrowserSession.user_id))
    return {user_id: count for user_id, count in rows}


def _delete_expired(now: datetime, *where) -> int:
    staff = now - timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"])
    resident = now - current_app.permanent_session_lifetime
    result = db.session.execute(delete(BrowserSession).where(
        or_(BrowserSession.user_id.is_not(None) & (BrowserSession.seen_at < staff),
            BrowserSession.user_id.is_(None) & (BrowserSession.seen_at < resident)), *where))
    return result.rowcount


def purge() -> int:
    """Delete every expired row and commit; return how many were deleted."""
    count = _delete_expired(utcnow())
    db.session.commit()
    return count
