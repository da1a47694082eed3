"""Database tables. Behaviour lives in `portal/domain` and `portal/services`; these are the stored facts."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    """Return the current instant in UTC (what every timestamp column stores)."""
    return datetime.now(timezone.utc)


class Region(db.Model):
    """A kecamatan or desa/kelurahan of the regency, by its Kemendagri code (`33.17.01.2001`)."""

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))  # kecamatan, desa, kelurahan
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    postal_code: Mapped[str | None] = mapped_column(String(5))


service_pickup_place = db.Table(
    "service_pickup_place",
    db.Column("service_code", ForeignKey("service.code", ondelete="CASCADE"), primary_key=True),
    db.Column("place_code", ForeignKey("pickup_place.code", ondelete="CASCADE"), primary_key=True),
)


class PickupPlace(db.Model):
    """Where finished documents can be collected (the Dinas, the public service mall, kecamatan offices)."""

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    prints_ktp: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Service(db.Model):
    """One service of the catalogue with what a resident must know, bring and upload.

    Texts come in Indonesian (`*_id`) and English (`*_en`); `requirements`, `documents` and `questions`
    are lists of small dicts as in `portal/seed/catalogue.json`.
    """

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    group: Mapped[str] = mapped_column(String(12), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_id: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    summary_id: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    applicant_id: Mapped[str] = mapped_column(Text, default="")
    applicant_en: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[list] = mapped_column(JSON, default=list)
    documents: Mapped[list] = mapped_column(JSON, default=list)
    questions: Mapped[list] = mapped_column(JSON, default=list)
    visit_required: Mapped[bool] = mapped_column(Boolean, default=False)
    visit_reason_id: Mapped[str] = mapped_column(Text, default="")
    visit_reason_en: Mapped[str] = mapped_column(Text, default="")
    output: Mapped[str] = mapped_column(String(20), default="self_print")  # or security_blank
    processing_time_id: Mapped[str] = mapped_column(Text, default="")
    processing_time_en: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[list] = mapped_column(JSON, default=list)
    notice_id: Mapped[str] = mapped_column(Text, default="")
    notice_en: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    pickup_places: Mapped[list[PickupPlace]] = relationship(
        secondary=service_pickup_place, order_by=PickupPlace.position, lazy="selectin")


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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Notice(db.Model):
    """A notice under the banner, for everyone or for one service, shown from `starts_on` to `ends_on`."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str | None] = mapped_column(String(300))
    service_code: Mapped[str | None] = mapped_column(ForeignKey("service.code", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Revision(db.Model):
    """A counter bumped by every change to what the public pages show, so caches know when to refresh."""

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
