"""Revision counters that tell per-process caches when the data behind them changed."""

from __future__ import annotations

from sqlalchemy import select, update

from ..extensions import db
from ..models import Revision

CALENDAR = "calendar"  # day rules and notices
CATALOGUE = "catalogue"  # services and pickup places


def current(name: str) -> int:
    """Return the counter `name` (0 when it has never been bumped). One indexed read."""
    value = db.session.execute(select(Revision.value).where(Revision.name == name)).scalar()
    return value or 0


def bump(name: str) -> None:
    """Add one to the counter `name` in the current transaction (the caller commits)."""
    changed = db.session.execute(update(Revision).where(Revision.name == name).values(value=Revision.value + 1))
    if changed.rowcount == 0:
        db.session.add(Revision(name=name, value=1))
