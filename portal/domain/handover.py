"""The checks of a handover at the counter: is the collector the applicant, and does the moment need a reason.

Pure Python with the instant passed in. The clerk confirms the applicant by the NIK on the KTP-el in front of
them: its last four digits (typed in a second) or all sixteen, matched against the application's NIK. A
handover before the proposed pickup day, or while pickup is closed (outside its hours, on a closed day),
is allowed, but only with a reason, which goes in the audit log.
"""

from __future__ import annotations

import hmac
from datetime import date, datetime

from .hours import PICKUP, OfficeCalendar
from .nik import normalize

TAIL_DIGITS = 4
NIK_DIGITS = 16
EARLY, OUTSIDE_HOURS = "early", "outside_hours"


def typed_nik_kind(typed: str) -> str | None:
    """Return "tail" for four digits, "full" for sixteen (spaces, dots and dashes ignored), else None."""
    digits = normalize(typed)
    if not digits.isdigit():
        return None
    return {TAIL_DIGITS: "tail", NIK_DIGITS: "full"}.get(len(digits))


def nik_matches(nik: str, typed: str) -> bool:
    """Return True when `typed` (the last four digits or the whole NIK) matches the applicant's `nik`.

    Anything of another shape, and an application without a NIK, never matches. The comparison takes the
    same time whatever digit differs.
    """
    kind = typed_nik_kind(typed)
    if kind is None or len(nik or "") != NIK_DIGITS:
        return False
    digits = normalize(typed)
    expected = nik[-TAIL_DIGITS:] if kind == "tail" else nik
    return hmac.compare_digest(digits.encode(), expected.encode())


def reasons_needed(calendar: OfficeCalendar, now: datetime, pickup_day: date | None) -> tuple[str, ...]:
    """Return why handing over at the aware instant `now` needs a reason: EARLY before `pickup_day` (in the
    office's zone), OUTSIDE_HOURS when pickup is closed at `now`; () for a handover on time.

    Raises ValueError for a naive `now`.
    """
    if now.tzinfo is None:
        raise ValueError("the instant must carry a time zone")
    found = []
    if pickup_day is not None and now.astimezone(calendar.tz).date() < pickup_day:
        found.append(EARLY)
    if not calendar.status(PICKUP, now).open:
        found.append(OUTSIDE_HOURS)
    return tuple(found)
