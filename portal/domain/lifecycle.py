"""The application lifecycle: which state may follow which, and who may make each move.

    draft → submitted → in_review → (needs_correction → submitted) → approved → ready → collected
    draft or submitted → cancelled (by the applicant, before review); in_review → rejected (with a reason)

Every move is returned as a `Transition` for the caller to record (who, when, why); a refused move raises
`TransitionRefused` with a code the interface turns into a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
NEEDS_CORRECTION = "needs_correction"
APPROVED = "approved"
READY = "ready"
COLLECTED = "collected"
REJECTED = "rejected"
CANCELLED = "cancelled"

STATES = (DRAFT, SUBMITTED, IN_REVIEW, NEEDS_CORRECTION, APPROVED, READY, COLLECTED, REJECTED, CANCELLED)
FINAL = frozenset({COLLECTED, REJECTED, CANCELLED})

APPLICANT = "applicant"  # the resident, or the village operator filing for them
CLERK = "clerk"
SYSTEM = "system"

# (from, to) -> who may make the move
ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    (DRAFT, SUBMITTED): frozenset({APPLICANT}),
    (DRAFT, CANCELLED): frozenset({APPLICANT, SYSTEM}),
    (SUBMITTED, CANCELLED): frozenset({APPLICANT}),
    (SUBMITTED, IN_REVIEW): frozenset({CLERK}),
    (IN_REVIEW, SUBMITTED): frozenset({CLERK}),  # a clerk releases an application untouched
    (IN_REVIEW, NEEDS_CORRECTION): frozenset({CLERK}),
    (IN_REVIEW, APPROVED): frozenset({CLERK}),
    (IN_REVIEW, REJECTED): frozenset({CLERK}),
    (NEEDS_CORRECTION, SUBMITTED): frozenset({APPLICANT}),
    (APPROVED, READY): frozenset({CLERK}),
    (READY, COLLECTED): frozenset({CLERK, SYSTEM}),  # handed over; or a self-printed document downloaded
}
NEEDS_REASON = frozenset({NEEDS_CORRECTION, REJECTED})


class TransitionRefused(Exception):
    """A move the lifecycle does not allow; `code` says why ("final", "not_allowed", "actor", "reason")."""

    def __init__(self, code: str, current: str, target: str):
        super().__init__(f"{current} → {target}: {code}")
        self.code, self.current, self.target = code, current, target


@dataclass(frozen=True)
class Transition:
    """One recorded move: from, to, who (kind and name), when, why."""

    from_state: str
    to_state: str
    actor: str
    at: datetime
    reason: str = ""
    actor_name: str = ""


def transition(current: str, target: str, actor: str, at: datetime, reason: str = "",
               actor_name: str = "") -> Transition:
    """Return the move from `current` to `target` made by `actor` at `at`.

    Raises TransitionRefused: "final" from an ended application, "not_allowed" for a move the lifecycle
    lacks, "actor" when this kind of actor may not make it, "reason" when a correction request or a
    rejection comes without a reason. Raises ValueError for an unknown state or a naive `at`.
    """
    for state in (current, target):
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
    if at.tzinfo is None:
        raise ValueError("the time of a transition must carry a time zone")
    if current in FINAL:
        raise TransitionRefused("final", current, target)
    allowed = ALLOWED.get((current, target))
    if allowed is None:
        raise TransitionRefused("not_allowed", current, target)
    if actor not in allowed:
        raise TransitionRefused("actor", current, target)
    if target in NEEDS_REASON and not reason.strip():
        raise TransitionRefused("reason", current, target)
    return Transition(current, target, actor, at, reason.strip(), actor_name)


def can(current: str, target: str, actor: str) -> bool:
    """Return True when `actor` may move an application from `current` to `target`."""
    return current not in FINAL and actor in ALLOWED.get((current, target), frozenset())
