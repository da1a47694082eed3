"""Practice mode's clock: the office's time as the trainees see it, a fixed shift from the real time.

A trainer sets the practice clock to an office hour ("Monday 09:00"); from then on it runs with the real clock,
so a ticket called five minutes later is five minutes later on both. What is stored is the shift in whole
seconds, so every worker reads the same time. No Flask, no database: the instants are passed in.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

# A practice clock further than this from the real one is a typo, not a lesson (and the office's holidays
# are known for a few years only).
MAX_SHIFT = timedelta(days=366)
# "Jam kantor berikutnya" lands this long after the next opening, with the morning still ahead.
AFTER_OPENING = timedelta(hours=1)

_CLOCK = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")


def practice_instant(real: datetime, shift_seconds: int) -> datetime:
    """Return the practice time at the real instant `real`: `real` moved by `shift_seconds`."""
    return real + timedelta(seconds=shift_seconds)


def shift_to(real: datetime, target: datetime) -> int:
    """Return the shift in whole seconds that makes the practice clock read `target` at the real instant `real`.

    Raises ValueError when either instant has no time zone, or when `target` is more than MAX_SHIFT away.
    """
    for value in (real, target):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("practice instants must be aware datetimes")
    shift = target - real
    if abs(shift) > MAX_SHIFT:
        raise ValueError("the practice clock stays within a year of the real time")
    return round(shift.total_seconds())


def parse_clock(text: str) -> time:
    """Return the time of day in `text`: "09:00", "9:00" or "09.00" (as clocks are written here).

    Raises ValueError for anything else.
    """
    match = _CLOCK.fullmatch((text or "").strip())
    if not match:
        raise ValueError(f"not a time of day: {text!r}")
    return time(int(match[1]), int(match[2]))


def office_instant(day: date, clock: time, zone: tzinfo) -> datetime:
    """Return `day` at `clock` in the office's `zone`, as an aware datetime."""
    return datetime.combine(day, clock, tzinfo=zone)


def next_office_hour(next_opening: datetime | None, open_now: bool, real: datetime) -> datetime:
    """Return the practice time the "next office hour" button sets: the real time when submissions are open
    now, else an hour after their next opening, else (no opening known) the real time.
    """
    if open_now or next_opening is None:
        return real
    return next_opening + AFTER_OPENING
