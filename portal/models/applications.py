"""Applications with their documents and history, and the handover of what is ready."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Integer, JSON, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:  # for the annotations only; SQLAlchemy resolves the names through its registry
    from .accounts import User
    from .catalogue import PickupPlace, Region, Service
    from .village import Batch


class Application(db.Model):
    """One application for a service, from its draft to its end.

    The PIN is stored only as a hash. `version` grows with every change a receipt shows, so a cached
    receipt of an unchanged application is served again without rendering.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    verification_token: Mapped[str] = mapped_column(String(40), unique=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("service.code"), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True, default="draft")
    channel: Mapped[str] = mapped_column(String(12), default="resident")  # resident, village, counter
    nik: Mapped[str | None] = mapped_column(String(16), index=True)
    full_name: Mapped[str | None] = mapped_column(String(120))
    birth_date: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    address_line: Mapped[str | None] = mapped_column(String(200))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    accepted_warnings: Mapped[list] = mapped_column(JSON, default=list)
    skipped_documents: Mapped[list] = mapped_column(JSON, default=list)  # optional uploads left out
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The office's side: who is reviewing it, and where and when it can be collected once ready.
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pickup_place_code: Mapped[str | None] = mapped_column(ForeignKey("pickup_place.code"))
    pickup_date: Mapped[date | None] = mapped_column(Date, index=True)
    pickup_window: Mapped[str | None] = mapped_column(String(11))  # "08:00-09:00"
    output_stored_name: Mapped[str | None] = mapped_column(String(80))  # the signed PDF of a self-print service
    # Filed by a village operator on the resident's behalf: who, how the resident consented, and the batch.
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    consent: Mapped[str | None] = mapped_column(String(12))  # in_person, signed_form
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id", ondelete="SET NULL"), index=True)
    # Sent while the same NIK had other open applications for the same service: how many, and why another
    # was needed (the applicant's or operator's words; kept on a draft once given, cleared when it was not).
    duplicates_when_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    duplicate_reason: Mapped[str | None] = mapped_column(String(300))
    # Sort key of the inbox: the submission instant, then the id (keyset pagination).
    __table_args__ = (
        db.Index("ix_application_inbox", "state", "submitted_at", "id"),
        db.Index("ix_application_inbox_service", "service_code", "state", "submitted_at", "id"),
        db.Index("ix_application_inbox_region", "region_code", "state", "submitted_at", "id"),
        db.Index("ix_application_inbox_counts", "state", "service_code", "region_code"),  # counts per status
        db.Index("ix_application_submitted", "submitted_at", "id"),  # "every status", oldest first
        db.Index("ix_application_nik_service", "nik", "service_code", "state"),  # open ones of a NIK and service
    )

    service: Mapped[Service] = relationship(lazy="joined")
    region: Mapped[Region | None] = relationship(lazy="joined")
    pickup_place: Mapped[PickupPlace | None] = relationship(lazy="joined")
    assignee: Mapped["User | None"] = relationship(foreign_keys=[assigned_to], lazy="joined")
    filer: Mapped["User | None"] = relationship(foreign_keys=[filed_by])
    batch: Mapped["Batch | None"] = relationship(back_populates="applications")
    handover: Mapped["Handover | None"] = relationship(back_populates="application", cascade="all, delete-orphan")
    documents: Mapped[list["ApplicationDocument"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationDocument.id")
    events: Mapped[list["ApplicationEvent"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationEvent.id")


# Name search in the inbox: a prefix of the lower-cased name.
db.Index("ix_application_name", func.lower(Application.full_name))


class ApplicationDocument(db.Model):
    """A scan or photo uploaded for one required document, stored under a random name outside `static/`."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    mimetype: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))  # image, pdf
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default="received")  # received, accepted, needs_fix
    fix_reason: Mapped[str] = mapped_column(String(300), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="documents")


class ApplicationEvent(db.Model):
    """One step of an application's history: a state change (or a note), who made it, when and why."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(20))  # applicant, clerk, system
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")

    application: Mapped[Application] = relationship(back_populates="events")


class Handover(db.Model):
    """The handing over of a ready document: to whom (the applicant or an authorised person), when, by whom."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    clerk_name: Mapped[str] = mapped_column(String(120), default="")
    collector: Mapped[str] = mapped_column(String(12))  # applicant, authorised, operator
    collector_name: Mapped[str] = mapped_column(String(120))
    relation: Mapped[str] = mapped_column(String(60), default="")
    id_number: Mapped[str] = mapped_column(String(20), default="")  # NIK of an authorised collector
    slip_token: Mapped[str] = mapped_column(String(40), unique=True)
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("pickup_manifest.id", ondelete="SET NULL"),
                                                    index=True)  # handed over from a collective manifest

    application: Mapped[Application] = relationship(back_populates="handover")
