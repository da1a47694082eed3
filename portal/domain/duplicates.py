"""One open application per NIK and service: which applications count as open, and when another may be sent.

An application is open from the moment it is sent until it ends: submitted, in review, waiting for a
correction, approved or ready. A draft that was never sent is not open (a resident may start again, and
unsent drafts expire); collected, rejected and cancelled ones have ended. Sending one more while the same
NIK has an open application for the same service is allowed only with a reason (say, the card of another
family member), which goes with the application and into the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Iterable

from . import lifecycle

OPEN = frozenset({lifecycle.SUBMITTED, lifecycle.IN_REVIEW, lifecycle.NEEDS_CORRECTION, lifecycle.APPROVED,
                  lifecycle.READY})
REASON_MAX = 300
REASON_MIN = 5  # "ok", "-" or "…" says nothing a clerk can check


def is_open(state: str) -> bool:
    """Return True when an application in `state` is open (sent and not ended)."""
    return state in OPEN


def clean_reason(text: str | None) -> str:
    """Return the reason as it is stored: its words separated by single spaces ("" for none)."""
    return " ".join((text or "").split())


def reason_problem(others: int, reason: str | None) -> str | None:
    """Return why an application may not be sent with `reason` while `others` open applications of the same
    NIK and service exist: "missing" (no reason, or one too short to say anything), "too_long"
    (over REASON_MAX characters); None when it may be sent (always when `others` is 0)."""
    if others <= 0:
        return None
    reason = clean_reason(reason)
    if len(reason) < REASON_MIN:
        return "missing"
    if len(reason) > REASON_MAX:
        return "too_long"
    return None


@dataclass(frozen=True)
class Candidate:
    """An application about to be sent: its reference, its (NIK, service) key and the reason it carries."""

    reference: str
    key: Hashable
    reason: str = ""


def duplicates_on_send(candidates: Iterable[Candidate], open_counts: dict) -> dict[str, int]:
    """Return, for every candidate sent together (in order, e.g. a village batch), how many open applications
    of its key it meets: those already open (`open_counts` by key) plus the candidates before it with the
    same key, which are open by the time it is sent. A candidate without a key (no NIK yet) meets none."""
    seen: dict = {}
    found: dict[str, int] = {}
    for candidate in candidates:
        if candidate.key is None:
            found[candidate.reference] = 0
            continue
        found[candidate.reference] = open_counts.get(candidate.key, 0) + seen.get(candidate.key, 0)
        seen[candidate.key] = seen.get(candidate.key, 0) + 1
    return found
