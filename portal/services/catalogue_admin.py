"""Writing a supervisor's edit of one service (`/admin/layanan/<code>`): one part at a time, never over a change
someone else saved in between, and seen by every cached page at once.

Each service row carries `updated_at`; the edit page sends it back as the form's version, and the write only
happens when the row still has it (a conditional UPDATE, so two saves racing each other cannot both pass).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..extensions import db
from ..models import PickupPlace, Service, utcnow
from . import audit, revisions
from .transactions import operation


class Stale(Exception):
    """The service changed since the form was opened (or the form's version cannot be read)."""


def all_services() -> list[Service]:
    """Return every service, switched off ones too, in catalogue order."""
    return list(db.session.scalars(select(Service).order_by(Service.position, Service.code)))


def find_any(code: str) -> Service | None:
    """Return the service with `code` (case-insensitive), active or not, or None."""
    return db.session.get(Service, (code or "").upper())


def offered_places(service: Service) -> list[PickupPlace]:
    """Return the places a supervisor may tick for `service`: the active ones, and the switched-off ones the
    service already has (shown, and kept), in the places' order."""
    mine = {place.code for place in service.pickup_places}
    places = db.session.scalars(select(PickupPlace).order_by(PickupPlace.position, PickupPlace.code))
    return [place for place in places if place.active or place.code in mine]


def version_of(service: Service) -> str:
    """Return the version an edit form carries back: the service's `updated_at` as ISO text."""
    return service.updated_at.isoformat() if service.updated_at else ""


def is_current(service: Service, version: str) -> bool:
    """Return True when `version` (from a form) is the service's version now."""
    return bool(version) and version == version_of(service)


@operation
def save(service: Service, version: str, values: dict, place_codes: list[str] | None = None, *,
         audited: audit.Line | None = None) -> None:
    """Store `values` (column name → value) and, when given, the pickup places `place_codes` (switched-off
    places the service has are kept), bump the catalogue revision and commit with the audit line `audited`.

    Raises Stale, after rolling back, when the service no longer has `version`.
    """
    try:
        expected = datetime.fromisoformat(version)
    except (TypeError, ValueError):
        db.session.rollback()
        raise Stale() from None
    # A moment strictly after the old one, so the version changes even if the clock did not move.
    stamp = max(utcnow(), expected + timedelta(microseconds=1))
    done = db.session.execute(update(Service).where(Service.code == service.code, Service.updated_at == expected)
                              .values(updated_at=stamp, **values).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        raise Stale()
    db.session.expire(service)
    if place_codes is not None:
        kept = [place for place in service.pickup_places if not place.active]
        chosen = list(db.session.scalars(select(PickupPlace).where(PickupPlace.code.in_(place_codes))))
        service.pickup_places = sorted({place.code: place for place in kept + chosen}.values(),
                                       key=lambda place: (place.position, place.code))
    revisions.bump(revisions.CATALOGUE)
    audit.commit(audited)
