"""Practice mode (`LOKET_PRACTICE=1`): the practice clock that every worker shares, and the messages that would
have been sent.

The practice clock is the app's `CLOCK` (what `calendar.now()` reads): the real time moved by a shift kept in
the practice database (`practice_clock`), so the kiosk, the counter, the queue and handovers can be tried at
an office hour in the middle of the night. Each worker re-reads the shift when the `practice` revision
changes (within `REVISION_CHECK_SECONDS`), so a read costs no query. Sessions, rate limits and idle sign-outs
keep the real clock (they use their own).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from babel.dates import format_datetime
from flask import Flask, current_app
from sqlalchemy import select

from ..domain import practice as rules
from ..extensions import db
from ..models import Application, Notification, PracticeClock, User
from . import audit, revisions
from .transactions import operation

REVISION = "practice"
_ROW = 1
_CACHE = "loket_practice_shift"
OUTBOX_SHOWN = 10  # the panel lists this many of the latest messages


class Clock:
    """The app's clock in practice mode: `real()` moved by the stored shift. Needs an app context."""

    def __init__(self, real: Callable[[], datetime] | None = None) -> None:
        self._real = real

    def real(self) -> datetime:
        """Return the real instant (the clock this one wraps, else the system's, in UTC)."""
        return self._real() if self._real else datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        """Return the practice instant: the real one moved by the shift set in the panel."""
        return rules.practice_instant(self.real(), shift())


def init_app(app: Flask) -> None:
    """In practice mode, make the app's clock the practice clock (around a clock a test set, if any)."""
    if app.config["PRACTICE"]:
        app.config["CLOCK"] = Clock(app.config.get("CLOCK"))


def enabled() -> bool:
    """Return True when this app runs in practice mode."""
    return bool(current_app.config["PRACTICE"])


def real_now() -> datetime:
    """Return the real instant, whatever the practice clock says."""
    clock = current_app.config.get("CLOCK")
    return clock.real() if isinstance(clock, Clock) else datetime.now(timezone.utc)


def shift() -> int:
    """Return the practice clock's shift from the real time in seconds (0 until one is set).

    Kept per process until the `practice` revision changes.
    """
    revision = revisions.current(REVISION)
    cached = current_app.extensions.get(_CACHE)
    if cached is not None and cached[0] == revision:
        return cached[1]
    row = db.session.get(PracticeClock, _ROW)
    value = row.shift_seconds if row is not None else 0
    current_app.extensions[_CACHE] = (revision, value)
    return value


def setter() -> tuple[str, datetime] | None:
    """Return who last set the practice clock and when (real time), or None while it is the real clock."""
    row = db.session.get(PracticeClock, _ROW)
    if row is None or row.shift_seconds == 0:
        return None
    return row.set_by, row.set_at


@operation
def set_clock(actor: User, target: datetime) -> int:
    """Set the practice clock to read `target` now (it runs on from there) and audit it; return the shift.

    Raises ValueError when `target` is naive or more than a year from the real time (nothing is written).
    """
    real = real_now()
    before = current_app.config["CLOCK"]()
    new_shift = rules.shift_to(real, target)
    row = db.session.get(PracticeClock, _ROW)
    if row is None:
        row = PracticeClock(id=_ROW)
        db.session.add(row)
    row.shift_seconds, row.set_at, row.set_by = new_shift, real, actor.full_name
    revisions.bump(REVISION)
    detail = ("Jam latihan kembali ke waktu sebenarnya" if new_shift == 0 else
              f"Jam latihan diatur ke {_words(target)}")
    audit.commit(audit.Line(actor, "set_practice_clock", before, None, detail))
    return new_shift


def _words(moment: datetime) -> str:
    """Return `moment` in the office's zone as the audit log writes it: "Senin, 7 Desember 2026 09.00"."""
    from .calendar import office_zone

    return format_datetime(moment.astimezone(office_zone()), "EEEE, d MMMM y HH.mm", locale="id")


def outbox(limit: int = OUTBOX_SHOWN) -> list[tuple[Notification, str]]:
    """Return the latest messages to residents with their application's reference, newest first: in practice
    mode, what would have been sent."""
    rows = db.session.execute(
        select(Notification, Application.reference).join(Application, Application.id == Notification.application_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)).all()
    return [(row, reference) for row, reference in rows]
