"""Write the office's day rules (closures and openings) and notices; every change bumps the calendar.

Each writer is one transaction (`operation`) and takes `audited`, the audit line committed with the change.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..domain.hours import ACTIVITIES, Window, merge_windows
from ..extensions import db
from ..models import DayRule, Notice, Service
from . import audit, revisions
from .transactions import operation


@operation
def set_day_rule(day: date, opens: bool, reason: str, activity: str | None = None,
                 windows: list[str] | None = None, *, audited: audit.Line | None = None) -> DayRule:
    """Close or open `day` (for one activity, or all when None), replacing an earlier rule for the same scope.

    Returns the stored rule. Raises ValueError for an unknown activity, a malformed window, a closure
    without a reason, or windows given on a closure.
    """
    if activity is not None and activity not in ACTIVITIES:
        raise ValueError(f"unknown activity {activity!r}; expected one of {', '.join(ACTIVITIES)}")
    reason = reason.strip()
    if not opens and not reason:
        raise ValueError("a closure needs a reason residents can read")
    if windows and not opens:
        raise ValueError("windows are only for a day that opens")
    parsed = merge_windows(Window.parse(text) for text in windows or ())
    existing = db.session.scalars(
        select(DayRule).where(DayRule.day == day, DayRule.activity.is_(None) if activity is None
                              else DayRule.activity == activity)).first()
    rule = existing or DayRule(day=day, activity=activity)
    rule.opens = opens
    rule.reason = reason
    rule.windows = [str(window) for window in parsed]
    db.session.add(rule)
    revisions.bump(revisions.CALENDAR)
    audit.commit(audited)
    return rule


def day_rules(since: date) -> list[DayRule]:
    """Return the day rules from `since` on, by date."""
    return list(db.session.scalars(select(DayRule).where(DayRule.day >= since).order_by(DayRule.day, DayRule.id)))


@operation
def remove_day_rule(rule_id: int, *, audited: audit.Line | None = None) -> bool:
    """Delete the day rule `rule_id`; return False when there is none."""
    return _remove(DayRule, rule_id, audited)


def _remove(model, row_id: int, audited: audit.Line | None) -> bool:
    """Delete the `model` row `row_id`, bump the calendar and commit with `audited`; False when there is none."""
    row = db.session.get(model, row_id)
    if row is None:
        return False
    db.session.delete(row)
    revisions.bump(revisions.CALENDAR)
    audit.commit(audited)
    return True


@operation
def add_notice(text: str, starts_on: date, ends_on: date | None = None, service_code: str | None = None,
               text_en: str | None = None, *, audited: audit.Line | None = None) -> Notice:
    """Store a notice and return it.

    Raises ValueError for empty text, an end before the start, or an unknown service.
    """
    text = text.strip()
    if not text:
        raise ValueError("a notice needs text")
    if ends_on is not None and ends_on < starts_on:
        raise ValueError("a notice cannot end before it starts")
    if service_code is not None:
        service_code = service_code.upper()
        if db.session.get(Service, service_code) is None:
            raise ValueError(f"unknown service {service_code!r}")
    notice = Notice(text=text, text_en=(text_en or "").strip() or None, starts_on=starts_on, ends_on=ends_on,
                    service_code=service_code)
    db.session.add(notice)
    revisions.bump(revisions.CALENDAR)
    audit.commit(audited)
    return notice


def notices_from(day: date) -> list[Notice]:
    """Return the notices still running on or after `day`, by start date."""
    return list(db.session.scalars(
        select(Notice).where((Notice.ends_on.is_(None)) | (Notice.ends_on >= day))
        .order_by(Notice.starts_on, Notice.id)))


@operation
def remove_notice(notice_id: int, *, audited: audit.Line | None = None) -> bool:
    """Delete the notice `notice_id`; return False when there is none."""
    return _remove(Notice, notice_id, audited)
