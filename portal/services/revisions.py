"""Revision counters that tell per-process caches when the data behind them changed.

Reading them costs a query, so each process reads them at most once every `REVISION_CHECK_SECONDS`
(default 1 s): a change made by another worker shows within that time, a change made by this process at once.
`recent` applies the same rule to any cheap aggregate that stands for data too busy for a counter row (the
queue's tickets, see `queue.version`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..models import Revision

CALENDAR = "calendar"  # day rules, notices and weekly hours
CATALOGUE = "catalogue"  # services and pickup places
QUOTAS = "quotas"  # a day's queue quotas and the usual counters on duty
QUEUE = "queue"  # the queue's tickets: not a counter row (too busy), an aggregate (`board.version`) with `recent`

_STATE = "loket_revisions"
_RECENT = "loket_recent"
_RECENT_KEPT = 64  # remembered values per process, dropped all at once beyond (a new day makes a new key)
T = TypeVar("T")


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


def recent(name: str, key: Hashable, read: Callable[[], T]) -> T:
    """Return `read()` for (`name`, `key`), calling it again at most once every `REVISION_CHECK_SECONDS` in this
    process, and at once after `touch(name)` here: what another worker changed shows within that time."""
    kept = current_app.extensions.setdefault(_RECENT, {})
    now = time.monotonic()
    found = kept.get((name, key))
    if found is not None and now - found[0] < current_app.config["REVISION_CHECK_SECONDS"]:
        return found[1]
    if len(kept) >= _RECENT_KEPT:
        kept.clear()
    value = read()
    kept[(name, key)] = (now, value)
    return value


def touch(name: str) -> None:
    """Make the next `recent(name, …)` in this process read again (this process just changed what it reads)."""
    kept = current_app.extensions.setdefault(_RECENT, {})
    for entry in [entry for entry in kept if entry[0] == name]:
        del kept[entry]
