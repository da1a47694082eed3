"""Office hours: is an activity open at an instant, when does it close, when does it next open.

Pure Python. Nothing here reads the clock or the database: the instant, the weekly hours, the national
holidays and the per-date rules are all passed in, so every edge (a Friday at 10:00, the Lebaran closure
run, an instant given in UTC that is already tomorrow in WIB) can be tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Iterable, Mapping

SUBMISSION = "submission"
PICKUP = "pickup"
ACTIVITIES = (SUBMISSION, PICKUP)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# How far ahead `next_open` looks. A year covers any plausible closure run; beyond it the office is
# treated as having no announced opening at all.
SEARCH_HORIZON_DAYS = 400


@dataclass(frozen=True, order=True)
class Window:
    """One opening window within a day, start inclusive, end exclusive."""

    start: time
    end: time

    def __post_init__(self):
        if not self.start < self.end:
            raise ValueError(f"a window must end after it starts: {self.start:%H:%M}-{self.end:%H:%M}")

    @classmethod
    def parse(cls, text: str) -> "Window":
        """Return the window written as "HH:MM-HH:MM"; raises ValueError for anything else."""
        try:
            start_text, end_text = text.split("-")
            return cls(time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip()))
        except (ValueError, AttributeError) as error:
            raise ValueError(f"not a window like 08:00-12:00: {text!r}") from error

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def merge_windows(windows: Iterable[Window]) -> tuple[Window, ...]:
    """Return the windows sorted, with overlapping or touching ones joined (08-12 and 12-14 make 08-14)."""
    merged: list[Window] = []
    for window in sorted(windows):
        if merged and window.start <= merged[-1].end:
            last = merged.pop()
            window = Window(last.start, max(last.end, window.end))
        merged.append(window)
    return tuple(merged)


@dataclass(frozen=True)
class WeeklyHours:
    """The regular week: for each activity, the windows of each weekday (Monday first)."""

    windows: Mapping[str, tuple[tuple[Window, ...], ...]]

    @classmethod
    def from_config(cls, config: Mapping[str, Mapping[str, Iterable[str]]]) -> "WeeklyHours":
        """Return the week described as {activity: {"mon": ["08:00-12:00"], ...}}.

        Raises ValueError for an unknown activity or weekday, or a malformed window.
        """
        week: dict[str, tuple[tuple[Window, ...], ...]] = {}
        for activity, days in config.items():
            if activity not in ACTIVITIES:
                raise ValueError(f"unknown activity {activity!r}; expected one of {', '.join(ACTIVITIES)}")
            unknown = set(days) - set(WEEKDAYS)
            if unknown:
                raise ValueError(f"unknown weekday {sorted(unknown)[0]!r}; expected one of {', '.join(WEEKDAYS)}")
            week[activity] = tuple(
                merge_windows(Window.parse(text) for text in days.get(name, ())) for name in WEEKDAYS
            )
        for activity in ACTIVITIES:
            week.setdefault(activity, tuple(() for _ in WEEKDAYS))
        return cls(week)

    def on(self, activity: str, day: date) -> tuple[Window, ...]:
        """Return the regular windows of `activity` on the weekday of `day`."""
        return self.windows[activity][day.weekday()]


@dataclass(frozen=True)
class Holiday:
    """A national holiday or joint leave day (cuti bersama), named in Indonesian and English."""

    day: date
    name: str
    name_en: str
    joint_leave: bool = False


@dataclass(frozen=True)
class DayRule:
    """An office decision for one date: close it (with a reason) or open it (e.g. a cuti bersama day).

    `activity` None means the rule covers every activity. An opening rule with no windows opens the
    activity with its regular windows of that weekday.
    """

    day: date
    opens: bool
    reason: str = ""
    activity: str | None = None
    windows: tuple[Window, ...] = ()


@dataclass(frozen=True)
class Closure:
    """Why a day is closed: a holiday (with its English name) or an office decision."""

    day: date
    reason: str
    reason_en: str | None = None
    kind: str = "office"  # "holiday", "joint_leave" or "office"
    activity: str | None = None  # None: the whole office is closed


@dataclass(frozen=True)
class DayPlan:
    """What one activity does on one date: its windows, or the closure that empties them."""

    day: date
    windows: tuple[Window, ...]
    closure: Closure | None = None


@dataclass(frozen=True)
class ActivityStatus:
    """The answer for one activity at one instant.

    `closes_at` is set only while open; `next_open` only while closed (None when nothing opens within the
    search horizon). `closing_soon` is true in the last minutes before `closes_at`.
    """

    activity: str
    at: datetime
    open: bool
    closes_at: datetime | None
    next_open: datetime | None
    closing_soon: bool = False
    closure: Closure | None = None
    today: tuple[Window, ...] = field(default_factory=tuple)

    @property
    def minutes_left(self) -> int | None:
        """Return the whole minutes until closing, rounded up, or None when closed."""
        if self.closes_at is None:
            return None
        seconds = (self.closes_at - self.at).total_seconds()
        return max(1, int(-(-seconds // 60)))


class OfficeCalendar:
    """The office's hours with holidays and per-date rules applied, in the office's time zone."""

    def __init__(self, weekly: WeeklyHours, tz: tzinfo, holidays: Iterable[Holiday] = (),
                 rules: Iterable[DayRule] = ()):
        self.weekly = weekly
        self.tz = tz
        self.holidays: dict[date, Holiday] = {}
        for holiday in holidays:  # a public holiday named first wins over joint leave on the same date
            self.holidays.setdefault(holiday.day, holiday)
        self._rules: dict[tuple[date, str | None], DayRule] = {}
        for rule in rules:
            if rule.activity is not None and rule.activity not in ACTIVITIES:
                raise ValueError(f"unknown activity {rule.activity!r}")
            self._rules[(rule.day, rule.activity)] = rule

    def plan(self, activity: str, day: date) -> DayPlan:
        """Return the windows of `activity` on `day` after holidays and office rules.

        A rule for the activity beats a rule for the whole day, which beats a holiday, which beats the
        regular week. Raises KeyError for an unknown activity.
        """
        rule = self._rules.get((day, activity)) or self._rules.get((day, None))
        if rule is not None:
            if not rule.opens:
                return DayPlan(day, (), Closure(day, rule.reason, None, "office", rule.activity))
            return DayPlan(day, merge_windows(rule.windows) or self.weekly.on(activity, day))
        holiday = self.holidays.get(day)
        if holiday is not None:
            kind = "joint_leave" if holiday.joint_leave else "holiday"
            return DayPlan(day, (), Closure(day, holiday.name, holiday.name_en, kind))
        return DayPlan(day, self.weekly.on(activity, day))

    def closure(self, day: date) -> Closure | None:
        """Return why `day` is closed when every activity is closed by a holiday or rule, else None."""
        closures = [self.plan(activity, day).closure for activity in ACTIVITIES]
        if all(closure is not None for closure in closures):
            whole_day = [closure for closure in closures if closure.activity is None]
            return (whole_day or closures)[0]
        return None

    def status(self, activity: str, at: datetime,
               closing_soon: timedelta = timedelta(minutes=30)) -> ActivityStatus:
        """Return whether `activity` is open at the aware instant `at`, and when it closes or opens next.

        Raises ValueError for a naive datetime (there is no safe guess for its zone here).
        """
        local = self._local(at)
        plan = self.plan(activity, local.date())
        for window in plan.windows:
            if window.start <= local.time() < window.end:
                closes_at = datetime.combine(local.date(), window.end, self.tz)
                return ActivityStatus(activity, local, True, closes_at, None,
                                      closes_at - local <= closing_soon, None, plan.windows)
        return ActivityStatus(activity, local, False, None, self.next_open(activity, local),
                              False, plan.closure, plan.windows)

    def next_open(self, activity: str, after: datetime) -> datetime | None:
        """Return the first instant after `after` at which `activity` opens, or None within the horizon."""
        local = self._local(after)
        for offset in range(SEARCH_HORIZON_DAYS):
            day = local.date() + timedelta(days=offset)
            for window in self.plan(activity, day).windows:
                opens = datetime.combine(day, window.start, self.tz)
                if opens > local:
                    return opens
        return None

    def week_to_show(self, at: datetime) -> date:
        """Return the Monday of the week a timetable should show at `at`: this week while any activity still
        has a window ahead in it (later today, or any day up to Sunday), else the coming week, so that a
        visitor on a Friday evening or a weekend the office does not open sees when it opens next.

        Raises ValueError if `at` is naive.
        """
        local = self._local(at)
        today = local.date()
        monday = today - timedelta(days=today.weekday())
        for offset in range(today.weekday(), 7):
            day = monday + timedelta(days=offset)
            for activity in ACTIVITIES:
                if any(day > today or window.end > local.time() for window in self.plan(activity, day).windows):
                    return monday
        return monday + timedelta(days=7)

    def open_days(self, activity: str, start: date, count: int) -> list[DayPlan]:
        """Return the plans of the next `count` days on which `activity` has windows, from `start` on."""
        found: list[DayPlan] = []
        for offset in range(SEARCH_HORIZON_DAYS):
            plan = self.plan(activity, start + timedelta(days=offset))
            if plan.windows:
                found.append(plan)
                if len(found) == count:
                    break
        return found

    def closures_between(self, start: date, end: date) -> list[Closure]:
        """Return every holiday or office closure from `start` to `end` inclusive, weekends aside.

        A closure that covers only one activity is listed too; a holiday the office opens on is not.
        """
        found: list[Closure] = []
        day = start
        while day <= end:
            for activity in ACTIVITIES:
                closure = self.plan(activity, day).closure
                if closure is not None:
                    found.append(closure)
                    break
            day += timedelta(days=1)
        return found

    def _local(self, at: datetime) -> datetime:
        """Return `at` in the office's zone; raises ValueError if `at` is naive."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("the instant must carry a time zone")
        return at.astimezone(self.tz)
