"""What the lobby board (`/papan`) and the counter read of today's queue: who is served at each counter, the
last tickets called, and how many wait per purpose; and `version`, a cheap aggregate that changes whenever any
queue page would (the board, the booking steps, a ticket's page), remembered per process for a moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select

from ..domain import queue as rules
from ..extensions import db
from ..models import QueueTicket
from . import revisions
from .queue import NOT_COUNTED, purposes, today

LAST_CALLED = 5


@dataclass(frozen=True)
class Board:
    """What the lobby board shows: the ticket at each counter, the last called, who waits per purpose."""

    serving: list[QueueTicket]
    last_called: list[QueueTicket]
    waiting: dict[str, int]


_VERSION = select(
    func.count().filter(QueueTicket.state.not_in(NOT_COUNTED)), func.max(QueueTicket.id),
    func.count().filter(QueueTicket.day == bindparam("today")),
    func.count(QueueTicket.called_at).filter(QueueTicket.day == bindparam("today")),
    func.count(QueueTicket.finished_at).filter(QueueTicket.day == bindparam("today")),
    func.coalesce(func.sum(QueueTicket.recalls).filter(QueueTicket.day == bindparam("today")), 0),
).where(QueueTicket.day >= bindparam("today"))


def version(now: datetime) -> tuple:
    """Return what changes whenever a queue page would: from today on, the tickets counted against the quotas
    and the newest ticket's id (one cancelled and one issued still make a new version); today, the tickets
    issued, called and finished and the re-calls (every move of a ticket adds to one of them).

    One indexed aggregate, read at most once every `REVISION_CHECK_SECONDS` per process and at once after a
    ticket is written here (`queue` touches `revisions.QUEUE`): a booking or a call in another worker shows
    within that time. The booking steps, the ticket page and the lobby board key their caches on it.
    """
    day = today(now)
    return revisions.recent(revisions.QUEUE, day,
                            lambda: tuple(db.session.execute(_VERSION, {"today": day}).one()))


def board(now: datetime) -> Board:
    """Return today's board: the ticket at each counter, the last five called, and who waits per purpose."""
    day = today(now)
    serving = db.session.scalars(select(QueueTicket).where(
        QueueTicket.day == day, QueueTicket.state == rules.CALLED).order_by(QueueTicket.counter)).all()
    last = db.session.scalars(select(QueueTicket).where(
        QueueTicket.day == day, QueueTicket.called_at.is_not(None))
        .order_by(QueueTicket.called_at.desc(), QueueTicket.id.desc()).limit(LAST_CALLED)).all()
    waiting = dict(db.session.execute(select(QueueTicket.purpose_code, func.count()).where(
        QueueTicket.day == day, QueueTicket.state == rules.WAITING).group_by(QueueTicket.purpose_code)).all())
    return Board(list(serving), list(last), {found.code: waiting.get(found.code, 0) for found in purposes()})
