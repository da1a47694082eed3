"""The rules for a regular week typed in `/admin/jam`: how each day is read, what is refused and why, and which
booked queue tickets a new week leaves outside its hours."""

from __future__ import annotations

from datetime import date, time

import pytest

from portal.domain import week
from portal.domain.hours import PICKUP, SUBMISSION, Window
from portal.domain.week import Booking, Problem, outside_hours, read_day, read_week


def w(text: str) -> Window:
    return Window.parse(text)


@pytest.mark.parametrize("text, windows", [
    ("", ()),
    ("   ", ()),
    ("08:00-12:00", (w("08:00-12:00"),)),
    ("08.00-12.00", (w("08:00-12:00"),)),
    ("8:00 - 12:00", (w("08:00-12:00"),)),
    ("08:00–12:00", (w("08:00-12:00"),)),  # an en dash, as word processors type it
    ("13:00-15:00, 08:00-12:00", (w("08:00-12:00"), w("13:00-15:00"))),
    ("08:00-12:00; 13:00-15:00,", (w("08:00-12:00"), w("13:00-15:00"))),
    ("06:00-20:00", (w("06:00-20:00"),)),
])
def test_a_day_is_read_sorted(text, windows):
    found, problems, joined = read_day("mon", text)
    assert (found, problems, joined) == (windows, [], False)


def test_touching_windows_are_joined_and_said_so():
    found, problems, joined = read_day("mon", "08:00-12:00, 12:00-14:00")
    assert (found, problems, joined) == ((w("08:00-14:00"),), [], True)


@pytest.mark.parametrize("text, code, piece", [
    ("pagi", week.MALFORMED, "pagi"),
    ("08:00", week.MALFORMED, "08:00"),
    ("25:00-26:00", week.MALFORMED, "25:00-26:00"),
    ("08:75-12:00", week.MALFORMED, "08:75-12:00"),
    ("08:00-12:00-13:00", week.MALFORMED, "08:00-12:00-13:00"),
    ("12:00-08:00", week.BACKWARDS, "12:00-08:00"),
    ("08:00-08:00", week.BACKWARDS, "08:00-08:00"),
    ("05:30-12:00", week.OUTSIDE, "05:30-12:00"),
    ("16:00-20:30", week.OUTSIDE, "16:00-20:30"),
    ("08:00-12:00, 11:00-15:00", week.OVERLAP, "08:00-12:00, 11:00-15:00"),
    ("08:00-12:00, 08:00-12:00", week.OVERLAP, "08:00-12:00, 08:00-12:00"),
])
def test_a_bad_day_names_the_piece(text, code, piece):
    _found, problems, _joined = read_day("tue", text)
    assert problems == [Problem("tue", code, piece)]


def test_every_bad_piece_of_a_day_is_named():
    _found, problems, _joined = read_day("wed", "pagi, 12:00-08:00, 08:00-10:00")
    assert [problem.code for problem in problems] == [week.MALFORMED, week.BACKWARDS]


def test_a_week_reads_every_day_and_stores_every_weekday():
    reading = read_week(SUBMISSION, {"mon": "08:00-12:00", "fri": "08:00-10:00, 10:00-11:00"})
    assert reading.ok and reading.joined == ("fri",)
    assert reading.as_config() == {"mon": ["08:00-12:00"], "tue": [], "wed": [], "thu": [],
                                   "fri": ["08:00-11:00"], "sat": [], "sun": []}


def test_submission_must_open_on_some_day_pickup_need_not():
    reading = read_week(SUBMISSION, {day: "" for day in ("mon", "tue")})
    assert reading.problems == (Problem("", week.NO_OPEN_DAY),)
    assert read_week(PICKUP, {}).ok


def test_a_malformed_week_does_not_also_say_no_open_day():
    reading = read_week(SUBMISSION, {"mon": "pagi"})
    assert reading.problems == (Problem("mon", week.MALFORMED, "pagi"),)


def test_stored_week_as_texts():
    assert week.week_text({"mon": ["08:00-12:00", "13:00-15:00"]})["mon"] == "08:00-12:00, 13:00-15:00"
    assert week.week_text({})["sun"] == ""


FRIDAY, MONDAY = date(2026, 12, 4), date(2026, 12, 7)


def test_bookings_outside_the_new_hours_are_counted_per_day():
    new_week = {FRIDAY: (w("08:00-09:00"),), MONDAY: (w("08:00-10:00"), w("13:00-14:00"))}
    bookings = [Booking(FRIDAY, w("08:00-09:00")), Booking(FRIDAY, w("09:00-10:00")),
                Booking(FRIDAY, w("09:00-10:00")), Booking(MONDAY, w("09:00-10:00")),
                Booking(MONDAY, w("13:00-14:00")), Booking(MONDAY, w("11:00-12:00"))]
    found = outside_hours(bookings, lambda day: new_week.get(day, ()))
    assert found.per_day == ((FRIDAY, 2), (MONDAY, 1)) and found.total == 3


def test_a_booking_must_lie_inside_one_window():
    found = outside_hours([Booking(FRIDAY, Window(time(8, 30), time(9, 30)))],
                          lambda day: (w("08:00-09:00"), w("09:15-10:00")))
    assert found.total == 1
    assert outside_hours([], lambda day: ()).total == 0


def test_a_day_longer_than_the_limit_is_one_problem():
    assert read_day("mon", "08:00-12:00, " * 20)[1] == [Problem("mon", week.TOO_LONG)]
    assert read_day("mon", "x" * week.MAX_DAY_TEXT)[1] == [Problem("mon", week.MALFORMED, "x" * week.MAX_DAY_TEXT)]


def test_a_quoted_piece_is_cut_after_twenty_characters():
    assert week.quoted("pagi saja") == "pagi saja"
    assert week.quoted("y" * 20) == "y" * 20
    assert week.quoted("y" * 3000) == "y" * 20 + "…"
