"""Collective pickup manifests (manifes pengambilan): a desa's ready documents that its operator collects at
once, listed with tick boxes, and handed over by the office item by item.

Only what the office hands over in person goes on a manifest: a village application of the desa, ready, with a
pickup place and day (a self-printed document the resident downloads has neither). The operator makes one
from the desa's ready documents; "print all for a day" makes one per desa for the clerk, reusing a manifest
with exactly the same items so printing twice makes no duplicate.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain import lifecycle
from ..domain.reference import new_reference, normalize_reference
from ..extensions import db
from ..models import Application, Handover, PickupManifest, PickupPlace, User, manifest_item

PREFIX = "AMB"


class ManifestRefused(Exception):
    """A manifest that cannot be made; `code` says why, `reference` names the application concerned.

    Codes: "empty" (no application chosen), "other_desa" (unknown, or not filed by this desa), "not_ready"
    (not ready, or already handed over), "self_printed" (a document the resident downloads, nothing to collect).
    """

    def __init__(self, code: str, reference: str = ""):
        super().__init__(f"{code}: {reference}" if reference else code)
        self.code, self.reference = code, reference


@dataclass(frozen=True)
class Item:
    """One line of a manifest: the application and, once handed over, its handover."""

    application: Application
    handover: Handover | None

    @property
    def collected(self) -> bool:
        """Return True once the document left the office (by this manifest or otherwise)."""
        return self.application.state == lifecycle.COLLECTED

    @property
    def ready(self) -> bool:
        """Return True while the document waits at the office to be handed over."""
        return self.application.state == lifecycle.READY


def _desa_operators(region_code: str):
    return select(User.id).where(User.role == "operator", User.region_code == region_code)


def _village_of(region_code: str):
    """Return the condition "a village application filed by an operator of `region_code`"."""
    return (Application.channel == "village") & Application.filed_by.in_(_desa_operators(region_code))


def _pickable():
    """Return the condition "ready and collected in person" (a pickup place and day; no downloadable output)."""
    return ((Application.state == lifecycle.READY) & Application.pickup_place_code.is_not(None)
            & Application.pickup_date.is_not(None))


def ready_of_desa(region_code: str) -> list[Application]:
    """Return the desa's village applications ready to be collected in person, by pickup day, then reference."""
    return list(db.session.scalars(select(Application).where(_village_of(region_code), _pickable())
                                   .order_by(Application.pickup_date, Application.reference)))


def refusal(region_code: str, application: Application | None) -> str | None:
    """Return why `application` cannot go on a manifest of `region_code` (a ManifestRefused code), or None."""
    if (application is None or application.channel != "village" or application.filer is None
            or application.filer.region_code != region_code):
        return "other_desa"
    if application.state == lifecycle.READY and application.output_stored_name and not application.pickup_place_code:
        return "self_printed"
    if application.state != lifecycle.READY or application.pickup_place_code is None or application.pickup_date is None:
        return "not_ready"
    return None


def create(operator: User, references: Iterable[str], now: datetime) -> PickupManifest:
    """Make and commit a manifest of the operator's desa from the chosen references; return it.

    Raises ManifestRefused("empty") when none is chosen, or the first refusal found ("other_desa",
    "not_ready", "self_printed") naming its reference; nothing is written then.
    """
    chosen, seen = [], set()
    for text in references:
        application = _find(text)
        code = refusal(operator.region_code, application)
        if code:
            raise ManifestRefused(code, application.reference if application is not None else text.strip()[:20])
        if application.id not in seen:
            seen.add(application.id)
            chosen.append(application)
    if not chosen:
        raise ManifestRefused("empty")
    return _store(operator.region_code, operator, chosen, now)


def for_day(clerk: User, day: date, now: datetime) -> list[PickupManifest]:
    """Return one manifest per desa with village applications ready for pickup on `day`, by desa name.

    A desa's existing manifest with exactly those items is reused; otherwise one is made, created by `clerk`,
    and committed (so its QR works at the handover page).
    """
    rows = db.session.execute(
        select(Application, User.region_code).join(User, Application.filed_by == User.id)
        .join(PickupPlace, Application.pickup_place_code == PickupPlace.code)
        .where(Application.channel == "village", User.role == "operator", User.region_code.is_not(None),
               _pickable(), Application.pickup_date == day)
        .order_by(PickupPlace.position, Application.reference)).all()
    by_desa: dict[str, list[Application]] = {}
    for application, region_code in rows:
        by_desa.setdefault(region_code, []).append(application)
    manifests = [_same_items(region_code, chosen) or _store(region_code, clerk, chosen, now)
                 for region_code, chosen in by_desa.items()]
    return sorted(manifests, key=lambda manifest: (manifest.region.name if manifest.region else "", manifest.id))


def _same_items(region_code: str, chosen: list[Application]) -> PickupManifest | None:
    """Return the desa's newest manifest holding exactly `chosen`, or None."""
    wanted = {application.id for application in chosen}
    candidates = db.session.scalars(
        select(PickupManifest).join(manifest_item, manifest_item.c.manifest_id == PickupManifest.id)
        .where(PickupManifest.region_code == region_code, manifest_item.c.application_id.in_(wanted))
        .distinct().order_by(PickupManifest.id.desc()))
    for manifest in candidates:
        if {application.id for application in manifest.applications} == wanted:
            return manifest
    return None


def _store(region_code: str, creator: User, chosen: list[Application], now: datetime) -> PickupManifest:
    """Write a manifest of `chosen` for `region_code` made by `creator`, commit and return it."""
    ids = [application.id for application in chosen]
    for _attempt in range(5):
        manifest = PickupManifest(code=new_reference(PREFIX), verification_token=secrets.token_urlsafe(18),
                                  region_code=region_code, created_by=creator.id,
                                  created_by_name=creator.full_name, created_at=now)
        manifest.applications = list(db.session.scalars(select(Application).where(Application.id.in_(ids))))
        db.session.add(manifest)
        try:
            db.session.commit()
            return manifest
        except IntegrityError:  # a code or token collided: draw again
            db.session.rollback()
    raise RuntimeError("could not draw a unique manifest code")


def _find(text: str) -> Application | None:
    from . import applications

    return applications.find(text or "")


def of_desa(region_code: str) -> list[PickupManifest]:
    """Return a desa's manifests, newest first."""
    return list(db.session.scalars(select(PickupManifest).where(PickupManifest.region_code == region_code)
                                   .order_by(PickupManifest.created_at.desc(), PickupManifest.id.desc())))


def by_code(text: str) -> PickupManifest | None:
    """Return the manifest with the typed code ("AMB-7K3M-Q9PX", forgiving case, dashes, look-alikes), or None."""
    code = normalize_reference(text, PREFIX)
    if code is None:
        return None
    return db.session.scalars(select(PickupManifest).where(PickupManifest.code == code)).first()


def by_verification_token(token: str) -> PickupManifest | None:
    """Return the manifest a printed manifest's QR token belongs to, or None."""
    if not token or len(token) > 40:
        return None
    return db.session.scalars(select(PickupManifest).where(PickupManifest.verification_token == token)).first()


def items(manifest: PickupManifest) -> list[Item]:
    """Return the manifest's lines in reference order, each with its handover (whoever recorded it)."""
    return [Item(application, application.handover)
            for application in sorted(manifest.applications, key=lambda a: a.reference)]


def collector_name(manifest: PickupManifest) -> str:
    """Return who collects for the desa: the operator who made the manifest, else the desa's first active
    operator (a manifest the office printed), else ""."""
    creator = db.session.get(User, manifest.created_by) if manifest.created_by else None
    if creator is not None and creator.role == "operator":
        return manifest.created_by_name
    return db.session.scalar(select(User.full_name).where(
        User.role == "operator", User.region_code == manifest.region_code, User.active.is_(True))
        .order_by(User.id).limit(1)) or ""


def handed_over_on(manifest: PickupManifest, day: date, zone) -> list[Handover]:
    """Return the handovers recorded from this manifest on `day` (in `zone`): one visit's items, in order."""
    handovers = db.session.scalars(select(Handover).where(Handover.manifest_id == manifest.id)
                                   .order_by(Handover.at, Handover.id))
    return [handover for handover in handovers if handover.at.astimezone(zone).date() == day]
