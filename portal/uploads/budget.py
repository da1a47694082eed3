"""How many uploads one client, and one application, may send: each upload is decoded and re-encoded, which
costs CPU and memory, so a client cannot make the server do it without end.

Two budgets, both in the rate-limit store (shared by every worker when that store is Redis), counted before
the file is inspected, refused files included: `UPLOAD_LIMIT` per client address and
`UPLOAD_APPLICATION_LIMIT` per application (a consent letter, filed before its application exists, counts
for the client only). A resident filling one application, with a few retries per document, stays far below
both.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, request
from limits import parse_many

from ..extensions import budget_key, limiter
from .errors import UploadRejected


def _budgets(application_id: int | None) -> list[tuple]:
    """Return (limit item, identifiers) for every budget this upload spends."""
    config = current_app.config
    budgets = [(item, budget_key("uploads", request.remote_addr or "")) for item in parse_many(config["UPLOAD_LIMIT"])]
    if application_id is not None:
        budgets += [(item, budget_key("uploads-application", str(application_id)))
                    for item in parse_many(config["UPLOAD_APPLICATION_LIMIT"])]
    return budgets


def spend(application_id: int | None) -> None:
    """Count one upload from this client (and for `application_id`, when given).

    Raises UploadRejected("too_many", until=<UTC datetime>) without counting when a budget is spent.
    """
    budgets = _budgets(application_id)
    spent = [limiter.limiter.get_window_stats(item, *ids).reset_time for item, ids in budgets
             if not limiter.limiter.test(item, *ids)]
    if spent:
        raise UploadRejected("too_many", until=datetime.fromtimestamp(max(spent), timezone.utc))
    for item, ids in budgets:
        limiter.limiter.hit(item, *ids)
