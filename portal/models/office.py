"""The office's own decisions: day rules, weekly hours, notices, and the revision counters of caches."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, JSON, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class DayRule(db.Model):
    """An office decision for one date: closed with a reason, or opened (e.g. on a cuti bersama day).

    `activity` NULL covers both submission and pickup; `windows` is a list of "HH:MM-HH:MM" strings, empty
    meaning that weekday's regular windows.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    activity: Mapped[str | None] = mapped_column(String(12))
    opens: Mapped[bool] = mapped_column(Boolean, default=False)
    windows: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OfficeHours(db.Model):
    """The office's regular windows for one activity on one weekday, set in `/admin/jam`.

    `windows` is a list of "HH:MM-HH:MM" strings; empty means closed that weekday. While the table holds no
    row for an activity, that activity's hours come from the `OFFICE_HOURS` setting.
    """

    activity: Mapped[str] = mapped_column(String(12), primary_key=True)
    weekday: Mapped[str] = mapped_column(String(3), primary_key=True)  # mon..sun
    windows: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Notice(db.Model):
    """A notice under the banner, for everyone or for one service, shown from `starts_on` to `ends_on`."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str | None] = mapped_column(String(300))
    service_code: Mapped[str | None] = mapped_column(ForeignKey("service.code", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Revision(db.Model):
    """A counter bumped by every change to what the public pages show, so caches know when to refresh."""

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
