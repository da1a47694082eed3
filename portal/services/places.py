"""Pickup places as the office manages them in `/admin/tempat`: add, edit, switch off and on, order, and
which services are collected where.

A place is never deleted: applications keep pointing at it (switched off, it only stops being offered for new
pickups). Which services use a place is the `service_pickup_place` table, written through
`Service.pickup_places` exactly as the service pages do. Every change bumps the catalogue revision (the
service pages list the places) and commits with the audit line it is given (`audited`), or rolls back and raises.
"""

from __future__ import annotations

import hashlib
import re
from typing import Iterable

from sqlalchemy import func, select

from ..domain import lifecycle
from ..extensions import db
from ..models import Application, PickupPlace, Service
from . import audit, revisions
from .transactions import operation

CODE = re.compile(r"^[A-Z0-9_]{2,30}$")


class PlaceRefused(Exception):
    """A change that would leave services without an active pickup place; `services` names them."""

    def __init__(self, services: list[Service]):
        super().__init__(", ".join(service.code for service in services))
        self.services = services


def places() -> list[PickupPlace]:
    """Return every place in the order residents and clerks see them."""
    return list(db.session.scalars(select(PickupPlace).order_by(PickupPlace.position, PickupPlace.code)))


def services() -> list[Service]:
    """Return every service in catalogue order (inactive ones too: they keep their places)."""
    return list(db.session.scalars(select(Service).order_by(Service.position, Service.code)))


def services_at(code: str) -> list[Service]:
    """Return the services collected at place `code`, in catalogue order."""
    return [service for service in services() if any(place.code == code for place in service.pickup_places)]


def version(place: PickupPlace) -> str:
    """Return a short fingerprint of what the place's edit form writes (name, address, KTP-el printing and the
    services collected there); it changes whenever any of them is saved, here or on a service page."""
    shown = [place.name, place.address or "", str(bool(place.prints_ktp)),
             *sorted(service.code for service in services_at(place.code))]
    return hashlib.sha256("\x1f".join(shown).encode()).hexdigest()[:16]


def waiting() -> dict[str, int]:
    """Return how many ready documents wait at each place now ({place code: count}; places without any absent)."""
    return dict(db.session.execute(
        select(Application.pickup_place_code, func.count())
        .where(Application.state == lifecycle.READY, Application.pickup_place_code.is_not(None))
        .group_by(Application.pickup_place_code)).all())


def stranded(code: str, among: Iterable[Service] | None = None) -> list[Service]:
    """Return the services (of `among`, default all) that would have no active pickup place without place `code`.

    A service that names no place is collected at every active place, so it is stranded only when `code` is
    the last active place of all (and `among` is not given).
    """
    found = [service for service in (services() if among is None else among)
             if any(place.code == code for place in service.pickup_places)
             and not any(place.active and place.code != code for place in service.pickup_places)]
    if among is None and not any(place.active and place.code != code for place in places()):
        found += [service for service in services() if not service.pickup_places]
    return found


@operation
def add_place(code: str, name: str, address: str, prints_ktp: bool, *,
              audited: audit.Line | None = None) -> PickupPlace:
    """Add an active place at the end of the list, bump the catalogue and commit; return it.

    Raises ValueError for a code that is not 2–30 uppercase letters, digits or "_", a code already used, or
    an empty name.
    """
    if not CODE.match(code):
        raise ValueError(f"not a place code: {code!r}")
    if db.session.get(PickupPlace, code) is not None:
        raise ValueError(f"place {code} exists")
    if not name.strip():
        raise ValueError("a place needs a name")
    last = db.session.scalar(select(func.max(PickupPlace.position)))
    place = PickupPlace(code=code, name=name.strip(), address=address.strip(), prints_ktp=prints_ktp,
                        position=(last if last is not None else -1) + 1, active=True)
    db.session.add(place)
    revisions.bump(revisions.CATALOGUE)
    audit.commit(audited)
    return place


@operation
def edit_place(place: PickupPlace, name: str, address: str, prints_ktp: bool, service_codes: set[str], *,
               audited: audit.Line | None = None) -> None:
    """Store the place's name, address and KTP-el printing and the services collected there; bump the
    catalogue and commit.

    Raises ValueError for an empty name or an unknown service, PlaceRefused when a service taken off would
    be left without an active place (nothing is written then).
    """
    if not name.strip():
        raise ValueError("a place needs a name")
    every = {service.code: service for service in services()}
    unknown = service_codes - set(every)
    if unknown:
        raise ValueError(f"unknown service {sorted(unknown)[0]}")
    using = {service.code for service in services_at(place.code)}
    left = stranded(place.code, [every[code] for code in using - service_codes]) if place.active else []
    if left:
        raise PlaceRefused(left)
    place.name, place.address, place.prints_ktp = name.strip(), address.strip(), prints_ktp
    for code in service_codes - using:
        every[code].pickup_places.append(place)
    for code in using - service_codes:
        every[code].pickup_places.remove(place)
    revisions.bump(revisions.CATALOGUE)
    audit.commit(audited)


@operation
def set_active(place: PickupPlace, active: bool, *, audited: audit.Line | None = None) -> None:
    """Switch the place on or off for new pickups, bump the catalogue and commit.

    Raises PlaceRefused when switching it off would leave a service without an active place.
    """
    if not active:
        left = stranded(place.code)
        if left:
            raise PlaceRefused(left)
    place.active = active
    revisions.bump(revisions.CATALOGUE)
    audit.commit(audited)


@operation
def move(place: PickupPlace, step: int, *, audited: audit.Line | None = None) -> int | None:
    """Move the place one up (`step` -1) or down (+1) in the list, bump the catalogue and commit.

    Returns its new place in the list (1 first), or None when it is already first or last (nothing changes).
    Positions are renumbered 0, 1, 2… on the way, so equal positions from old data cannot block a move.
    """
    ordered = places()
    index = ordered.index(place)
    target = index + step
    if not 0 <= target < len(ordered):
        return None
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, found in enumerate(ordered):
        found.position = position
    revisions.bump(revisions.CATALOGUE)
    audit.commit(audited)
    return target + 1
