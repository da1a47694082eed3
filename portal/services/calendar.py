"""The office calendar as the app sees it: the weekly hours (the office's own or the config's) + national holidays
+ rules and notices in the DB."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
import json
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select

from ..domain import hours
from ..domain.holidays import national_holidays
from ..domain.notices import Notice as NoticeFact
from ..domain.notices import active_notices
from ..extensions import db
from ..models import DayRule, Notice
from . import office_hours, revisions

# Rules and notices older than this are of no use to the status or the schedule.
LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class OfficeStatus:
    """Everything the banner and `/api/status` say about one instant."""

    at: datetime
    submission: hours.ActivityStatus
    pickup: hours.ActivityStatus
    closure: hours.Closure | None
    notices: list[NoticeFact]

    @property
    def any_open(self) -> bool:
        """Return True when at least one activity is open."""
        return self.submission.open or self.pickup.open


@dataclass(frozen=True)
class _Snapshot:
    revision: int
    calendar: hours.OfficeCalendar
    notices: tuple[NoticeFact, ...]


def now() -> datetime:
    """Return the current instant in UTC, from the app's clock (tests may replace `CLOCK`)."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock else datetime.now(timezone.utc)


def office_zone() -> ZoneInfo:
    """Return the office's time zone."""
    return ZoneInfo(current_app.config["OFFICE_TIMEZONE"])


def zone_label() -> str:
    """Return the Indonesian label of the office's zone (WIB, WITA, WIT) or its IANA name."""
    return {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
            "Asia/Jayapura": "WIT"}.get(current_app.config["OFFICE_TIMEZONE"], current_app.config["OFFICE_TIMEZONE"])


@lru_cache(maxsize=8)
def _weekly(config_key: str) -> hours.WeeklyHours:
    return hours.WeeklyHours.from_config(json.loads(config_key))


@lru_cache(maxsize=4)
def _holidays(years: tuple[int, ...]) -> tuple[hours.Holiday, ...]:
    return tuple(national_holidays(years))


def weekly_hours() -> hours.WeeklyHours:
    """Return the weekly hours in force: per activity the office's own (set in `/admin/jam`) when it has set
    them, else the `OFFICE_HOURS` setting's.

    Kept per process until the calendar revision changes (every save in `/admin/jam` bumps it), so reading it
    costs no query. Raises ValueError when `OFFICE_HOURS` or a stored window is malformed.
    """
    revision = revisions.current(revisions.CALENDAR)
    config = current_app.config["OFFICE_HOURS"]
    cached = current_app.extensions.get("loket_weekly_hours")
    if cached is not None and cached[0] == revision and cached[1] is config:
        return cached[2]
    week = _weekly(json.dumps(office_hours.effective(config), sort_keys=True))
    current_app.extensions["loket_weekly_hours"] = (revision, config, week)
    return week


def _snapshot(year: int) -> _Snapshot:
    """Return the calendar and notices for instants in `year`, rebuilt when the calendar revision changed.

    Holidays cover the year before to two years after (a closure run may cross a new year, and `next_open`
    looks up to 400 days ahead); rules and notices are read from the start of the previous year.
    """
    revision = revisions.current(revisions.CALENDAR)
    cache: dict[int, _Snapshot] = current_app.extensions.setdefault("loket_calendar", {})
    cached = cache.get(year)
    if cached is not None and cached.revision == revision:
        return cached
    since = date(year - 1, 1, 1)
    rules = db.session.scalars(select(DayRule).where(DayRule.day >= since)).all()
    notices = db.session.scalars(
        select(Notice).where(or_(Notice.ends_on.is_(None), Notice.ends_on >= since))).all()
    calendar = hours.OfficeCalendar(
        weekly_hours(), office_zone(),
        _holidays(tuple(range(year - 1, year + 3))),
        [hours.DayRule(rule.day, rule.opens, rule.reason, rule.activity,
                       tuple(hours.Window.parse(text) for text in rule.windows or ())) for rule in rules],
    )
    facts = tuple(NoticeFact(n.text, n.starts_on, n.ends_on, n.service_code, n.text_en) for n in notices)
    snapshot = _Snapshot(revision, calendar, facts)
    cache[year] = snapshot
    return snapshot


def calendar(at: datetime | None = None) -> hours.OfficeCalendar:
    """Return the office calendar (holidays and the office's day rules) for instants around `at`."""
    at = at or now()
    return _snapshot(at.astimezone(office_zone()).year).calendar


def status(at: datetime | None = None, service_code: str | None = None) -> OfficeStatus:
    """Return the office status at `at` (default now); notices include those of `service_code`."""
    at = at or now()
    snapshot = _snapshot(at.astimezone(office_zone()).year)
    soon = timedelta(minutes=current_app.config["CLOSING_SOON_MINUTES"])
    local = at.astimezone(snapshot.calendar.tz)
    return OfficeStatus(
        at=local,
        submission=snapshot.calendar.status(hours.SUBMISSION, local, soon),
        pickup=snapshot.calendar.status(hours.PICKUP, local, soon),
        closure=snapshot.calendar.closure(local.date()),
        notices=active_notices(snapshot.notices, local.date(), service_code),
    )


def service_notices(service_code: str, at: datetime | None = None) -> list[NoticeFact]:
    """Return the notices running now that concern `service_code` only."""
    at = at or now()
    day = at.astimezone(office_zone()).date()
    notices = _snapshot(day.year).notices
    return [n for n in active_notices(notices, day, service_code) if n.service_code == service_code]
