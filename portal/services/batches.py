"""Village batches: open one, add and remove the desa's draft applications, submit them all at once.

Every function takes the operator and keeps to their desa: an application or batch of another desa is
refused with `BatchRefused("other_desa")` (the pages answer 404). Submitting moves every application
draft → submitted in one transaction, or none of them (`BatchIncomplete` lists why).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from ..domain import batch as rules
from ..domain import form as form_steps
from ..domain import duplicates as duplicate_rules
from ..domain import event_reasons, lifecycle
from ..domain.reference import new_reference, normalize_reference
from ..extensions import db
from ..models import Application, Batch, User
from . import applications, audit, duplicates

PREFIX = "KOL"


class BatchRefused(Exception):
    """A batch change that cannot be made; `code`: "other_desa", "not_open", "not_draft", "not_village",
    "in_other_batch", "not_in_batch"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class BatchIncomplete(Exception):
    """Submitting was refused; `problems` (a list of `portal.domain.batch.Problem`) says which and why."""

    def __init__(self, problems: list[rules.Problem]):
        super().__init__(", ".join(f"{p.code}:{p.reference}" for p in problems))
        self.problems = problems


def open_batch(operator: User, now: datetime) -> Batch:
    """Create and commit a new open batch for the operator's desa; return it."""
    for _attempt in range(5):
        batch = Batch(number=new_reference(PREFIX), verification_token=secrets.token_urlsafe(18),
                      region_code=operator.region_code, created_by=operator.id,
                      created_by_name=operator.full_name, state=rules.OPEN, created_at=now)
        db.session.add(batch)
        try:
            db.session.commit()
            return batch
        except IntegrityError:  # a number or token collided: draw again
            db.session.rollback()
    raise RuntimeError("could not draw a unique batch number")


def find(operator: User, batch_id: int) -> Batch | None:
    """Return the operator's desa's batch with `batch_id`, or None (also for another desa's)."""
    batch = db.session.get(Batch, batch_id)
    return batch if batch is not None and batch.region_code == operator.region_code else None


def by_number(number_text: str) -> Batch | None:
    """Return the batch with the typed number ("KOL-7K3M-Q9PX", forgiving case and dashes), or None."""
    number = normalize_reference(number_text, PREFIX)
    if number is None:
        return None
    return db.session.scalars(select(Batch).where(Batch.number == number)).first()


def by_verification_token(token: str) -> Batch | None:
    """Return the batch a cover sheet's QR token belongs to, or None."""
    if not token or len(token) > 40:
        return None
    return db.session.scalars(select(Batch).where(Batch.verification_token == token)).first()


def of_desa(region_code: str) -> list[Batch]:
    """Return a desa's batches, open ones first, then newest first."""
    return list(db.session.scalars(select(Batch).where(Batch.region_code == region_code).order_by(
        (Batch.state == rules.OPEN).desc(), Batch.created_at.desc(), Batch.id.desc())))


def open_of_desa(region_code: str) -> list[Batch]:
    """Return a desa's open batches, newest first."""
    return list(db.session.scalars(select(Batch).where(
        Batch.region_code == region_code, Batch.state == rules.OPEN).order_by(Batch.id.desc())))


def sizes(batch_ids: list[int]) -> dict[int, int]:
    """Return how many applications each of `batch_ids` holds."""
    if not batch_ids:
        return {}
    rows = db.session.execute(select(Application.batch_id, func.count()).where(
        Application.batch_id.in_(batch_ids)).group_by(Application.batch_id))
    return {batch_id: count for batch_id, count in rows}


def progress(batch: Batch) -> str:
    """Return how far the batch got (see `portal.domain.batch.progress`)."""
    return rules.progress(batch.state, [application.state for application in batch.applications])


def members(batch: Batch) -> list[tuple[Application, list[form_steps.Step]]]:
    """Return the batch's applications, each with the required steps it still lacks ([] when complete)."""
    return [(application, form_steps.missing_required(applications.steps(application),
                                                      applications.progress(application)))
            for application in batch.applications]


def addable(operator: User) -> list[Application]:
    """Return the drafts the operator's desa filed that are in no batch yet, oldest first."""
    return list(db.session.scalars(select(Application).where(
        Application.channel == "village", Application.state == lifecycle.DRAFT,
        Application.batch_id.is_(None), Application.filed_by.in_(_desa_operators(operator.region_code)),
    ).order_by(Application.created_at, Application.id)))


def _desa_operators(region_code: str):
    return select(User.id).where(User.role == "operator", User.region_code == region_code)


def filed_in_desa(region_code: str):
    """Return the SQL condition "filed by an operator of desa `region_code`" (what `owned` checks for one
    application), for lists of the desa's applications."""
    return and_(Application.channel == "village", Application.filed_by.in_(_desa_operators(region_code)))


def owned(operator: User, application: Application) -> bool:
    """Return True when `application` was filed by an operator of the operator's desa."""
    return (application.channel == "village" and application.filer is not None
            and application.filer.region_code == operator.region_code)


def add(batch: Batch, application: Application, operator: User, now: datetime,
        duplicate_reason: str | None = None) -> None:
    """Put a draft filed by the desa into its open batch and commit. A `duplicate_reason` (why another
    application is needed while its NIK has an open one of the service) is kept with it for the batch's send;
    "" forgets one given before, None leaves it.

    Raises BatchRefused: "other_desa" (batch or application of another desa), "not_open" (already
    submitted), "not_village" (an application the resident filed), "not_draft", "in_other_batch";
    applications.DuplicateOpen("too_long") for a reason over the limit.
    """
    _check_batch(batch, operator)
    if not owned(operator, application):
        raise BatchRefused("other_desa" if application.channel == "village" else "not_village")
    if application.state != lifecycle.DRAFT:
        raise BatchRefused("not_draft")
    if application.batch_id not in (None, batch.id):
        raise BatchRefused("in_other_batch")
    if duplicate_reason is not None:
        applications.keep_duplicate_reason(application, now, duplicate_reason)
    application.batch_id = batch.id
    application.updated_at = now
    db.session.commit()


def remove(batch: Batch, application: Application, operator: User, now: datetime) -> None:
    """Take an application out of an open batch (it stays a draft of the desa) and commit.

    Raises BatchRefused: "other_desa", "not_open", "not_in_batch".
    """
    _check_batch(batch, operator)
    if application.batch_id != batch.id:
        raise BatchRefused("not_in_batch")
    application.batch_id = None
    application.updated_at = now
    db.session.commit()


def problems(batch: Batch) -> list[rules.Problem]:
    """Return what would stop `batch` from being submitted now (empty, incomplete or already sent members)."""
    return _problems(members(batch))


def duplicates_on_send(found) -> dict[str, int]:
    """Return, by reference, how many open applications of its NIK and service each member of `found` (pairs
    from `members`) would meet when the batch is sent: those open now and the members before it with the
    same NIK and service (sent with it). One grouped query."""
    drafts = [a for a, _missing in found if a.state == lifecycle.DRAFT]
    counts = duplicates.open_counts({(a.nik, a.service_code) for a in drafts if a.nik})
    return duplicate_rules.duplicates_on_send(
        (duplicate_rules.Candidate(a.reference, (a.nik, a.service_code) if a.nik else None) for a in drafts), counts)


def _problems(found, met: dict[str, int] | None = None) -> list[rules.Problem]:
    met = duplicates_on_send(found) if met is None else met
    return rules.submission_problems(
        rules.Member(a.reference, a.full_name or "", a.state, tuple(step.slug for step in missing),
                     duplicate_rules.reason_problem(met.get(a.reference, 0), a.duplicate_reason))
        for a, missing in found)


def submit(batch: Batch, operator: User, now: datetime) -> None:
    """Submit every application of the batch, or none; commit.

    Raises BatchRefused("other_desa"/"not_open"), BatchIncomplete with every problem found (an incomplete
    member, or one whose NIK has an open application of its service and no reason given). Two operators
    submitting the same batch at once: the second gets "not_open" (the batch's state moves conditionally).
    """
    _check_batch(batch, operator)
    found = members(batch)
    met = duplicates_on_send(found)
    problems = _problems(found, met)
    if problems:
        raise BatchIncomplete(problems)
    claimed = db.session.execute(update(Batch).where(Batch.id == batch.id, Batch.state == rules.OPEN).values(
        state=rules.SUBMITTED, submitted_at=now, submitted_by_name=operator.full_name))
    if claimed.rowcount != 1:
        db.session.rollback()
        raise BatchRefused("not_open")
    reason = event_reasons.batch_sent(batch.number)
    try:
        for application, _missing in found:
            applications.mark_submitted(application, now, actor_name=operator.full_name, reason=reason,
                                        actor=operator, others=met.get(application.reference, 0))
        audit.record(operator, "batch_submit", now, None, f"{batch.number}: {len(found)} permohonan")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(batch)


def _check_batch(batch: Batch, operator: User) -> None:
    if batch.region_code != operator.region_code:
        raise BatchRefused("other_desa")
    if batch.state != rules.OPEN:
        raise BatchRefused("not_open")

