"""The handover's checks: the applicant's NIK (last 4 digits or all 16), and when a reason is needed."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.config import DEFAULT_OFFICE_HOURS
from portal.domain.handover import EARLY, OUTSIDE_HOURS, nik_matches, reasons_needed, typed_nik_kind
from portal.domain.holidays import national_holidays
from portal.domain.hours import OfficeCalendar, WeeklyHours

WIB = ZoneInfo("Asia/Jakarta")
NIK = "3317014101900001"
THURSDAY = date(2026, 12, 3)


def office() -> OfficeCalendar:
    return OfficeCalendar(WeeklyHours.from_config(DEFAULT_OFFICE_HOURS), WIB, national_holidays([2026, 2027]), ())


@pytest.mark.parametrize("typed, kind", [("0001", "tail"), (" 0 001", "tail"), (NIK, "full"),
                                         ("3317.0141.0190.0001", "full"), ("001", None), ("00001", None),
                                         ("abcd", None), ("", None), (NIK + "1", None)])
def test_the_clerk_types_four_digits_or_the_whole_nik(typed, kind):
    assert typed_nik_kind(typed) == kind


@pytest.mark.parametrize("typed, matches", [("0001", True), ("0002", False), ("1000", False), (NIK, True),
                                            ("3317014101900002", False), ("3317020001", False), ("", False),
                                            ("01", False)])
def test_the_typed_digits_match_only_the_applicants_nik(typed, matches):
    assert nik_matches(NIK, typed) is matches


def test_an_application_without_a_nik_matches_nothing():
    assert not nik_matches("", "0000") and not nik_matches("", "")


@pytest.mark.parametrize("moment, pickup_day, needed", [
    ((2026, 12, 3, 9, 0), THURSDAY, ()),  # on the day, in hours
    ((2026, 12, 3, 13, 59), THURSDAY, ()),  # the last minute of Monday-Thursday pickup
    ((2026, 12, 3, 14, 0), THURSDAY, (OUTSIDE_HOURS,)),  # the end is exclusive
    ((2026, 12, 3, 9, 0), date(2026, 12, 7), (EARLY,)),  # the case, in hours
    ((2026, 11, 30, 5, 21), THURSDAY, (EARLY, OUTSIDE_HOURS)),  # the case: Monday 05:21 for Thursday
    ((2026, 12, 4, 11, 0), THURSDAY, (OUTSIDE_HOURS,)),  # late, but Friday's pickup ended at 10:00
    ((2026, 12, 5, 9, 0), THURSDAY, (OUTSIDE_HOURS,)),  # Saturday
    ((2026, 12, 25, 9, 0), THURSDAY, (OUTSIDE_HOURS,)),  # Christmas Day, a national holiday
    ((2026, 12, 3, 9, 0), None, ()),  # a self-printed document has no pickup day
])
def test_a_reason_is_needed_before_the_pickup_day_or_outside_pickup_hours(moment, pickup_day, needed):
    assert reasons_needed(office(), datetime(*moment, tzinfo=WIB), pickup_day) == needed


def test_the_day_is_read_in_the_offices_zone():
    utc_evening = datetime(2026, 12, 2, 17, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on Thursday in WIB
    assert reasons_needed(office(), utc_evening, THURSDAY) == (OUTSIDE_HOURS,)


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError):
        reasons_needed(office(), datetime(2026, 12, 3, 9, 0), THURSDAY)
