"""Walk-in tickets at the kiosk: which purposes can take a ticket right now, and issuing one.

A walk-in ticket is only for the hourly window open at this moment (the queue rules refuse any other), so
the kiosk offers a purpose only while its window is open and has quota left, and says why otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain import queue as rules
from ..domain.hours import Window
from ..models import QueueTicket
from ..services import calendar, queue, quotas

OPEN, CLOSED, FULL = "open", "closed", "full"


@dataclass(frozen=True)
class WalkInChoice:
    """One purpose as the kiosk offers it now: its window open now (if any), the quota left, and a verdict."""

    purpose: rules.Purpose
    window: Window | None
    left: int
    verdict: str  # OPEN, CLOSED or FULL

    @property
    def available(self) -> bool:
        """Return True when a ticket can be taken for this purpose now."""
        return self.verdict == OPEN


def window_now(purpose: rules.Purpose, now: datetime) -> Window | None:
    """Return the purpose's hourly window that `now` falls in today, or None when it is not open now."""
    moment = now.astimezone(calendar.office_zone()).time()
    return rules.slot_containing(queue.slots(purpose, queue.today(now)), moment)


def choices(now: datetime) -> list[WalkInChoice]:
    """Return every configured purpose with whether a walk-in ticket can be taken for it at `now`."""
    day = queue.today(now)
    table = {(found.code, window): (quota, taken) for found, window, quota, taken in quotas.quota_table(day)}
    found_choices = []
    for purpose in queue.purposes():
        window = window_now(purpose, now)
        if window is None:
            found_choices.append(WalkInChoice(purpose, None, 0, CLOSED))
            continue
        quota, taken = table.get((purpose.code, window), (0, 0))
        left = max(0, quota - taken)
        found_choices.append(WalkInChoice(purpose, window, left, OPEN if left else FULL))
    return found_choices


def issue(purpose: rules.Purpose, now: datetime) -> QueueTicket:
    """Issue and commit a walk-in ticket (no NIK) for the purpose's window open at `now`; return it.

    Raises TicketRefused: "closed" when no window of the purpose is open now, else whatever `queue.issue`
    refuses ("full", "past", …).
    """
    window = window_now(purpose, now)
    if window is None:
        raise rules.TicketRefused("closed")
    return queue.issue(purpose, queue.today(now), window, now, channel=rules.WALK_IN, nik=None)
