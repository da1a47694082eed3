"""A village's collective files (batches) and its collective pickup manifests."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:  # for the annotations only; SQLAlchemy resolves the names through its registry
    from .applications import Application
    from .catalogue import Region


class MadeInDesa:
    """What a batch and a manifest share: a QR token, the desa, and the operator who made it."""

    verification_token: Mapped[str] = mapped_column(String(40), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_name: Mapped[str] = mapped_column(String(120), default="")


class Batch(MadeInDesa, db.Model):
    """A village's collective file (berkas kolektif): applications filed by its operators, submitted at once.

    `state` is what the operator did (open, submitted); how far the office got (partly ready, ready,
    collected) is read from the applications by `portal.domain.batch.progress`.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # "KOL-7K3M-Q9PX"
    state: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_name: Mapped[str] = mapped_column(String(120), default="")

    region: Mapped[Region] = relationship(lazy="joined")
    applications: Mapped[list[Application]] = relationship(back_populates="batch", order_by="Application.id")


manifest_item = db.Table(
    "manifest_item",
    db.Column("manifest_id", ForeignKey("pickup_manifest.id", ondelete="CASCADE"), primary_key=True),
    db.Column("application_id", ForeignKey("application.id", ondelete="CASCADE"), primary_key=True),
)


class PickupManifest(MadeInDesa, db.Model):
    """A collective pickup manifest: the desa's ready documents the operator will collect, with tick boxes.

    The clerk scans its code at `/petugas/serah` and hands the items over one by one.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # "AMB-7K3M-Q9PX"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region] = relationship(lazy="joined")
    applications: Mapped[list[Application]] = relationship(secondary=manifest_item, order_by="Application.id")
