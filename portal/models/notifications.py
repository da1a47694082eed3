"""The outbox of messages to residents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class Notification(db.Model):
    """One message to a resident about their application, in the outbox until a sender delivers it.

    `event` is what happened (correction, approved, ready, collected, rejected); `channel` how it goes (sms,
    email) and `recipient` where (+62 number or address). `state`: queued (waiting, or retried after a failed
    attempt at `next_attempt_at`), sent, or failed (gave up after the last attempt; `last_error` says why).
    """

    __table_args__ = (db.Index("ix_notification_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The message belongs to its application: only drafts are ever deleted, and drafts are never notified.
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")
