"""Handing a ready document over at the counter: who collects, how the clerk confirmed it, and why when it
is early or outside pickup hours.

The applicant proves who they are with the NIK on their KTP-el: the clerk types its last four digits (or all
sixteen), matched against the application's NIK. Each check spends one try of the application's NIK budget
(`guesses.handover_nik_attempt`, shared by every clerk); a wrong or refused try is written to the audit log
on its own, so nothing is handed over and the attempt stays on record. A person the applicant authorised
gives their name, relation and NIK, and shows the letter of authority where the service asks for one
(`Service.proxy_letter`). Before the pickup day, or while pickup is closed, the clerk must give a reason,
which the audit line carries (`domain.handover`).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import update

from .. import guesses
from ..domain import event_reasons, lifecycle
from ..domain import handover as handover_rules
from ..extensions import db
from ..models import Application, Handover, PickupManifest, User
from . import audit, calendar, notifications
from .review import Refused, move
from .transactions import operation

COLLECTORS = ("applicant", "authorised", "operator")
REASON_LENGTH = 300  # leaves room in the audit line (500) for who collected and how they were checked

@operation
def hand_over(application: Application, user: User, now: datetime, collector: str, name: str = "",
              relation: str = "", id_number: str = "", manifest: PickupManifest | None = None, *,
              nik_typed: str = "", letter_seen: bool = False, reason: str = "") -> Handover:
    """Record that a ready document was handed over, and to whom; commit and return the handover.

    `collector` is "applicant" (the name is the applicant's; `nik_typed`, the last 4 digits of the NIK on
    their KTP-el or all 16, must match the application's), "authorised" (name, relation and a 16-digit ID
    number required, and `letter_seen` when the service asks for a letter of authority) or "operator" (the
    village operator, by name). `manifest`: the collective pickup manifest it was handed over from (then the
    collector must be "operator"). Before the pickup day or while pickup is closed, `reason` is required and
    goes in the audit line.

    Raises Refused("state") unless ready, Refused("collector") for missing or malformed details (detail
    "letter" without the letter, "applicant_nik" for the applicant's own NIK), Refused("reason") without a
    needed reason (detail: the first of `handover_rules.reasons_needed`), Refused("identity") for a typed NIK
    of the wrong shape ("format"), a wrong one ("mismatch") or one beyond the NIK budget ("locked"), the last
    two written to the audit log and committed first. Refused("manifest") for an application that is not on
    `manifest`.
    """
    if manifest is not None and (collector != "operator"
                                 or application.id not in {item.id for item in manifest.applications}):
        raise Refused("manifest" if collector == "operator" else "collector", "kind")
    if application.state != lifecycle.READY:
        raise Refused("state", application.state)
    name, relation = name.strip(), relation.strip()
    _check_collector(application, collector, name, relation, id_number, nik_typed, letter_seen)
    if collector == "applicant":
        name, relation, id_number = application.full_name or "", "", ""
    needed = handover_rules.reasons_needed(calendar.calendar(now), now, application.pickup_date)
    reason = " ".join(reason.split())[:REASON_LENGTH]
    if needed and not reason:
        raise Refused("reason", needed[0])
    if collector == "applicant":
        _check_identity(application, user, now, nik_typed)
    # Claim the application first: of two clerks confirming at the same instant, one moves it, the other is
    # refused (the update waits for the first one's commit and then finds it collected).
    claimed = db.session.execute(update(Application).where(
        Application.id == application.id, Application.state == lifecycle.READY).values(updated_at=now)).rowcount
    if not claimed:
        db.session.rollback()
        db.session.refresh(application)
        raise Refused("state", application.state)
    db.session.refresh(application)
    handover = Handover(application_id=application.id, at=now, clerk_id=user.id, clerk_name=user.full_name,
                        collector=collector, collector_name=name[:120], relation=relation[:60],
                        id_number=id_number, slip_token=secrets.token_urlsafe(18),
                        manifest_id=manifest.id if manifest is not None else None)
    db.session.add(handover)
    move(application, lifecycle.COLLECTED, user, now, reason=event_reasons.handed_over(name, collector, relation))
    notifications.enqueue_for(application, "collected", now)
    audit.record(user, "handover", now, application,
                 _handover_detail(application, collector, name, relation, nik_typed, manifest, needed, reason))
    db.session.commit()
    return handover


def _check_collector(application: Application, collector: str, name: str, relation: str, id_number: str,
                     nik_typed: str, letter_seen: bool) -> None:
    """Raise Refused("collector") or Refused("identity", "format") when who collects is incomplete."""
    if collector not in COLLECTORS:
        raise Refused("collector", "kind")
    if collector == "applicant":
        if handover_rules.typed_nik_kind(nik_typed) is None:
            raise Refused("identity", "format")
        return
    if not name:
        raise Refused("collector", "name")
    if collector == "authorised":
        if not relation or not (id_number.isdigit() and len(id_number) == 16):
            raise Refused("collector", "relation" if not relation else "id_number")
        if id_number == application.nik:
            raise Refused("collector", "applicant_nik")
        if application.service.proxy_letter and not letter_seen:
            raise Refused("collector", "letter")


def _check_identity(application: Application, user: User, now: datetime, nik_typed: str) -> None:
    """Spend one try of the application's NIK budget and match `nik_typed`; on a refusal, write the attempt
    to the audit log, commit it, and raise Refused("identity", "locked" or "mismatch")."""
    part = _typed_part(nik_typed)
    if not guesses.handover_nik_attempt(application.reference):
        audit.record(user, "handover_refused", now, application,
                     f"NIK pengambil ({part}) tidak diperiksa: batas percobaan habis")
        db.session.commit()
        raise Refused("identity", "locked")
    if not handover_rules.nik_matches(application.nik or "", nik_typed):
        audit.record(user, "handover_refused", now, application,
                     f"NIK pengambil ({part}) tidak cocok dengan NIK pemohon; tidak diserahkan")
        db.session.commit()
        raise Refused("identity", "mismatch")


def _typed_part(nik_typed: str) -> str:
    """Return what the clerk typed of the NIK, in the audit log's words."""
    return "4 angka terakhir" if handover_rules.typed_nik_kind(nik_typed) == "tail" else "16 angka"


def _handover_detail(application: Application, collector: str, name: str, relation: str, nik_typed: str,
                     manifest: PickupManifest | None, needed: tuple[str, ...], reason: str) -> str:
    """Return the audit line of a handover: to whom, how identity was checked, and why out of schedule."""
    who = {"applicant": "pemohon", "authorised": f"kuasa ({relation})", "operator": "operator desa"}[collector]
    parts = [f"{who}: {name}" + (f" (manifes {manifest.code})" if manifest is not None else "")]
    if collector == "applicant":
        parts.append(f"NIK cocok ({_typed_part(nik_typed)})")
    elif collector == "authorised":
        parts.append("surat kuasa diperiksa" if application.service.proxy_letter else "tanpa surat kuasa")
    if needed:
        when = {handover_rules.EARLY: f"sebelum jadwal {application.pickup_date.isoformat()}",
                handover_rules.OUTSIDE_HOURS: "di luar jam pengambilan"}
        parts.append(" dan ".join(when[code] for code in needed) + f", alasan: {reason}")
    return "; ".join(parts)
