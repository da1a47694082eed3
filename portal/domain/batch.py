"""Village batches (berkas kolektif): what may be submitted, and how far the office got with one.

    open → submitted → (partly) ready → collected

A batch belongs to one desa and holds that desa's applications filed by its operators; an application
belongs to at most one batch. The operator opens, fills and submits it; submitting is all-or-nothing: every
application must be a complete draft. After that, the batch's progress is read from its applications.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from . import lifecycle

OPEN = "open"
SUBMITTED = "submitted"

# What a submitted batch shows, read from its applications.
IN_PROCESS = "submitted"
PARTLY_READY = "partly_ready"
READY = "ready"
COLLECTED = "collected"
ENDED = "ended"  # every application was rejected or cancelled

_ENDED_WITHOUT_DOCUMENT = frozenset({lifecycle.REJECTED, lifecycle.CANCELLED})


@dataclass(frozen=True)
class Member:
    """What the submission check needs to know of one application in a batch."""

    reference: str
    name: str
    state: str
    missing: tuple[str, ...] = ()  # slugs of required steps still unanswered
    duplicate: str | None = None  # why it may not be sent beside an open one of its NIK (see domain.duplicates)


@dataclass(frozen=True)
class Problem:
    """Why one application (or, with `reference` "", the batch) blocks submitting.

    `code`: "empty" (no application), "not_draft" (already submitted, cancelled…), "incomplete" (see `missing`),
    "duplicate" (its NIK has another open application of the service, and no reason was given for this one).
    """

    code: str
    reference: str = ""
    name: str = ""
    missing: tuple[str, ...] = ()


def submission_problems(members: Iterable[Member]) -> list[Problem]:
    """Return every reason the batch cannot be submitted now, in the batch's order; [] means it can."""
    members = list(members)
    if not members:
        return [Problem("empty")]
    problems = []
    for member in members:
        if member.state != lifecycle.DRAFT:
            problems.append(Problem("not_draft", member.reference, member.name))
            continue
        if member.missing:
            problems.append(Problem("incomplete", member.reference, member.name, tuple(member.missing)))
        if member.duplicate:
            problems.append(Problem("duplicate", member.reference, member.name))
    return problems


def progress(stored_state: str, member_states: Iterable[str]) -> str:
    """Return how far a batch got: open, submitted, partly_ready, ready, collected or ended.

    Rejected and cancelled applications are left out of the reckoning: a batch whose other applications are
    all collected is collected. Raises ValueError for an unknown stored state.
    """
    if stored_state == OPEN:
        return OPEN
    if stored_state != SUBMITTED:
        raise ValueError(f"unknown batch state {stored_state!r}")
    live = [state for state in member_states if state not in _ENDED_WITHOUT_DOCUMENT]
    if not live:
        return ENDED
    done = [state for state in live if state in (lifecycle.READY, lifecycle.COLLECTED)]
    if len(done) < len(live):
        return PARTLY_READY if done else IN_PROCESS
    return COLLECTED if all(state == lifecycle.COLLECTED for state in live) else READY
