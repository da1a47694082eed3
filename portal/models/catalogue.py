"""What residents choose from: regions, pickup places and the services of the catalogue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, JSON, String, Text, true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


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
    # A place no longer used is switched off, not deleted: applications keep pointing at it.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())


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
    # Whether a person collecting for the applicant must show a letter of authority (surat kuasa) signed by them.
    proxy_letter: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    processing_time_id: Mapped[str] = mapped_column(Text, default="")
    processing_time_en: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[list] = mapped_column(JSON, default=list)
    notice_id: Mapped[str] = mapped_column(Text, default="")
    notice_en: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    pickup_places: Mapped[list[PickupPlace]] = relationship(
        secondary=service_pickup_place, order_by=PickupPlace.position, lazy="selectin")
