"""The rules for a regular week a supervisor types in `/admin/jam`, and the queue tickets a new week leaves out.

Pure Python: the typed texts, the booked tickets and the calendar come in, problems come out as codes with
what they concern, so the page words them (in Indonesian or English) and the rules are tested directly.
A day is typed as "08:00-12:00, 13:00-15:00" ("08.00–12.00" is read too); empty means closed that day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from typing import Callable, Iterable, Mapping

from .hours import SUBMISSION, WEEKDAYS, Window, merge_windows

# The office never opens before or after these; a window outside them is a typo (16:00 typed as 06:00).
EARLIEST = time(6, 0)
LATEST = time(20, 0)

_WINDOW = re.compile(r"^(\d{1,2})[:.](\d{2})\s*[-–—]\s*(\d{1,2})[:.](\d{2})$")

# Problem codes, each with the typed piece it concerns ("" for the whole week).
MALFORMED = "malformed"  # not a window like 08:00-12:00
BACKWARDS = "backwards"  # ends at or before its start
OUTSIDE = "outside"  # starts before EARLIEST or ends after LATEST
OVERLAP = "overlap"  # two windows of one day overlap; the piece names both
NO_OPEN_DAY = "no_open_day"  # submission closed on every day of the week
TOO_LONG = "too_long"  # a day's text longer than MAX_DAY_TEXT; its piece is empty (the page says the limit)

MAX_DAY_TEXT = 200  # far more than any real day ("08:00-12:00, 13:00-15:00" is 24); more is pasted by mistake
QUOTED = 20  # how much of a typed piece a message quotes back


def quoted(piece: str) -> str:
    """Return `piece` as a message quotes it: its first QUOTED characters, then "…" when it is longer."""
    return piece if len(piece) <= QUOTED else piece[:QUOTED] + "…"


@dataclass(frozen=True)
class Problem:
    """Why a day (or, with `weekday` "", the whole week) cannot be saved."""

    weekday: str
    code: str
    piece: str = ""


@dataclass(frozen=True)
class WeekReading:
    """What the typed week says: the windows of each weekday, the problems, and the days whose touching
    windows were joined (08:00-12:00, 12:00-14:00 → 08:00-14:00) so the page can say so."""

    windows: Mapping[str, tuple[Window, ...]]
    problems: tuple[Problem, ...] = ()
    joined: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Return True when the week can be saved."""
        return not self.problems

    def as_config(self) -> dict[str, list[str]]:
        """Return the week as stored: {"mon": ["08:00-12:00"], ..., "sun": []} (every weekday present)."""
        return {day: [str(window) for window in self.windows.get(day, ())] for day in WEEKDAYS}


def _clock(hours: str, minutes: str) -> time | None:
    """Return the time written, or None when it is not a time of day (25:00, 08:75)."""
    if int(hours) > 23 or int(minutes) > 59:
        return None
    return time(int(hours), int(minutes))


def read_day(weekday: str, text: str) -> tuple[tuple[Window, ...], list[Problem], bool]:
    """Return the windows typed for one day, sorted, with its problems and whether touching windows were joined.

    Pieces are separated by commas or semicolons; empty text is a closed day; a text longer than MAX_DAY_TEXT
    is one TOO_LONG problem (not read further).
    """
    if len(text or "") > MAX_DAY_TEXT:
        return (), [Problem(weekday, TOO_LONG)], False
    windows: list[Window] = []
    problems: list[Problem] = []
    for piece in (part.strip() for part in re.split(r"[,;]", text or "")):
        if not piece:
            continue
        match = _WINDOW.match(piece)
        start = _clock(match[1], match[2]) if match else None
        end = _clock(match[3], match[4]) if match else None
        if start is None or end is None:
            problems.append(Problem(weekday, MALFORMED, piece))
        elif end <= start:
            problems.append(Problem(weekday, BACKWARDS, piece))
        elif start < EARLIEST or end > LATEST:
            problems.append(Problem(weekday, OUTSIDE, piece))
        else:
            windows.append(Window(start, end))
    windows.sort()
    for earlier, later in zip(windows, windows[1:]):
        if later.start < earlier.end:
            problems.append(Problem(weekday, OVERLAP, f"{earlier}, {later}"))
    if problems:
        return tuple(windows), problems, False
    merged = merge_windows(windows)
    return merged, [], len(merged) < len(windows)


def read_week(activity: str, texts: Mapping[str, str]) -> WeekReading:
    """Return the week typed for `activity` as {weekday: text} (a missing weekday is closed).

    Submission must be open on at least one day (residents' applications wait for a day the office reads
    them); pickup may be closed all week (no pickup days are proposed then).
    """
    windows: dict[str, tuple[Window, ...]] = {}
    problems: list[Problem] = []
    joined: list[str] = []
    for weekday in WEEKDAYS:
        found, day_problems, was_joined = read_day(weekday, texts.get(weekday, ""))
        windows[weekday] = found
        problems.extend(day_problems)
        if was_joined:
            joined.append(weekday)
    if activity == SUBMISSION and not problems and not any(windows.values()):
        problems.append(Problem("", NO_OPEN_DAY))
    return WeekReading(windows, tuple(problems), tuple(joined))


def week_text(week: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Return a stored week ({"mon": ["08:00-12:00", ...]}) as the texts the form shows."""
    return {day: ", ".join(week.get(day, ())) for day in WEEKDAYS}


@dataclass(frozen=True)
class Booking:
    """A booked queue ticket as the check needs it: its day and its hourly window."""

    day: date
    window: Window


@dataclass(frozen=True)
class Outside:
    """Booked tickets that a new week leaves outside the opening hours, counted per day."""

    per_day: tuple[tuple[date, int], ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        """Return how many tickets fall outside."""
        return sum(count for _day, count in self.per_day)


def outside_hours(bookings: Iterable[Booking], windows_on: Callable[[date], Iterable[Window]]) -> Outside:
    """Return the bookings whose window does not lie inside one window of its day, counted per day (by date).

    `windows_on(day)` returns the day's windows under the new week (after holidays and the office's day rules).
    """
    counts: dict[date, int] = {}
    cache: dict[date, tuple[Window, ...]] = {}
    for booking in bookings:
        if booking.day not in cache:
            cache[booking.day] = tuple(windows_on(booking.day))
        inside = any(window.start <= booking.window.start and booking.window.end <= window.end
                     for window in cache[booking.day])
        if not inside:
            counts[booking.day] = counts.get(booking.day, 0) + 1
    return Outside(tuple(sorted(counts.items())))
