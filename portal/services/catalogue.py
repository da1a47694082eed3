"""The service catalogue as residents read it."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Service

GROUP_ORDER = ("KTP", "KK", "KIA", "AKTA", "PINDAH")


def active_services() -> list[Service]:
    """Return the services residents can apply for, in catalogue order."""
    return list(db.session.scalars(
        select(Service).where(Service.active.is_(True)).order_by(Service.position, Service.code)))


def grouped(services: list[Service]) -> list[tuple[str, list[Service]]]:
    """Return `services` grouped by their queue group, in the catalogue's group order."""
    groups: dict[str, list[Service]] = {}
    for service in services:
        groups.setdefault(service.group, []).append(service)
    order = {group: index for index, group in enumerate(GROUP_ORDER)}
    return sorted(groups.items(), key=lambda item: order.get(item[0], len(order)))


def find_service(code: str) -> Service | None:
    """Return the active service with `code` (case-insensitive), or None."""
    return db.session.scalars(
        select(Service).where(Service.code == code.upper(), Service.active.is_(True))).first()
