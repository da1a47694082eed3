"""Office hours at their edges, with the instant passed in (no app, no database)."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from portal.config import DEFAULT_OFFICE_HOURS
from portal.domain.holidays import national_holidays
from portal.domain.hours import (PICKUP, SUBMISSION, DayRule, OfficeCalendar, WeeklyHours, Window,
                                 merge_windows)

WIB = ZoneInfo("Asia/Jakarta")


def wib(*parts):
    return datetime(*parts, tzinfo=WIB)


@pytest.fixture(scope="module")
def holidays():
    return national_holidays(range(2026, 2029))


def office(holidays, *rules):
    return OfficeCalendar(WeeklyHours.from_config(DEFAULT_OFFICE_HOURS), WIB, holidays, rules)


# --- a regular week: Monday 30 November 2026 to Sunday 6 December 2026 -------------------------------

def test_opens_at_eight_sharp(holidays):
    calendar = office(holidays)
    before = calendar.status(SUBMISSION, wib(2026, 11, 30, 7, 59, 59))
    at_eight = calendar.status(SUBMISSION, wib(2026, 11, 30, 8, 0))
    assert not before.open and before.next_open == wib(2026, 11, 30, 8, 0)
    assert at_eight.open and at_eight.closes_at == wib(2026, 11, 30, 12, 0)
    assert at_eight.next_open is None


def test_noon_closes_submissions_while_pickup_stays_open_until_two(holidays):
    calendar = office(holidays)
    noon = wib(2026, 12, 1, 12, 0)
    submission, pickup = calendar.status(SUBMISSION, noon), calendar.status(PICKUP, noon)
    assert not submission.open
    assert submission.next_open == wib(2026, 12, 2, 8, 0)
    assert pickup.open and pickup.closes_at == wib(2026, 12, 1, 14, 0)
    assert calendar.status(PICKUP, wib(2026, 12, 1, 14, 0)).open is False


def test_end_is_exclusive_and_last_second_is_open(holidays):
    calendar = office(holidays)
    assert calendar.status(SUBMISSION, wib(2026, 12, 1, 11, 59, 59)).open
    assert not calendar.status(SUBMISSION, wib(2026, 12, 1, 12, 0, 0)).open


def test_friday_closes_at_ten_for_both_and_reopens_monday(holidays):
    calendar = office(holidays)
    assert calendar.status(SUBMISSION, wib(2026, 12, 4, 9, 59)).closes_at == wib(2026, 12, 4, 10, 0)
    for activity in (SUBMISSION, PICKUP):
        after = calendar.status(activity, wib(2026, 12, 4, 10, 0))
        assert not after.open
        assert after.next_open == wib(2026, 12, 7, 8, 0)


@pytest.mark.parametrize("moment", [wib(2026, 12, 5, 9, 0), wib(2026, 12, 6, 11, 0)])
def test_saturday_and_sunday_are_closed_until_monday(holidays, moment):
    calendar = office(holidays)
    state = calendar.status(SUBMISSION, moment)
    assert not state.open and state.closure is None
    assert state.next_open == wib(2026, 12, 7, 8, 0)
    assert calendar.closure(moment.date()) is None  # a weekend is not a closure to announce


def test_closing_soon_threshold_and_minutes_left(holidays):
    calendar = office(holidays)
    early = calendar.status(SUBMISSION, wib(2026, 12, 1, 11, 29), timedelta(minutes=30))
    late = calendar.status(SUBMISSION, wib(2026, 12, 1, 11, 35, 30), timedelta(minutes=30))
    assert not early.closing_soon
    assert late.closing_soon and late.minutes_left == 25  # 24.5 minutes rounds up
    custom = calendar.status(SUBMISSION, wib(2026, 12, 1, 11, 0), timedelta(minutes=60))
    assert custom.closing_soon and custom.minutes_left == 60


# --- holidays and joint leave -------------------------------------------------------------------------

def test_national_holiday_closes_with_its_name(holidays):
    calendar = office(holidays)
    christmas = calendar.status(SUBMISSION, wib(2026, 12, 25, 9, 0))
    assert not christmas.open
    assert christmas.closure.reason == "Hari Raya Natal" and christmas.closure.kind == "holiday"
    assert christmas.closure.reason_en == "Christmas Day"
    # Thursday 24th is cuti bersama, Friday 25th Christmas, then the weekend: Monday 28th at 08:00.
    assert christmas.next_open == wib(2026, 12, 28, 8, 0)


def test_cuti_bersama_day_is_closed(holidays):
    calendar = office(holidays)
    state = calendar.status(PICKUP, wib(2026, 12, 24, 9, 0))
    assert not state.open
    assert state.closure.kind == "joint_leave"
    assert "Cuti Bersama" in state.closure.reason


def test_override_opens_a_cuti_bersama_day_with_its_own_windows(holidays):
    rule = DayRule(date(2026, 12, 24), opens=True, reason="Pelayanan tetap buka",
                   windows=(Window(time(8), time(11)),))
    calendar = office(holidays, rule)
    assert calendar.status(SUBMISSION, wib(2026, 12, 24, 10, 30)).closes_at == wib(2026, 12, 24, 11, 0)
    assert calendar.status(PICKUP, wib(2026, 12, 24, 10, 30)).open
    assert not calendar.status(PICKUP, wib(2026, 12, 24, 11, 0)).open
    assert calendar.closure(date(2026, 12, 24)) is None


def test_opening_rule_without_windows_uses_the_weekday_hours(holidays):
    calendar = office(holidays, DayRule(date(2026, 12, 24), opens=True))
    assert calendar.status(PICKUP, wib(2026, 12, 24, 13, 0)).closes_at == wib(2026, 12, 24, 14, 0)


def test_ad_hoc_closure_with_reason(holidays):
    rule = DayRule(date(2026, 12, 2), opens=False, reason="Server pusat sedang gangguan")
    calendar = office(holidays, rule)
    state = calendar.status(SUBMISSION, wib(2026, 12, 2, 9, 0))
    assert not state.open and state.closure.reason == "Server pusat sedang gangguan"
    assert state.next_open == wib(2026, 12, 3, 8, 0)
    assert calendar.closure(date(2026, 12, 2)).kind == "office"


def test_closure_of_one_activity_leaves_the_other_open(holidays):
    rule = DayRule(date(2026, 12, 2), opens=False, reason="Blangko habis", activity=PICKUP)
    calendar = office(holidays, rule)
    assert calendar.status(SUBMISSION, wib(2026, 12, 2, 9, 0)).open
    assert not calendar.status(PICKUP, wib(2026, 12, 2, 9, 0)).open
    assert calendar.closure(date(2026, 12, 2)) is None
    assert [c.activity for c in calendar.closures_between(date(2026, 12, 2), date(2026, 12, 2))] == [PICKUP]


def test_activity_rule_beats_whole_day_rule(holidays):
    calendar = office(holidays,
                      DayRule(date(2026, 12, 2), opens=False, reason="Rapat"),
                      DayRule(date(2026, 12, 2), opens=True, activity=PICKUP))
    assert not calendar.status(SUBMISSION, wib(2026, 12, 2, 9, 0)).open
    assert calendar.status(PICKUP, wib(2026, 12, 2, 9, 0)).open


# --- time zones ---------------------------------------------------------------------------------------

def test_instant_in_utc_that_is_already_the_next_day_in_wib(holidays):
    calendar = office(holidays)
    # Monday 30 November 2026, 17:30 UTC = Tuesday 1 December, 00:30 WIB.
    state = calendar.status(SUBMISSION, datetime(2026, 11, 30, 17, 30, tzinfo=timezone.utc))
    assert state.at.date() == date(2026, 12, 1)
    assert not state.open and state.next_open == wib(2026, 12, 1, 8, 0)
    # And 01:00 UTC on a Tuesday is 08:00 WIB: open.
    assert calendar.status(SUBMISSION, datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)).open


def test_naive_instant_is_refused(holidays):
    with pytest.raises(ValueError):
        office(holidays).status(SUBMISSION, datetime(2026, 12, 1, 9, 0))


# --- the Lebaran 2027 closure run ---------------------------------------------------------------------

def test_lebaran_2027_closure_run(holidays):
    calendar = office(holidays)
    # Friday 5 March 2027 10:00 closes; then the weekend, Nyepi (8th), cuti bersama (9th), Idul Fitri
    # (10th, 11th), cuti bersama (12th), the weekend, cuti bersama (15th): open again Tuesday 16 March.
    for activity in (SUBMISSION, PICKUP):
        state = calendar.status(activity, wib(2027, 3, 5, 10, 0))
        assert state.next_open == wib(2027, 3, 16, 8, 0)
    closed_days = [c.day for c in calendar.closures_between(date(2027, 3, 6), date(2027, 3, 16))]
    assert closed_days == [date(2027, 3, d) for d in (8, 9, 10, 11, 12, 15)]
    assert calendar.status(SUBMISSION, wib(2027, 3, 10, 9, 0)).closure.kind == "holiday"


def test_next_open_is_none_when_nothing_opens_within_the_horizon():
    never = OfficeCalendar(WeeklyHours.from_config({}), WIB)
    state = never.status(SUBMISSION, wib(2026, 12, 1, 9, 0))
    assert not state.open and state.next_open is None


# --- the shapes themselves ----------------------------------------------------------------------------

def test_window_parsing_and_merging():
    assert Window.parse("08:00-12:00") == Window(time(8), time(12))
    assert str(Window.parse("08:00 - 09:30")) == "08:00-09:30"
    assert merge_windows([Window.parse("12:00-14:00"), Window.parse("08:00-12:00")]) == (Window(time(8), time(14)),)
    for bad in ("8-12", "12:00-08:00", "", "08:00"):
        with pytest.raises(ValueError):
            Window.parse(bad)


def test_weekly_hours_refuse_unknown_names():
    with pytest.raises(ValueError, match="activity"):
        WeeklyHours.from_config({"lunch": {"mon": ["12:00-13:00"]}})
    with pytest.raises(ValueError, match="weekday"):
        WeeklyHours.from_config({"submission": {"monday": ["08:00-12:00"]}})


def test_holidays_package_matches_the_joint_decree_for_2026_and_2027(holidays):
    by_day = {h.day: h for h in holidays}
    assert by_day[date(2026, 3, 20)].joint_leave and by_day[date(2026, 3, 21)].name == "Hari Raya Idul Fitri"
    assert by_day[date(2027, 3, 15)].joint_leave
    assert not by_day[date(2026, 8, 17)].joint_leave
    assert len([h for h in holidays if h.day.year == 2026]) == 25


# Pickup proposals: the first pickup window at least N pickup days ahead.

def test_pickup_proposals_skip_weekends_holidays_and_the_lebaran_closure_run():
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from portal.domain.holidays import national_holidays
    from portal.domain.hours import OfficeCalendar, WeeklyHours, Window
    from portal.domain.pickup import PickupSlot, propose_pickup

    from portal.config import DEFAULT_OFFICE_HOURS
    wib = ZoneInfo("Asia/Jakarta")
    calendar = OfficeCalendar(WeeklyHours.from_config(DEFAULT_OFFICE_HOURS), wib, national_holidays((2026, 2027)))

    def at(*parts):
        return datetime(*parts, tzinfo=wib)

    friday_morning = Window(time(8), time(10))
    full_day = Window(time(8), time(14))
    # Thursday 3 Dec 2026 → 3 pickup days: Fri 4, Mon 7, Tue 8.
    assert propose_pickup(calendar, at(2026, 12, 3, 9), 3) == PickupSlot(date(2026, 12, 8), full_day)
    # From a Friday, the weekend does not count.
    assert propose_pickup(calendar, at(2026, 12, 4, 9), 1) == PickupSlot(date(2026, 12, 7), full_day)
    assert propose_pickup(calendar, at(2026, 12, 2, 9), 2) == PickupSlot(date(2026, 12, 4), friday_morning)
    # From a Saturday, 1 day ahead is Monday.
    assert propose_pickup(calendar, at(2026, 12, 5, 9), 1).day == date(2026, 12, 7)
    # Christmas (Fri 25 Dec) and the cuti bersama of 24 Dec are skipped.
    assert propose_pickup(calendar, at(2026, 12, 23, 9), 1).day == date(2026, 12, 28)
    # The Lebaran 2027 run: Nyepi Mon 8 March, cuti bersama 9, Idul Fitri 10–11, cuti bersama 12 and 15 March.
    assert propose_pickup(calendar, at(2027, 3, 5, 9), 1) == PickupSlot(date(2027, 3, 16), full_day)
    assert propose_pickup(calendar, at(2027, 3, 5, 9), 2).day == date(2027, 3, 17)
    # 0 days: the rest of today if a window is still ahead, else the next pickup day.
    assert propose_pickup(calendar, at(2026, 12, 3, 7), 0) == PickupSlot(date(2026, 12, 3), full_day)
    assert propose_pickup(calendar, at(2026, 12, 3, 15), 0).day == date(2026, 12, 4)


@pytest.mark.parametrize("moment, monday", [
    (wib(2026, 12, 3, 9, 0), date(2026, 11, 30)),     # Thursday morning: this week
    (wib(2026, 12, 4, 9, 59), date(2026, 11, 30)),    # Friday, the last window still open
    (wib(2026, 12, 4, 10, 0), date(2026, 12, 7)),     # Friday 10:00: nothing more opens this week
    (wib(2026, 12, 5, 9, 0), date(2026, 12, 7)),      # a closed Saturday
    (wib(2026, 12, 6, 23, 0), date(2026, 12, 7)),     # Sunday night
    (wib(2026, 12, 7, 0, 0), date(2026, 12, 7)),      # Monday midnight: the new week
])
def test_timetable_shows_the_week_that_still_opens(holidays, moment, monday):
    assert office(holidays).week_to_show(moment) == monday


def test_timetable_keeps_a_saturday_the_office_opens(holidays):
    hours = {activity: dict(week) for activity, week in DEFAULT_OFFICE_HOURS.items()}
    hours[PICKUP]["sat"] = ["08:00-11:00"]
    calendar = OfficeCalendar(WeeklyHours.from_config(hours), WIB, holidays)
    assert calendar.week_to_show(wib(2026, 12, 5, 10, 30)) == date(2026, 11, 30)
    assert calendar.week_to_show(wib(2026, 12, 5, 11, 0)) == date(2026, 12, 7)
    assert calendar.week_to_show(wib(2026, 12, 4, 15, 0)) == date(2026, 11, 30)  # Friday: Saturday is ahead


def test_timetable_skips_a_week_whose_last_days_are_closed(holidays):
    # 24 Dec 2026 is cuti bersama, 25 Dec Christmas: on Wednesday 23 Dec after closing, the week is over.
    assert office(holidays).week_to_show(wib(2026, 12, 23, 15, 0)) == date(2026, 12, 28)
    with pytest.raises(ValueError):
        office(holidays).week_to_show(datetime(2026, 12, 3, 9, 0))
