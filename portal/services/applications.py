"""Applications: start a draft, save answers and documents, submit, cancel, look up, purge expired drafts.

The only module that writes applications. Every change commits on its own, so a draft is saved at every
step; an upload is written to disk before the row that names it and removed again if the row cannot be
committed, so a failure leaves neither half an application nor an orphan file.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from .. import hashing
from ..domain import duplicates as duplicate_rules
from ..domain import event_reasons, form, lifecycle
from ..domain.reference import hash_pin, new_reference, normalize_reference, pin_matches
from ..domain.reference import new_pin as draw_pin  # `new_pin` below replaces an application's PIN
from ..extensions import db
from ..models import Application, ApplicationDocument, ApplicationEvent, Service, User
from ..uploads import CleanFile
from . import audit, duplicates, notifications, storage
from .transactions import operation


CONSENT_DOCUMENT = "PERSETUJUAN"  # the resident's signed consent, uploaded by a village operator


class Incomplete(Exception):
    """Submitting was refused because required steps have no answer; `steps` lists them."""

    def __init__(self, steps: list[form.Step]):
        super().__init__(", ".join(step.slug for step in steps))
        self.steps = steps


class DuplicateOpen(Exception):
    """Sending was refused: the same NIK has `others` open applications of this service, and no usable reason
    for another was given; `code` is "missing" or "too_long" (see `portal.domain.duplicates.reason_problem`)."""

    def __init__(self, others: int, code: str):
        super().__init__(f"{others} open: {code}")
        self.others, self.code = others, code


def steps(application: Application) -> list[form.Step]:
    """Return the form's pages for the application's service."""
    return form.steps_for(application.service.questions, application.service.documents)


def progress(application: Application) -> form.Progress:
    """Return what the application has so far, as the form sees it."""
    return form.Progress(
        nik=application.nik, full_name=application.full_name, birth_date=application.birth_date,
        phone=application.phone, region_code=application.region_code, answers=application.answers or {},
        documents=frozenset(document.code for document in application.documents),
        skipped_documents=frozenset(application.skipped_documents or ()),
    )


def start_draft(service: Service, now: datetime, channel: str = "resident", filed_by: User | None = None,
                consent: str | None = None) -> tuple[Application, str]:
    """Create and commit a draft for `service`; return it with its PIN (the only time the PIN is known).

    A village operator filing for a resident passes `channel="village"`, themselves as `filed_by` and how the
    resident consented (`consent`: "in_person" or "signed_form").
    """
    pin = draw_pin()
    prefix = current_app.config["REFERENCE_PREFIX"]
    for _attempt in range(5):
        application = Application(
            reference=new_reference(prefix), pin_hash=hash_pin(pin, hashing.method()),
            verification_token=secrets.token_urlsafe(18), service_code=service.code,
            state=lifecycle.DRAFT, channel=channel, filed_by=filed_by.id if filed_by else None, consent=consent,
            answers={}, accepted_warnings=[], skipped_documents=[],
            created_at=now, updated_at=now, expires_at=_draft_expiry(now),
        )
        application.events.append(ApplicationEvent(at=now, from_state=None, to_state=lifecycle.DRAFT,
                                                    actor=lifecycle.APPLICANT,
                                                    actor_name=filed_by.full_name if filed_by else ""))
        db.session.add(application)
        try:
            db.session.commit()
            return application, pin
        except IntegrityError:  # a reference or token collided: draw again
            db.session.rollback()
    raise RuntimeError("could not draw a unique reference")


def _draft_expiry(now: datetime) -> datetime:
    return now + timedelta(days=current_app.config["DRAFT_DAYS"])


def _touched(application: Application, now: datetime) -> None:
    """Mark a change: a new version (receipts re-render) and, for a draft, a later expiry."""
    application.version = (application.version or 0) + 1
    application.updated_at = now
    if application.state == lifecycle.DRAFT:
        application.expires_at = _draft_expiry(now)


def save_applicant(application: Application, now: datetime, **facts) -> None:
    """Store facts about the applicant (nik, full_name, birth_date, phone, region_code, address_line) and commit.

    `accept_warnings` (a list of warning codes) is added to the accepted ones; with `forget_warnings`, those
    accepted before are dropped first (the NIK they were about changed).
    """
    accepted = set() if facts.pop("forget_warnings", False) else set(application.accepted_warnings or ())
    accepted.update(facts.pop("accept_warnings", ()) or ())
    application.accepted_warnings = sorted(accepted)
    for name, value in facts.items():
        if name not in {"nik", "full_name", "birth_date", "phone", "region_code", "address_line"}:
            raise TypeError(f"not an applicant fact: {name}")
        setattr(application, name, value)
    _touched(application, now)
    db.session.commit()


def save_answer(application: Application, now: datetime, code: str, value) -> None:
    """Store the answer to the service question `code` and commit."""
    answers = dict(application.answers or {})
    answers[code] = value.isoformat() if isinstance(value, date) else value
    application.answers = answers
    _touched(application, now)
    db.session.commit()


def skip_document(application: Application, now: datetime, code: str) -> None:
    """Record that the optional document `code` will not be uploaded, and commit."""
    application.skipped_documents = sorted(set(application.skipped_documents or ()) | {code})
    _touched(application, now)
    db.session.commit()


def attach_document(application: Application, now: datetime, code: str, clean: CleanFile) -> ApplicationDocument:
    """Store `clean` as the document `code`, replacing an earlier one, and commit; return the new row.

    The file is written first; if the commit fails it is deleted again and the error re-raised. The file of
    a replaced document is deleted after the commit.
    """
    stored_name = storage.upload_store().save(clean)
    replaced = [document for document in application.documents if document.code == code]
    try:
        for document in replaced:
            application.documents.remove(document)
        document = ApplicationDocument(
            code=code, stored_name=stored_name, mimetype=clean.mimetype, kind=clean.kind, size=len(clean.data),
            pages=clean.pages, width=clean.width, height=clean.height, sha256=clean.sha256, uploaded_at=now)
        application.documents.append(document)
        application.skipped_documents = [c for c in application.skipped_documents or () if c != code]
        _touched(application, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        storage.discard([stored_name])
        raise
    storage.discard([old.stored_name for old in replaced])
    return document


def submit(application: Application, now: datetime, actor_name: str = "",
           kinds: tuple[str, ...] | None = None, duplicate_reason: str | None = None) -> None:
    """Submit a complete draft (or a corrected application) and commit. With `kinds`, only the steps of those
    kinds must be answered (a correction checks its documents: see `review.resubmit`). `duplicate_reason` says
    why another application is needed while the same NIK has an open one for this service (see
    `mark_submitted`).

    Raises Incomplete when required steps are unanswered, DuplicateOpen when another application of the NIK
    and service is open and no usable reason was given, TransitionRefused when the state forbids it.
    """
    missing = [step for step in form.missing_required(steps(application), progress(application))
               if kinds is None or step.kind in kinds]
    if missing:
        raise Incomplete(missing)
    mark_submitted(application, now, actor_name, duplicate_reason=duplicate_reason)
    db.session.commit()


def mark_submitted(application: Application, now: datetime, actor_name: str = "", reason: str = "",
                   duplicate_reason: str | None = None, actor: User | None = None,
                   others: int | None = None) -> None:
    """Move a checked application to submitted and record it, without committing (a batch commits them all).

    A draft being sent is checked against the open applications of the same NIK and service (`others`, when
    the caller counted them already, as a batch does for its members together): with any, it needs a reason
    (`duplicate_reason`, else the one kept on the draft), which is stored with it and written, with the
    count, to the audit log as `actor`'s (None: the resident). A corrected application sent back is not
    checked: it was open already.

    Raises DuplicateOpen (nothing changed) when a reason is needed and missing or too long,
    TransitionRefused when the state forbids it.
    """
    found: list[Application] = []
    if application.state == lifecycle.DRAFT:
        if others is None:
            found = duplicates.open_others(application)
            others = len(found)
        given = application.duplicate_reason if duplicate_reason is None else duplicate_reason
        problem = duplicate_rules.reason_problem(others, given)
        if problem is not None:
            raise DuplicateOpen(others, problem)
        application.duplicates_when_sent = others
        application.duplicate_reason = duplicate_rules.clean_reason(given) if others else None
    _move(application, lifecycle.SUBMITTED, lifecycle.APPLICANT, now, reason, actor_name=actor_name)
    application.submitted_at = application.submitted_at or now
    application.expires_at = None
    if others:
        references = ", ".join(other.reference for other in found)
        audit.record(actor, "send_duplicate", now, application,
                     f"Dikirim saat NIK ini punya {others} permohonan lain yang masih terbuka untuk layanan ini"
                     + (f" ({references})" if references else "") + f". Alasan: {application.duplicate_reason}")


def keep_duplicate_reason(application: Application, now: datetime, reason: str | None) -> None:
    """Keep on a draft why another application is needed (sent later, e.g. with a village batch), without
    committing; "" or None forgets it. Raises DuplicateOpen("too_long") for a reason over the limit."""
    reason = duplicate_rules.clean_reason(reason)
    if duplicate_rules.reason_problem(1, reason) == "too_long":
        raise DuplicateOpen(1, "too_long")
    application.duplicate_reason = reason or None
    application.updated_at = now


def cancel(application: Application, now: datetime, reason: str = "") -> None:
    """Cancel a draft or a submitted application that no clerk has taken yet, and commit.

    Raises TransitionRefused once review has started (or the application has ended).
    """
    _move(application, lifecycle.CANCELLED, lifecycle.APPLICANT, now, reason)
    application.expires_at = None
    db.session.commit()


def _move(application: Application, target: str, actor: str, now: datetime, reason: str = "",
          actor_name: str = "") -> None:
    """Apply a lifecycle move to `application` and record it (the caller commits)."""
    move = lifecycle.transition(application.state, target, actor, now, reason, actor_name)
    application.state = move.to_state
    application.events.append(ApplicationEvent(at=move.at, from_state=move.from_state, to_state=move.to_state,
                                                actor=move.actor, actor_name=move.actor_name, reason=move.reason))
    _touched(application, now)


def find(reference_text: str) -> Application | None:
    """Return the application with the typed reference (forgiving case, dashes, look-alikes), or None."""
    reference = normalize_reference(reference_text, current_app.config["REFERENCE_PREFIX"])
    if reference is None:
        return None
    return db.session.scalars(select(Application).where(Application.reference == reference)).first()


def unlock(reference_text: str, pin: str) -> Application | None:
    """Return the application when the reference exists and the PIN matches it, else None.

    A PIN is checked even for an unknown reference, so the answer takes as long either way.
    """
    application = find(reference_text)
    matched = pin_matches(application.pin_hash if application else hashing.dummy_hash(), pin)
    return application if application is not None and matched else None

NEW_PIN_REASON = event_reasons.fixed(event_reasons.NEW_PIN)


@operation
def new_pin(application: Application, now: datetime, actor_name: str, *, audited: audit.Line | None = None) -> str:
    """Give `application` a fresh PIN (only its hash is stored; the old PIN stops working), record it on the
    timeline as a note (same state before and after) and commit it with the audit line `audited`; return the
    new PIN, known only now."""
    pin = draw_pin()
    application.pin_hash = hash_pin(pin, hashing.method())
    application.events.append(ApplicationEvent(at=now, from_state=application.state, to_state=application.state,
                                                actor=lifecycle.APPLICANT, actor_name=actor_name,
                                                reason=NEW_PIN_REASON))
    application.updated_at = now
    audit.commit(audited)
    return pin


def by_verification_token(token: str) -> Application | None:
    """Return the application a receipt's QR token belongs to, or None for an unknown or malformed token."""
    if not token or len(token) > 40:
        return None
    return db.session.scalars(select(Application).where(Application.verification_token == token)).first()


def expired_drafts(now: datetime) -> list[Application]:
    """Return drafts whose expiry has passed (a draft waiting in a village's open batch does not expire)."""
    return list(db.session.scalars(select(Application).where(
        Application.state == lifecycle.DRAFT, Application.expires_at < now, Application.batch_id.is_(None))))


def purge_expired_drafts(now: datetime) -> tuple[int, int]:
    """Delete expired drafts with their uploaded files; return (drafts deleted, files deleted)."""
    drafts = expired_drafts(now)
    names = [document.stored_name for draft in drafts for document in draft.documents]
    ids = [draft.id for draft in drafts]
    if ids:
        db.session.execute(delete(ApplicationDocument).where(ApplicationDocument.application_id.in_(ids)))
        db.session.execute(delete(ApplicationEvent).where(ApplicationEvent.application_id.in_(ids)))
        db.session.execute(delete(Application).where(Application.id.in_(ids)))
        db.session.commit()
    storage.discard(names)
    return len(ids), len(names)


def purge_ended_scans(now: datetime, retention_days: int) -> tuple[int, int]:
    """Delete the scans of applications that ended more than `retention_days` ago; return (applications, files).

    The applications, their answers and their history stay; only the uploaded files and their rows go, with
    the signed PDF of a self-printed document. An application "ended" at its last move into a final state
    (collected, rejected, cancelled).
    """
    cutoff = now - timedelta(days=retention_days)
    ended_at = (select(ApplicationEvent.application_id)
                .where(ApplicationEvent.to_state.in_(tuple(lifecycle.FINAL)))
                .group_by(ApplicationEvent.application_id)
                .having(func.max(ApplicationEvent.at) < cutoff))
    ended = (Application.state.in_(tuple(lifecycle.FINAL)), Application.id.in_(ended_at))
    documents = list(db.session.scalars(select(ApplicationDocument).join(Application).where(*ended)))
    outputs = list(db.session.scalars(select(Application).where(*ended, Application.output_stored_name.is_not(None))))
    if not documents and not outputs:
        return 0, 0
    names = [document.stored_name for document in documents] + [a.output_stored_name for a in outputs]
    touched = {document.application_id for document in documents} | {a.id for a in outputs}
    if documents:
        db.session.execute(delete(ApplicationDocument).where(ApplicationDocument.id.in_([d.id for d in documents])))
    for application in outputs:
        application.output_stored_name = None
    db.session.commit()
    storage.discard(names)
    return len(touched), len(names)


def collect_by_download(application: Application, now: datetime, reason: str) -> bool:
    """Move a ready, self-printed application to collected (by the system) on its first download; commit.

    Return True when this call made the move. The guarded update takes the row first, so two downloads at
    once record one move.
    """
    claimed = db.session.execute(update(Application).where(
        Application.id == application.id, Application.state == lifecycle.READY).values(updated_at=now)).rowcount
    if not claimed:
        db.session.rollback()
        return False
    db.session.refresh(application)
    _move(application, lifecycle.COLLECTED, lifecycle.SYSTEM, now, reason)
    notifications.enqueue_for(application, "collected", now)
    db.session.commit()
    return True
