"""What the review page (`/petugas/<reference>`) offers a clerk for one application, decided in Python so the
template only reads flags."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user

from ..domain import lifecycle
from ..models import Application


@dataclass(frozen=True)
class ReviewFlags:
    """What the review page offers this clerk for this application, decided here rather than in the template.

    `status` says which status line shows: "reviewing" (by the clerk named), "waiting", "correction", "pickup"
    (ready, with its pickup day and receipts) or "" (none). The rest are what the page shows or offers.
    """

    status: str
    can_take: bool
    can_release: bool
    awaiting_output: bool  # approved: upload the signed PDF (self-printed) or mark it ready
    shows_pickup: bool  # ready or collected: where and when it is (or was) picked up
    reviewing: bool  # submitted or in review: scans shown at full size, verdicts asked


def review_flags(application: Application, mine: bool, self_printed: bool, take_url: str | None,
                 release_url: str | None) -> ReviewFlags:
    """Return the review page's flags for `application` as the signed-in clerk sees it."""
    state = application.state
    if state == lifecycle.IN_REVIEW and application.assignee:
        status = "reviewing"
    elif state == lifecycle.SUBMITTED:
        status = "waiting"
    elif state == lifecycle.NEEDS_CORRECTION:
        status = "correction"
    elif state == lifecycle.READY and not self_printed and application.pickup_date:
        status = "pickup"
    else:
        status = ""
    return ReviewFlags(
        status=status,
        can_take=state == lifecycle.SUBMITTED and not application.assigned_to and bool(take_url),
        can_release=(state == lifecycle.IN_REVIEW and bool(release_url)
                     and (mine or current_user.manages_office)),
        awaiting_output=state == lifecycle.APPROVED,
        shows_pickup=state in (lifecycle.READY, lifecycle.COLLECTED),
        reviewing=state in (lifecycle.SUBMITTED, lifecycle.IN_REVIEW))
