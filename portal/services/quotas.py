"""Quotas set by a supervisor: the counters usually on duty per purpose (`/admin/loket`), and a day's own
figures (`/admin/kuota` or `flask quota`): counters on duty or a fixed figure, per day and purpose.

The figures are read by `portal.services.queue` when it offers and issues tickets.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, select

from ..domain import queue as rules
from ..domain.hours import Window
from ..extensions import db
from ..models import QueueTicket, QuotaRule, User, UsualCounters
from . import audit, queue, revisions
from .transactions import operation


MAX_COUNTERS = 30


def stored_usual_counters() -> dict[str, UsualCounters]:
    """Return the usual counters a supervisor set, by purpose code (purposes left to the setting are absent)."""
    return {row.purpose_code: row for row in db.session.scalars(select(UsualCounters))}


@operation
def set_usual_counters(figures: dict[str, int], actor: User | None = None,
                       now: datetime | None = None) -> dict[str, tuple[int, int]]:
    """Store the usual counters on duty of the purposes in `figures` (code → counters) and commit them with an
    audit line by `actor` at `now` (in Indonesian, as the log is kept); return what changed as
    code → (before, after), nothing for a figure that stays the same (and then nothing is written).

    Raises ValueError for an unknown purpose or a figure outside 0..MAX_COUNTERS.
    """
    stored = stored_usual_counters()
    changed = {}
    for code, counters in figures.items():
        found = queue.purpose(code)
        if found is None:
            raise ValueError(f"unknown purpose {code!r}")
        if not 0 <= counters <= MAX_COUNTERS:
            raise ValueError(f"counters must be 0 to {MAX_COUNTERS}")
        before = queue.usual_counters(found)
        row = stored.get(found.code)
        if row is None:
            if counters == before:
                continue  # the setting already says so: nothing to store
            db.session.add(UsualCounters(purpose_code=found.code, counters=counters))
        elif row.counters == counters:
            continue
        else:
            row.counters = counters
        changed[found.code] = (before, counters)
    if changed:
        names = {found.code: found.label_id for found in queue.purposes()}
        detail = "; ".join(f"{names[code]}: {before} → {after}" for code, (before, after) in changed.items())
        revisions.bump(revisions.QUOTAS)
        audit.commit(audit.Line(actor, "set_counters", now, None, detail) if actor is not None else None)
    return changed


@operation
def reset_usual_counters(actor: User | None = None, now: datetime | None = None) -> int:
    """Remove every usual figure a supervisor set (the `QUEUE_COUNTERS` setting applies again) and commit with
    an audit line by `actor` at `now` when any went; return how many were removed."""
    removed = db.session.execute(delete(UsualCounters)).rowcount
    if removed:
        revisions.bump(revisions.QUOTAS)
        audit.commit(audit.Line(actor, "set_counters", now, None, "kembali ke pengaturan server")
                     if actor is not None else None)
    return removed


@operation
def set_quota(day: date, purpose_code: str, *, window_start: str = "", counters: int | None = None,
              quota: int | None = None, audited: audit.Line | None = None) -> QuotaRule:
    """Set (or replace) the figures for one day and purpose, or one of its windows; commit and return the rule.

    Raises ValueError for an unknown purpose, a window the purpose does not have that day, neither or both
    figures, or a negative figure.
    """
    found = queue.purpose(purpose_code)
    if found is None:
        raise ValueError(f"unknown purpose {purpose_code!r}")
    if (counters is None) == (quota is None):
        raise ValueError("give either the counters on duty or a fixed quota")
    if (counters if counters is not None else quota) < 0:
        raise ValueError("figures cannot be negative")
    if window_start and window_start not in {f"{w.start:%H:%M}" for w in queue.slots(found, day)}:
        raise ValueError(f"{purpose_code} has no window starting {window_start} on {day.isoformat()}")
    rule = db.session.scalar(select(QuotaRule).where(
        QuotaRule.day == day, QuotaRule.purpose_code == found.code, QuotaRule.window_start == window_start))
    if rule is None:
        rule = QuotaRule(day=day, purpose_code=found.code, window_start=window_start)
        db.session.add(rule)
    rule.counters, rule.quota = counters, quota
    revisions.bump(revisions.QUOTAS)
    audit.commit(audited)
    return rule


@operation
def clear_quota(day: date, purpose_code: str | None = None, *, audited: audit.Line | None = None) -> int:
    """Remove the figures set for `day` (one purpose, or all); commit and return how many rules went."""
    statement = delete(QuotaRule).where(QuotaRule.day == day)
    if purpose_code:
        statement = statement.where(QuotaRule.purpose_code == purpose_code)
    removed = db.session.execute(statement).rowcount
    if removed:
        revisions.bump(revisions.QUOTAS)
    audit.commit(audited)
    return removed


def quota_table(day: date) -> list[tuple[rules.Purpose, Window, int, int]]:
    """Return (purpose, window, quota, tickets counted) for every window of every purpose on `day`."""
    taken = dict(((code, start), number) for code, start, number in db.session.execute(
        select(QueueTicket.purpose_code, QueueTicket.window_start, func.count())
        .where(QueueTicket.day == day, QueueTicket.state.not_in(queue.NOT_COUNTED))
        .group_by(QueueTicket.purpose_code, QueueTicket.window_start)))
    rows = []
    for found in queue.purposes():
        quota = queue.quotas(found, [day])
        for window in queue.slots(found, day):
            rows.append((found, window, quota[(day, window)], taken.get((found.code, f"{window.start:%H:%M}"), 0)))
    return rows

