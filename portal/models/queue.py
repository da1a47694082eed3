"""Queue tickets, their numbering per day and prefix, and the daily quotas."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class QueueSequence(db.Model):
    """The last ticket number handed out for one prefix on one day.

    Its row is the lock that makes issuing atomic: a ticket is issued in one transaction that locks this row
    (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: `SELECT … FOR UPDATE`), checks the quota and the NIK, and takes
    `last_number + 1`, so two workers can never hand out the same number or go over the quota.
    """

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class QuotaRule(db.Model):
    """A supervisor's figures for one day and purpose: counters on duty, or a fixed quota per window.

    `window_start` "" covers every window of the day; "09:00" only the window starting then. A fixed `quota`
    wins over `counters`, a rule for one window over the rule for the whole day.
    """

    __table_args__ = (db.UniqueConstraint("day", "purpose_code", "window_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    purpose_code: Mapped[str] = mapped_column(String(12))
    window_start: Mapped[str] = mapped_column(String(5), default="")
    counters: Mapped[int | None] = mapped_column(Integer)
    quota: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QueueTicket(db.Model):
    """A queue ticket: `A-001` on one day, for one purpose and hourly window, booked online or at the kiosk.

    `code` (shown on the ticket) lets its holder view and cancel it; `verification_token` is in its QR code.
    At most one active (waiting or called) ticket per NIK, day and purpose: a partial unique index enforces it.
    """

    __table_args__ = (
        db.UniqueConstraint("day", "prefix", "number"),
        db.Index("uq_queue_ticket_active_nik", "day", "purpose_code", "nik", unique=True,
                 sqlite_where=text("state IN ('waiting', 'called') AND nik IS NOT NULL"),
                 postgresql_where=text("state IN ('waiting', 'called') AND nik IS NOT NULL")),
        db.Index("ix_queue_ticket_day_state", "day", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    verification_token: Mapped[str] = mapped_column(String(40), unique=True)
    day: Mapped[date] = mapped_column(Date)
    purpose_code: Mapped[str] = mapped_column(String(12))
    prefix: Mapped[str] = mapped_column(String(4))
    number: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[str] = mapped_column(String(5))  # "09:00"
    window_end: Mapped[str] = mapped_column(String(5))
    channel: Mapped[str] = mapped_column(String(10))  # online, walk_in
    state: Mapped[str] = mapped_column(String(12), default="waiting")
    nik: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=1)  # place in its window's line when issued
    counter: Mapped[int | None] = mapped_column(Integer)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # served, no-show or cancelled
    served_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    @property
    def label(self) -> str:
        """Return the number people see and hear, e.g. "A-001"."""
        return f"{self.prefix}-{self.number:03d}"


class UsualCounters(db.Model):
    """How many counters usually serve one queue purpose, set by a supervisor in `/admin/loket`.

    A purpose without a row keeps the `QUEUE_COUNTERS` setting. A day's own figures (`QuotaRule`) still win.
    """

    purpose_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    counters: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
