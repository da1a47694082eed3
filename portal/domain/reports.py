"""Pure rules behind the supervisor's reports: the period, counting by office day, the median, durations in
whole days and hours, and CSV cells a spreadsheet will not run as formulas.

Nothing here reads the database or the app: the service hands in rows and zones, the page formats words.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Iterable

MAX_DAYS = 366
DEFAULT_DAYS = 30
# Cells a spreadsheet would run as a formula get a leading apostrophe in the CSV exports.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class PeriodRefused(ValueError):
    """A period the reports do not show; `code` says why ("order" when it ends before it starts, "length")."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Period:
    """Office days from `start` to `end`, both included."""

    start: date
    end: date

    @property
    def length(self) -> int:
        """Return the number of days in the period."""
        return (self.end - self.start).days + 1

    def days(self) -> list[date]:
        """Return every day of the period, in order."""
        return [self.start + timedelta(days=offset) for offset in range(self.length)]

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """Return the period as UTC instants [from, until): midnight of `start` to midnight after `end` in `zone`."""
        return (datetime.combine(self.start, time(0), zone).astimezone(timezone.utc),
                datetime.combine(self.end + timedelta(days=1), time(0), zone).astimezone(timezone.utc))


def default_period(today: date) -> Period:
    """Return the last `DEFAULT_DAYS` days up to and including `today`."""
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def make_period(start: date, end: date) -> Period:
    """Return the period from `start` to `end`; raises PeriodRefused("order") when `end` is before `start`,
    PeriodRefused("length") when it is longer than `MAX_DAYS` days."""
    if end < start:
        raise PeriodRefused("order")
    if (end - start).days + 1 > MAX_DAYS:
        raise PeriodRefused("length")
    return Period(start, end)


def count_by_day(instants: Iterable[datetime], zone: tzinfo, period: Period) -> list[tuple[date, int]]:
    """Return (day, count) for every day of `period`, zeros included, counting each aware instant on its date in
    `zone`; instants outside the period are left out."""
    counted = Counter(instant.astimezone(zone).date() for instant in instants)
    return [(day, counted.get(day, 0)) for day in period.days()]


def median(values: Iterable[float]) -> float | None:
    """Return the median of `values` (the mean of the middle two for an even count), or None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def time_to_ready(events: Iterable[tuple[int, datetime, str]], submitted: str = "submitted",
                  ready: str = "ready") -> dict[int, float]:
    """Return seconds from the first `submitted` event to the first `ready` event, by application id, for every
    application in `events` (application id, instant, state reached) that has both, ready after submitted."""
    first: dict[tuple[int, str], datetime] = {}
    for application_id, at, state in events:
        if state in (submitted, ready):
            key = (application_id, state)
            if key not in first or at < first[key]:
                first[key] = at
    durations = {}
    for (application_id, state), at in first.items():
        if state != ready or (application_id, submitted) not in first:
            continue
        seconds = (at - first[(application_id, submitted)]).total_seconds()
        if seconds >= 0:
            durations[application_id] = seconds
    return durations


def days_and_hours(seconds: float) -> tuple[int, int]:
    """Return `seconds` (not negative) as (whole days, hours left over), rounded to the nearest hour, a half
    hour up."""
    hours = int(seconds / 3600 + 0.5)  # round() would take 30 minutes down to 0 (round half to even)
    return divmod(hours, 24)


def spreadsheet_cell(value) -> str:
    """Return `value` as CSV text safe for a spreadsheet: text that would start a formula gets a leading
    apostrophe; numbers are written as they are."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text
