"""What the lobby board (`/papan`) and the counter read of today's queue: who is served at each counter, the
last tickets called, and how many wait per purpose; and a cheap version that changes whenever that would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select

from ..domain import queue as rules
from ..extensions import db
from ..models import QueueTicket
from .queue import purposes, today

LAST_CALLED = 5


@dataclass(frozen=True)
class Board:
    """What the lobby board shows: the ticket at each counter, the last called, who waits per purpose."""

    serving: list[QueueTicket]
    last_called: list[QueueTicket]
    waiting: dict[str, int]


_VERSION = select(
    func.count(), func.max(QueueTicket.id), func.count(QueueTicket.called_at), func.count(QueueTicket.finished_at),
    func.coalesce(func.sum(QueueTicket.recalls), 0)).where(QueueTicket.day == bindparam("day"))


def board_version(now: datetime) -> tuple:
    """Return what changes whenever today's board would: one aggregate over today's tickets, counting those
    issued, called and finished and the re-calls (every move of a ticket adds to one of them, even two moves
    at the same instant). Cheap next to `board`: one indexed query, no rows loaded, its statement built once."""
    return tuple(db.session.execute(_VERSION, {"day": today(now)}).one())


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
