"""Practice mode's stored state: the practice clock, one row that every worker reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class PracticeClock(db.Model):
    """How far the practice clock is from the real one (`shift_seconds`), who set it and when (real time).

    Only a practice database holds a row; without one the practice clock is the real clock.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shift_seconds: Mapped[int] = mapped_column(Integer, default=0)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    set_by: Mapped[str] = mapped_column(String(120), default="")
