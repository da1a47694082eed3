"""Open applications of the same NIK and service: the lookups behind the warning before sending, the clerk's
flag and the report (the rules are in `portal.domain.duplicates`).

Every lookup goes through the index on (nik, service_code, state); the inbox asks for all of a page's rows in
one grouped query.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ..domain import duplicates as rules
from ..extensions import db
from ..models import Application

Key = tuple[str, str]  # (NIK, service code)


def open_others(application: Application) -> list[Application]:
    """Return the open applications of `application`'s NIK and service other than itself, oldest sent first
    ([] while it has no NIK)."""
    if not application.nik:
        return []
    return list(db.session.scalars(select(Application).where(
        Application.nik == application.nik, Application.service_code == application.service_code,
        Application.state.in_(rules.OPEN), Application.id != application.id,
    ).order_by(Application.submitted_at, Application.id)))


def open_counts(keys: set[Key]) -> dict[Key, int]:
    """Return how many open applications each (NIK, service) of `keys` has, in one grouped query (keys with
    none are left out; no query for no keys). The NIKs select the rows through the index; the few other
    services of the same NIKs are dropped here."""
    keys = {key for key in keys if key[0]}
    if not keys:
        return {}
    rows = db.session.execute(
        select(Application.nik, Application.service_code, func.count())
        .where(Application.nik.in_(sorted({nik for nik, _service in keys})), Application.state.in_(rules.OPEN))
        .group_by(Application.nik, Application.service_code))
    return {(nik, service): count for nik, service, count in rows if (nik, service) in keys}


def unsent_batch_mates(application: Application) -> list[Application]:
    """Return the other drafts of `application`'s village batch with its NIK and service (sent with it, they
    are open by the time it is), or [] when it is in no batch or has no NIK."""
    if not application.nik or not application.batch_id:
        return []
    return list(db.session.scalars(select(Application).where(
        Application.batch_id == application.batch_id, Application.nik == application.nik,
        Application.service_code == application.service_code, Application.id != application.id,
    ).order_by(Application.id)))
