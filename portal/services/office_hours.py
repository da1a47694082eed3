"""The office's own weekly hours (`office_hours` rows, set in `/admin/jam`) over the `OFFICE_HOURS` setting.

Per activity: when the table holds rows for it, they are the week (a weekday with an empty list is closed);
otherwise the setting's hours apply. Every write bumps the calendar revision, so the banner, `/api/status`,
`/jadwal` and the queue's hourly windows follow at once (`calendar.weekly_hours` reads through here).
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time
from typing import Mapping

from sqlalchemy import delete, select

from ..domain import lifecycle
from ..domain import queue as queue_rules
from ..domain import week as rules
from ..domain.hours import ACTIVITIES, PICKUP, WEEKDAYS, WeeklyHours, Window
from ..extensions import db
from ..models import Application, OfficeHours, QueueTicket
from . import audit, revisions
from .transactions import operation


def stored() -> dict[str, dict[str, list[str]]]:
    """Return the rows as {activity: {weekday: ["08:00-12:00", ...]}}; an activity without rows is absent."""
    found: dict[str, dict[str, list[str]]] = {}
    for row in db.session.scalars(select(OfficeHours)):
        found.setdefault(row.activity, {})[row.weekday] = list(row.windows or ())
    return found


def effective(config: Mapping[str, Mapping[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
    """Return the week in force, in the setting's shape: per activity the rows when there are any, else
    `config`'s hours for it."""
    rows = stored()
    return {activity: rows[activity] if activity in rows else {day: list(windows) for day, windows in
                                                               config.get(activity, {}).items()}
            for activity in ACTIVITIES}


def updated_at(activity: str) -> datetime | None:
    """Return when the office last set `activity`'s week here, or None while the setting's hours apply."""
    return db.session.scalar(select(db.func.max(OfficeHours.updated_at)).where(OfficeHours.activity == activity))


@operation
def save_week(activity: str, week: Mapping[str, list[str]], at: datetime, *, audited: audit.Line | None = None) -> None:
    """Store `activity`'s week ({weekday: ["08:00-12:00"]}, a missing weekday closed) as set at `at`, bump the
    calendar and commit with the audit line `audited`.

    Raises ValueError for an unknown activity or weekday or a malformed window (nothing is written then).
    """
    if activity not in ACTIVITIES:
        raise ValueError(f"unknown activity {activity!r}")
    WeeklyHours.from_config({activity: week})  # refuses a malformed window or weekday before anything is written
    db.session.execute(delete(OfficeHours).where(OfficeHours.activity == activity))
    for weekday in WEEKDAYS:
        db.session.add(OfficeHours(activity=activity, weekday=weekday, windows=list(week.get(weekday, ())),
                                    updated_at=at))
    revisions.bump(revisions.CALENDAR)
    audit.commit(audited)


@operation
def reset_week(activity: str, *, audited: audit.Line | None = None) -> bool:
    """Remove `activity`'s rows so the `OFFICE_HOURS` setting applies again; bump the calendar and commit.

    Commits with the audit line `audited`. Returns False (and changes nothing) when there were no rows.
    Raises ValueError for an unknown activity.
    """
    if activity not in ACTIVITIES:
        raise ValueError(f"unknown activity {activity!r}")
    removed = db.session.execute(delete(OfficeHours).where(OfficeHours.activity == activity)).rowcount
    if not removed:
        db.session.rollback()
        return False
    revisions.bump(revisions.CALENDAR)
    audit.commit(audited)
    return True


def booked_outside(activity: str, week: Mapping[str, list[str]], office, purposes, now: datetime) -> rules.Outside:
    """Return the active queue tickets (waiting or called) from now on, for purposes of `activity`, that the
    week `week` would leave outside its opening hours, counted per day.

    `office` is the calendar in force (its holidays and day rules still apply to the new week); `purposes` the
    queue's purposes. A ticket of today whose window has ended is not counted.
    """
    codes = [purpose.code for purpose in purposes if purpose.activity == activity]
    if not codes:
        return rules.Outside()
    local = now.astimezone(office.tz)
    tickets = db.session.execute(
        select(QueueTicket.day, QueueTicket.window_start, QueueTicket.window_end)
        .where(QueueTicket.purpose_code.in_(codes), QueueTicket.day >= local.date(),
               QueueTicket.state.in_(sorted(queue_rules.ACTIVE_STATES)))).all()
    bookings = [rules.Booking(day, Window(time.fromisoformat(start), time.fromisoformat(end)))
                for day, start, end in tickets
                if day > local.date() or time.fromisoformat(end) > local.time()]
    return rules.outside_hours(bookings, _windows_under(activity, week, office))


def _windows_under(activity: str, week: Mapping[str, list[str]], office):
    """Return windows_on(day): `activity`'s windows that day under `week`, holidays and day rules still applying."""
    # The calendar in force with only its week replaced: holidays and day rules keep overriding it.
    proposed = copy.copy(office)
    proposed.weekly = WeeklyHours.from_config({**{other: {} for other in ACTIVITIES}, activity: week})

    def windows_on(day: date):
        return proposed.plan(activity, day).windows

    return windows_on


def ready_outside(week: Mapping[str, list[str]], office, now: datetime) -> rules.Outside:
    """Return the ready documents whose pickup day (and window) from now on the pickup week `week` would leave
    outside its hours, counted per day.

    The residents were told that day; it stays theirs unless a clerk changes it. A document without a window
    counts only when its day would be closed; one of today whose window has ended is not counted.
    """
    local = now.astimezone(office.tz)
    found = db.session.execute(
        select(Application.pickup_date, Application.pickup_window)
        .where(Application.state == lifecycle.READY, Application.pickup_date >= local.date())).all()
    windows_on = _windows_under(PICKUP, week, office)
    bookings, closed = [], {}
    for day, text in found:
        try:
            window = Window.parse(text) if text else None
        except ValueError:  # an unreadable stored window: judge the day as a whole
            window = None
        if window is None:
            if not tuple(windows_on(day)):
                closed[day] = closed.get(day, 0) + 1
        elif day > local.date() or window.end > local.time():
            bookings.append(rules.Booking(day, window))
    counts = dict(rules.outside_hours(bookings, windows_on).per_day)
    for day, count in closed.items():
        counts[day] = counts.get(day, 0) + count
    return rules.Outside(tuple(sorted(counts.items())))
