"""Booking a queue ticket online as one operation: issue it, or keep what the resident typed when it is refused.

A refused booking redirects (so that reloading the page never sends it again), and the next page must still
show the NIK and phone the resident typed. They are personal, so they never go in the cookie or the address:
they are kept in this browser's session row (`browser_sessions`) for `KEEP_FOR`, and removed once a ticket is
issued. Keeping them is one small write outside the number lock (see `queue.issue`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..domain import queue as rules
from ..domain.hours import Window
from ..models import QueueTicket
from ..models.types import utcnow
from . import browser_sessions, queue

ANSWERS_KEY = "queue_answers"
KEEP_FOR = timedelta(minutes=30)
KEPT_FIELDS = ("nik", "hp")


def book(purpose: rules.Purpose, day: date, window: Window, now: datetime, *, nik: str, phone: str,
         typed: dict[str, str]) -> QueueTicket:
    """Issue and commit an online ticket (see `queue.issue`) and forget the answers kept earlier; return it.

    Raises TicketRefused as `queue.issue` does, after keeping `typed` (its `nik` and `hp` as typed) in this
    browser's session row for `KEEP_FOR`, so the next page can show them again.
    """
    try:
        ticket = queue.issue(purpose, day, window, now, nik=nik, phone=phone)
    except rules.TicketRefused:
        kept = {field: str(typed.get(field) or "")[:40] for field in KEPT_FIELDS}
        browser_sessions.update(**{ANSWERS_KEY: {**kept, "kept_at": utcnow().isoformat()}})
        raise
    if ANSWERS_KEY in browser_sessions.data():
        browser_sessions.update(**{ANSWERS_KEY: None})
    return ticket


def kept_answers() -> dict[str, str]:
    """Return the NIK and phone (`nik`, `hp`) kept at this browser's last refused booking, or {} when there are
    none or they are older than `KEEP_FOR`. Reads only."""
    kept = browser_sessions.data().get(ANSWERS_KEY)
    if not isinstance(kept, dict):
        return {}
    try:
        kept_at = datetime.fromisoformat(kept.get("kept_at", ""))
    except (TypeError, ValueError):
        return {}
    if utcnow() - kept_at > KEEP_FOR:
        return {}
    return {field: kept[field] for field in KEPT_FIELDS if isinstance(kept.get(field), str)}


def has_kept_answers() -> bool:
    """Return True when this browser has answers kept from a refused booking (its booking pages are its own).
    A browser whose cookie names no session row has none, and is answered without looking further."""
    return browser_sessions.named() and bool(kept_answers())
