"""Queue rules with the instant passed in: slots, quotas, issuing, numbering, calling order."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from portal.config import DEFAULT_OFFICE_HOURS
from portal.domain.holidays import national_holidays
from portal.domain.hours import DayRule, OfficeCalendar, WeeklyHours, Window
from portal.domain.queue import (DEFAULT_PURPOSES, ONLINE, WALK_IN, QueuedTicket, TicketRefused, call_order,
                                 check_issue, default_quota, hourly_slots, purposes_from_config, slots_on,
                                 ticket_label)

WIB = ZoneInfo("Asia/Jakarta")
KTP = DEFAULT_PURPOSES[0]
PICKUP = DEFAULT_PURPOSES[-1]


def wib(*parts):
    return datetime(*parts, tzinfo=WIB)


@pytest.fixture(scope="module")
def calendar():
    return OfficeCalendar(WeeklyHours.from_config(DEFAULT_OFFICE_HOURS), WIB, national_holidays(range(2026, 2028)),
                          [DayRule(date(2026, 12, 2), opens=False, reason="Rapat", activity="pickup")])


def slot(start, end):
    return Window(time(start), time(end))


def test_hourly_slots_follow_each_activitys_hours(calendar):
    assert slots_on(calendar, KTP, date(2026, 12, 3)) == (slot(8, 9), slot(9, 10), slot(10, 11), slot(11, 12))
    assert slots_on(calendar, PICKUP, date(2026, 12, 3))[-1] == slot(13, 14)
    assert slots_on(calendar, KTP, date(2026, 12, 4)) == (slot(8, 9), slot(9, 10))  # Friday
    assert slots_on(calendar, KTP, date(2026, 12, 5)) == ()  # Saturday
    assert slots_on(calendar, KTP, date(2026, 12, 25)) == ()  # Christmas
    assert slots_on(calendar, PICKUP, date(2026, 12, 2)) == ()  # pickup closed by the office that day
    assert hourly_slots([Window(time(8), time(9, 30))]) == (slot(8, 9), Window(time(9), time(9, 30)))


def test_default_quota_follows_counters_and_minutes_per_visit():
    assert default_quota(2, KTP, slot(8, 9)) == 12  # 2 counters × 60 min ÷ 10 min
    assert default_quota(1, PICKUP, slot(8, 9)) == 20
    assert default_quota(3, KTP, Window(time(9), time(9, 30))) == 9
    assert default_quota(0, KTP, slot(8, 9)) == 0


def test_issue_rules(calendar):
    now = wib(2026, 12, 3, 9, 15)
    day = date(2026, 12, 3)
    check_issue(calendar, KTP, day, slot(10, 11), now, 0, 12, False)  # a later slot today: fine
    check_issue(calendar, KTP, day, slot(9, 10), now, 11, 12, False)  # the current slot, one place left
    refusals = {
        "past": (day, slot(8, 9), 0, False, False),
        "full": (day, slot(10, 11), 12, False, False),
        "duplicate": (day, slot(10, 11), 0, True, False),
        "closed": (date(2026, 12, 5), slot(8, 9), 0, False, False),
        "unknown_window": (day, slot(12, 13), 0, False, False),
    }
    for code, (when, window, issued, duplicate, walk_in) in refusals.items():
        with pytest.raises(TicketRefused) as refused:
            check_issue(calendar, KTP, when, window, now, issued, 12, duplicate, walk_in)
        assert refused.value.code == code


def test_walk_in_tickets_only_for_the_slot_open_now(calendar):
    day = date(2026, 12, 3)
    check_issue(calendar, KTP, day, slot(9, 10), wib(2026, 12, 3, 9, 15), 0, 12, False, walk_in=True)
    with pytest.raises(TicketRefused) as refused:
        check_issue(calendar, KTP, day, slot(10, 11), wib(2026, 12, 3, 9, 15), 0, 12, False, walk_in=True)
    assert refused.value.code == "closed"
    with pytest.raises(ValueError):
        check_issue(calendar, KTP, day, slot(9, 10), datetime(2026, 12, 3, 9, 15), 0, 12, False)


def test_booking_for_a_future_open_day_across_the_lebaran_closure(calendar):
    check_issue(calendar, KTP, date(2027, 3, 16), slot(8, 9), wib(2027, 3, 5, 11, 0), 0, 12, False)
    with pytest.raises(TicketRefused):
        check_issue(calendar, KTP, date(2027, 3, 10), slot(8, 9), wib(2027, 3, 5, 11, 0), 0, 12, False)


def test_ticket_label():
    assert ticket_label("A", 1) == "A-001" and ticket_label("P", 42) == "P-042" and ticket_label("B", 1234) == "B-1234"


def test_calling_order_booked_of_this_hour_then_walk_ins_then_late_bookings():
    tickets = [
        QueuedTicket(1, 1, ONLINE, time(8)),    # booked for 08-09, late
        QueuedTicket(2, 2, WALK_IN, time(9)),
        QueuedTicket(3, 3, ONLINE, time(9)),
        QueuedTicket(4, 4, ONLINE, time(10)),   # booked for later: not called yet
        QueuedTicket(5, 5, WALK_IN, time(9)),
        QueuedTicket(6, 6, ONLINE, time(9)),
    ]
    assert [t.id for t in call_order(tickets, slot(9, 10))] == [3, 6, 2, 5, 1]
    assert [t.id for t in call_order(tickets, None)] == [2, 5, 1, 3, 4, 6]
    # Before opening (07:55) or between windows, bookings of a later hour still wait for it.
    assert [t.id for t in call_order(tickets, None, time(7, 55))] == [2, 5]
    assert [t.id for t in call_order(tickets, None, time(9, 30))] == [2, 5, 1, 3, 6]


def test_purposes_from_config_refuse_duplicates_and_bad_values():
    config = [{"code": "KTP", "prefix": "A", "activity": "submission", "minutes_per_visit": 10, "label_id": "KTP"}]
    assert purposes_from_config(config)[0].label_en == "KTP"
    with pytest.raises(ValueError, match="prefix"):
        purposes_from_config(config + [{**config[0], "code": "KK"}])
    with pytest.raises(ValueError, match="activity"):
        purposes_from_config([{**config[0], "activity": "lunch"}])
    with pytest.raises(ValueError, match="positive"):
        purposes_from_config([{**config[0], "minutes_per_visit": 0}])
    assert len({p.prefix for p in DEFAULT_PURPOSES}) == len(DEFAULT_PURPOSES)
