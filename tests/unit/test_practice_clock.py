"""Practice mode's clock (portal/domain/practice.py): a shift from the real time, set to an office hour."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.domain import practice

WIB = ZoneInfo("Asia/Jakarta")
NIGHT = datetime(2026, 12, 3, 22, 30, tzinfo=WIB)


def test_the_clock_is_the_real_time_moved_by_the_shift_and_runs_on_with_it():
    target = datetime(2026, 12, 4, 9, 0, tzinfo=WIB)
    shift = practice.shift_to(NIGHT, target)
    assert shift == 10 * 3600 + 30 * 60
    assert practice.practice_instant(NIGHT, shift) == target
    assert practice.practice_instant(NIGHT + timedelta(minutes=7), shift) == target + timedelta(minutes=7)
    assert practice.shift_to(NIGHT, NIGHT) == 0


def test_a_clock_more_than_a_year_away_or_without_a_zone_is_refused():
    assert practice.shift_to(NIGHT, NIGHT - timedelta(days=366)) == -366 * 86400
    with pytest.raises(ValueError, match="within a year"):
        practice.shift_to(NIGHT, NIGHT + timedelta(days=367))
    with pytest.raises(ValueError, match="aware"):
        practice.shift_to(NIGHT, datetime(2026, 12, 4, 9, 0))


@pytest.mark.parametrize("text, expected", [("09:00", time(9)), ("9.05", time(9, 5)), (" 13.45 ", time(13, 45)),
                                            ("23:59", time(23, 59))])
def test_times_are_read_as_people_write_them(text, expected):
    assert practice.parse_clock(text) == expected


@pytest.mark.parametrize("text", ["", "24.00", "9", "09:60", "jam 9", "09-00"])
def test_anything_else_is_not_a_time(text):
    with pytest.raises(ValueError):
        practice.parse_clock(text)


def test_the_next_office_hour_is_an_hour_after_the_next_opening_or_now_when_open():
    opening = datetime(2026, 12, 4, 8, 0, tzinfo=WIB)
    assert practice.next_office_hour(opening, False, NIGHT) == datetime(2026, 12, 4, 9, 0, tzinfo=WIB)
    assert practice.next_office_hour(None, True, NIGHT) == NIGHT
    assert practice.next_office_hour(None, False, NIGHT) == NIGHT  # no opening known: nothing better to offer
    assert practice.office_instant(date(2026, 12, 7), time(13, 45), WIB) == datetime(2026, 12, 7, 13, 45, tzinfo=WIB)
