"""When a ready document can be collected: the first open pickup window at least N working days ahead.

Pure Python with the instant passed in. A working day is a day on which the office is open for pickup (so
weekends, national holidays, cuti bersama and the office's closures do not count), which is also what the
resident can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .hours import PICKUP, SEARCH_HORIZON_DAYS, OfficeCalendar, Window


@dataclass(frozen=True)
class PickupSlot:
    """A proposed pickup: the date and one window of that day's pickup hours."""

    day: date
    window: Window


def propose_pickup(calendar: OfficeCalendar, now: datetime, working_days: int) -> PickupSlot | None:
    """Return the first pickup window on the `working_days`-th pickup day after today, or None within a year.

    With `working_days` 0 the first window still ahead today qualifies. Raises ValueError for a naive `now`
    or a negative count.
    """
    if now.tzinfo is None:
        raise ValueError("the instant must carry a time zone")
    if working_days < 0:
        raise ValueError("working_days cannot be negative")
    local = now.astimezone(calendar.tz)
    counted = 0
    for offset in range(SEARCH_HORIZON_DAYS):
        day = local.date() + timedelta(days=offset)
        windows = calendar.plan(PICKUP, day).windows
        if not windows:
            continue
        if offset == 0:
            if working_days == 0:
                ahead = [w for w in windows if datetime.combine(day, w.start, calendar.tz) > local]
                if ahead:
                    return PickupSlot(day, ahead[0])
            continue
        counted += 1
        if counted >= working_days:
            return PickupSlot(day, windows[0])
    return None


def pickup_windows(calendar: OfficeCalendar, day: date) -> tuple[Window, ...]:
    """Return the pickup windows on `day` after holidays and closures (empty when pickup is closed)."""
    return calendar.plan(PICKUP, day).windows
