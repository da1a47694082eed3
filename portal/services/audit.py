"""The audit log: every clerk's view of a scan and every change they make, with who and when.

`record` adds a line to the current transaction, so the line and the change it describes are committed
together or not at all. A view that asks a service for an audited change passes it a `Line` (who, what, in
words); the service writes it with `commit` in the same transaction as the change. `entries` pages through the
log newest first with a keyset (no OFFSET).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import Application, AuditEntry, User

ACTIONS = ("view_scan", "view_output", "take", "release", "accept_document", "ask_fix", "approve",
           "ask_correction", "reject", "ready", "upload_output", "handover", "handover_refused", "print",
           "batch_submit", "new_pin",
           "send_duplicate",  # sent beside an open application of the same NIK and service, with a reason
           # a supervisor's settings (/admin)
           "set_day_rule", "remove_day_rule", "add_notice", "remove_notice", "set_quota", "clear_quota",
           "create_user", "disable_user", "enable_user", "reset_password", "end_sessions",
           "edit_service", "set_hours", "add_place", "edit_place", "set_counters",
           # practice mode (/latihan)
           "set_practice_clock",
           # the system's own lines (no user)
           "storage_failure")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Line:
    """An audit line to write together with a change: by `user`, `action` (one of ACTIONS), at `at`, about
    `application` (or none), `detail` in words."""

    user: User | None
    action: str
    at: datetime
    application: Application | None = None
    detail: str = ""


def commit(line: Line | None = None) -> None:
    """Add `line` (when given) to the current transaction and commit the change with it.

    Raises ValueError (before anything is committed) for an action that is not in ACTIONS.
    """
    if line is not None:
        record(line.user, line.action, line.at, line.application, line.detail)
    db.session.commit()


def record(user: User | None, action: str, at: datetime, application: Application | None = None,
           detail: str = "") -> AuditEntry:
    """Add one line to the log in the current transaction (the caller commits); return it.

    Raises ValueError for an action that is not in ACTIONS.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(at=at, user_id=user.id if user else None, user_name=user.full_name if user else "",
                       action=action, application_id=application.id if application else None,
                       reference=application.reference if application else "", detail=detail[:500])
    db.session.add(entry)
    return entry


def record_print(user: User, at: datetime, application: Application | None, detail: str) -> None:
    """Write a "print" line for `user` (what was printed, in `detail`) and commit."""
    record(user, "print", at, application, detail)
    db.session.commit()


@dataclass(frozen=True)
class AuditFilter:
    """What a supervisor narrows the log to; every field is optional."""

    user_id: int | None = None
    reference: str = ""
    action: str = ""
    day_from: date | None = None
    day_to: date | None = None


def entries(filters: AuditFilter, zone, before: tuple[datetime, int] | None = None,
            size: int = PAGE_SIZE) -> tuple[list[AuditEntry], tuple[datetime, int] | None]:
    """Return one page of the log, newest first, and the key of the next page (None on the last page).

    `before` is the (at, id) of the last line of the previous page; days are read in `zone`.
    """
    query = select(AuditEntry)
    if filters.user_id:
        query = query.where(AuditEntry.user_id == filters.user_id)
    if filters.reference:
        query = query.where(AuditEntry.reference == filters.reference)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.day_from:
        query = query.where(AuditEntry.at >= datetime.combine(filters.day_from, time(), zone))
    if filters.day_to:
        query = query.where(AuditEntry.at < datetime.combine(filters.day_to + timedelta(days=1), time(), zone))
    if before is not None:
        at, entry_id = before
        query = query.where(or_(AuditEntry.at < at, and_(AuditEntry.at == at, AuditEntry.id < entry_id)))
    rows = list(db.session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(size + 1)))
    if len(rows) > size:
        rows = rows[:size]
        return rows, (rows[-1].at, rows[-1].id)
    return rows, None
