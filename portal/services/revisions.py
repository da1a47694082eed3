"""Revision counters that tell per-process caches when the data behind them changed.

Reading them costs a query, so each process reads them at most once every `REVISION_CHECK_SECONDS`
(default 1 s): a change made by another worker shows within that time, a change made by this process at once.
"""

from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..models import Revision

CALENDAR = "calendar"  # day rules, notices and weekly hours
CATALOGUE = "catalogue"  # services and pickup places
QUOTAS = "quotas"  # a day's queue quotas and the usual counters on duty

_STATE = "loket_revisions"


def snapshot() -> tuple[tuple[str, int], ...]:
    """Return every counter as sorted (name, value) pairs, re-read when the last read is too old."""
    state = current_app.extensions.setdefault(_STATE, {"checked": 0.0, "values": ()})
    now = time.monotonic()
    if now - state["checked"] >= current_app.config["REVISION_CHECK_SECONDS"]:
        rows = db.session.execute(select(Revision.name, Revision.value).order_by(Revision.name)).all()
        state["values"] = tuple((name, value) for name, value in rows)
        state["checked"] = now
    return state["values"]


def current(name: str) -> int:
    """Return the counter `name` (0 when it has never been bumped)."""
    return dict(snapshot()).get(name, 0)


def bump(name: str) -> None:
    """Add one to the counter `name` in the current transaction (the caller commits).

    This process forgets what it last read, so its next read sees the change.
    """
    changed = db.session.execute(update(Revision).where(Revision.name == name).values(value=Revision.value + 1))
    if changed.rowcount == 0:
        db.session.add(Revision(name=name, value=1))
    forget()


def forget() -> None:
    """Make the next `snapshot()` in this process read the database."""
    current_app.extensions.setdefault(_STATE, {"checked": 0.0, "values": ()})["checked"] = 0.0
