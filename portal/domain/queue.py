"""Queue tickets: purposes and prefixes, hourly windows, quotas, numbering and the calling order.

Pure Python with the instant passed in; the database layer only has to keep numbering atomic. A ticket is
issued for one purpose (a service group's submissions, or pickup), one day and one hourly window, only while
that window is open for the purpose's activity, never beyond the window's quota, and at most one active ticket
per NIK, day and purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping

from .hours import PICKUP, SUBMISSION, OfficeCalendar, Window

WAITING, CALLED, SERVED, NO_SHOW, CANCELLED = "waiting", "called", "served", "no_show", "cancelled"
ACTIVE_STATES = frozenset({WAITING, CALLED})
ONLINE, WALK_IN = "online", "walk_in"
SLOT_MINUTES = 60


@dataclass(frozen=True)
class Purpose:
    """Why someone queues: a prefix (`A`), the activity whose hours apply, and the minutes one visit takes."""

    code: str
    prefix: str
    activity: str
    minutes_per_visit: int
    label_id: str
    label_en: str


DEFAULT_PURPOSES: tuple[Purpose, ...] = (
    Purpose("KTP", "A", SUBMISSION, 10, "Pengajuan KTP-el", "KTP-el applications"),
    Purpose("KK", "B", SUBMISSION, 8, "Pengajuan Kartu Keluarga", "Family card applications"),
    Purpose("AKTA", "C", SUBMISSION, 10, "Pengajuan akta", "Certificate applications"),
    Purpose("KIA", "D", SUBMISSION, 6, "Pengajuan KIA", "Child ID card applications"),
    Purpose("PINDAH", "E", SUBMISSION, 10, "Pindah datang/keluar", "Moving in or out"),
    Purpose("PICKUP", "P", PICKUP, 3, "Pengambilan dokumen", "Document pickup"),
)


class TicketRefused(Exception):
    """A ticket that cannot be issued; `code` says why: "closed", "past", "full", "duplicate", "unknown_window"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def purposes_from_config(config: Iterable[Mapping]) -> tuple[Purpose, ...]:
    """Return purposes described as dicts; raises ValueError for a duplicate prefix or code, or a bad activity."""
    found = tuple(Purpose(item["code"], item["prefix"], item["activity"], int(item["minutes_per_visit"]),
                          item["label_id"], item.get("label_en") or item["label_id"]) for item in config)
    for attribute in ("code", "prefix"):
        values = [getattr(purpose, attribute) for purpose in found]
        if len(values) != len(set(values)):
            raise ValueError(f"every purpose needs its own {attribute}")
    for purpose in found:
        if purpose.activity not in (SUBMISSION, PICKUP):
            raise ValueError(f"unknown activity {purpose.activity!r} for purpose {purpose.code}")
        if purpose.minutes_per_visit <= 0:
            raise ValueError(f"purpose {purpose.code} needs a positive number of minutes per visit")
    return found


def hourly_slots(windows: Iterable[Window], minutes: int = SLOT_MINUTES) -> tuple[Window, ...]:
    """Return the windows cut into slots of `minutes` (a shorter last slot is kept): 08-10 gives 08-09, 09-10."""
    slots: list[Window] = []
    for window in windows:
        start = datetime.combine(date.min, window.start)
        end = datetime.combine(date.min, window.end)
        while start < end:
            stop = min(start + timedelta(minutes=minutes), end)
            slots.append(Window(start.time(), stop.time()))
            start = stop
    return tuple(slots)


def slots_on(calendar: OfficeCalendar, purpose: Purpose, day: date) -> tuple[Window, ...]:
    """Return the hourly slots of `purpose` on `day` after holidays and closures (empty when closed)."""
    return hourly_slots(calendar.plan(purpose.activity, day).windows)


def default_quota(counters_on_duty: int, purpose: Purpose, slot: Window) -> int:
    """Return how many visits fit in `slot`: counters on duty × the slot's minutes ÷ the minutes per visit."""
    minutes = (datetime.combine(date.min, slot.end) - datetime.combine(date.min, slot.start)).seconds // 60
    return max(0, counters_on_duty) * minutes // purpose.minutes_per_visit


@dataclass(frozen=True)
class QuotaFigures:
    """A supervisor's figures for a day or one window: counters on duty, or a fixed quota (which wins)."""

    counters: int | None = None
    quota: int | None = None


def quota_for(purpose: Purpose, slot: Window, usual_counters: int, day_figures: QuotaFigures | None = None,
              window_figures: QuotaFigures | None = None) -> int:
    """Return the quota of `slot`: the window's own figures, else the day's, else the usual counters on duty.

    A fixed quota wins over counters at the same level; counters give `default_quota`.
    """
    for figures in (window_figures, day_figures):
        if figures is None:
            continue
        if figures.quota is not None:
            return max(0, figures.quota)
        if figures.counters is not None:
            return default_quota(figures.counters, purpose, slot)
    return default_quota(usual_counters, purpose, slot)


def slot_containing(slots: Iterable[Window], moment: time) -> Window | None:
    """Return the slot that `moment` falls in (start inclusive, end exclusive), or None."""
    for slot in slots:
        if slot.start <= moment < slot.end:
            return slot
    return None


def check_issue(calendar: OfficeCalendar, purpose: Purpose, day: date, slot: Window, now: datetime,
                issued_in_slot: int, quota: int, nik_has_active_ticket: bool, walk_in: bool = False) -> None:
    """Return None when a ticket may be issued for `slot` on `day` at the instant `now`; raise TicketRefused.

    Online booking may choose any slot that has not ended yet; a walk-in (kiosk) ticket only the slot open
    now. Raises ValueError for a naive `now`.
    """
    if now.tzinfo is None:
        raise ValueError("the instant must carry a time zone")
    local = now.astimezone(calendar.tz)
    slots = slots_on(calendar, purpose, day)
    if not slots:
        raise TicketRefused("closed")
    if slot not in slots:
        raise TicketRefused("unknown_window")
    slot_end = datetime.combine(day, slot.end, calendar.tz)
    slot_start = datetime.combine(day, slot.start, calendar.tz)
    if slot_end <= local:
        raise TicketRefused("past")
    if walk_in and not slot_start <= local:
        raise TicketRefused("closed")
    if nik_has_active_ticket:
        raise TicketRefused("duplicate")
    if issued_in_slot >= quota:
        raise TicketRefused("full")


def ticket_label(prefix: str, number: int) -> str:
    """Return the number people see and hear: "A-001" (more digits only past 999)."""
    return f"{prefix}-{number:03d}"


@dataclass(frozen=True)
class QueuedTicket:
    """What the calling order needs to know of a waiting ticket."""

    id: int
    number: int
    channel: str
    slot_start: time


def call_order(waiting: Iterable[QueuedTicket], current_slot: Window | None,
               moment: time | None = None) -> list[QueuedTicket]:
    """Return waiting tickets in calling order: booked tickets of the current slot, then walk-ins, then the rest.

    Within each group tickets go by number. Booked tickets of later slots wait for their hour; outside every
    slot (before opening, say) `moment` decides what "later" is.
    """
    def rank(ticket: QueuedTicket) -> tuple[int, int]:
        in_slot = current_slot is not None and ticket.slot_start == current_slot.start
        if ticket.channel == ONLINE and in_slot:
            return (0, ticket.number)
        if ticket.channel == WALK_IN:
            return (1, ticket.number)
        if current_slot is not None and ticket.slot_start < current_slot.start:
            return (2, ticket.number)  # booked for an earlier hour and late: after walk-ins
        return (3, ticket.number)

    now = current_slot.start if current_slot is not None else moment

    def later(ticket: QueuedTicket) -> bool:
        return ticket.channel == ONLINE and now is not None and ticket.slot_start > now

    return [ticket for ticket in sorted(waiting, key=rank) if not later(ticket)]
