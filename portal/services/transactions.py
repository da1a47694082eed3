"""One user action, one transaction: the `operation` decorator that services wrap their writes in.

A service function decorated with `operation` either commits its change (with its audit line, see
`audit.commit`) or, when anything in it raises — a refusal, a constraint the database enforces, a lost
connection — rolls the whole change back before the error reaches the view. Views then never call `commit`,
`rollback` or `audit.record` themselves; `tests/unit/test_layers.py` checks that.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from ..extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def operation(function: Callable[P, R]) -> Callable[P, R]:
    """Return `function` made atomic: whatever it raises, the session is rolled back first, then it propagates
    (the objects the view holds are expired, so they show the stored state again)."""

    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise

    return run


def abandon() -> None:
    """Roll back and discard the request's session after its database connection failed; quietly, since the
    connection may be gone. The next use of the session takes a fresh connection from the pool."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a dead connection cannot roll back; discarding it is what matters
        pass
    db.session.remove()
