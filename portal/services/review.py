"""The office's side of an application: take it for review, judge each document, decide, mark ready (the
handover is `handovers`).

Every move goes through `portal/domain/lifecycle.py` and is written to the application's timeline and to
the audit log in the same commit; each is one transaction (`operation`), rolled back whatever it raises. A
refused move raises `Refused` with a code the pages turn into a sentence.
Taking is a conditional update, so two clerks pressing "Ambil" at once cannot both get the application.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from sqlalchemy import update

from ..domain import form, lifecycle
from ..domain.correction import correction_message
from ..domain.hours import Window
from ..domain.pickup import PickupSlot, pickup_windows, propose_pickup
from ..extensions import db
from ..models import Application, ApplicationDocument, PickupPlace, User
from ..uploads import CleanFile
from . import applications, audit, calendar, notifications, storage
from .transactions import operation

ACCEPTED, NEEDS_FIX, RECEIVED = "accepted", "needs_fix", "received"
SUPERVISORS = ("supervisor", "admin")
REASON_LENGTH = 500  # ApplicationEvent.reason


class Refused(Exception):
    """A clerk's action that cannot be done now; `code` says why.

    Codes: "taken" (another clerk has it), "not_yours" (not assigned to this clerk), "state" (the lifecycle
    forbids it; `detail` holds the lifecycle's code), "reason" (a reason is required), "documents" (a document
    still needs a fix, or none was marked), "place", "date", "window" (a pickup choice that does not hold),
    "collector" (who collects is incomplete), "identity" (the applicant's NIK was not confirmed), "output" (a self-printed document is missing), "manifest" (not
    on the collective pickup manifest it is handed over from).
    """

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


def move(application: Application, target: str, user: User, now: datetime, reason: str = "") -> None:
    """Move `application` to `target` as the clerk `user` (timeline included, not committed); raise Refused
    ("reason" or "state") when the lifecycle forbids it, after rolling back."""
    try:
        applications._move(application, target, lifecycle.CLERK, now, reason, actor_name=user.full_name)
    except lifecycle.TransitionRefused as refused:
        db.session.rollback()
        raise Refused("reason" if refused.code == "reason" else "state", refused.code) from refused


def _require_reviewer(application: Application, user: User) -> None:
    """Raise Refused unless `application` is in review by `user`."""
    if application.state != lifecycle.IN_REVIEW:
        raise Refused("state", "not_in_review")
    if application.assigned_to != user.id:
        raise Refused("not_yours")


@operation
def take(application: Application, user: User, now: datetime) -> None:
    """Take a submitted application for review ("Ambil") and commit.

    Raises Refused("taken") when another clerk took it first, Refused("state") when it is not waiting.
    """
    if application.state == lifecycle.IN_REVIEW and application.assigned_to == user.id:
        return
    won = db.session.execute(update(Application).where(
        Application.id == application.id, Application.state == lifecycle.SUBMITTED,
        Application.assigned_to.is_(None)).values(assigned_to=user.id, assigned_at=now)).rowcount
    if not won:
        db.session.rollback()
        db.session.refresh(application)
        raise Refused("taken" if application.state == lifecycle.IN_REVIEW else "state", application.state)
    db.session.refresh(application)
    move(application, lifecycle.IN_REVIEW, user, now)
    audit.record(user, "take", now, application)
    db.session.commit()


@operation
def release(application: Application, user: User, now: datetime) -> None:
    """Put an application in review back in the inbox untouched and commit.

    Its reviewer may release it; a supervisor may release anyone's. Raises Refused otherwise.
    """
    if application.state != lifecycle.IN_REVIEW:
        raise Refused("state", "not_in_review")
    if application.assigned_to != user.id and user.role not in SUPERVISORS:
        raise Refused("not_yours")
    holder = application.assignee.full_name if application.assignee else ""
    move(application, lifecycle.SUBMITTED, user, now, reason="")
    application.assigned_to, application.assigned_at = None, None
    for document in application.documents:
        document.state, document.fix_reason = RECEIVED, ""
    audit.record(user, "release", now, application, f"dilepas dari {holder}" if holder else "")
    db.session.commit()


@operation
def judge_document(application: Application, document: ApplicationDocument, user: User, now: datetime,
                   accept: bool, reason: str = "") -> None:
    """Accept a document, or ask for a fix with a reason; commit.

    Raises Refused("reason") for a fix without a reason, and what `_require_reviewer` raises.
    """
    _require_reviewer(application, user)
    if document.application_id != application.id:
        raise Refused("documents")
    reason = reason.strip()
    if not accept and not reason:
        raise Refused("reason")
    document.state, document.fix_reason = (ACCEPTED, "") if accept else (NEEDS_FIX, reason[:300])
    audit.record(user, "accept_document" if accept else "ask_fix", now, application,
                 f"{document.code}" + (f": {reason}" if not accept else ""))
    db.session.commit()


@operation
def approve(application: Application, user: User, now: datetime) -> None:
    """Approve an application in review; documents not judged yet count as accepted. Commit.

    Raises Refused("documents") while a document still needs a fix.
    """
    _require_reviewer(application, user)
    if any(document.state == NEEDS_FIX for document in application.documents):
        raise Refused("documents", "needs_fix")
    for document in application.documents:
        document.state = ACCEPTED
    move(application, lifecycle.APPROVED, user, now)
    notifications.enqueue_for(application, "approved", now)
    audit.record(user, "approve", now, application)
    db.session.commit()


@operation
def ask_correction(application: Application, user: User, now: datetime, note: str = "") -> None:
    """Send the application back to the applicant with the documents to fix and a note; commit.

    Raises Refused("documents") when no document was marked for a fix and no note given.
    """
    _require_reviewer(application, user)
    fixes = [document for document in application.documents if document.state == NEEDS_FIX]
    if not fixes and not note.strip():
        raise Refused("documents", "nothing_to_fix")
    reason = correction_message(note, [d.fix_reason for d in fixes])
    reason = reason if len(reason) <= REASON_LENGTH else reason[:REASON_LENGTH - 1] + "…"  # the timeline's column
    move(application, lifecycle.NEEDS_CORRECTION, user, now, reason)
    notifications.enqueue_for(application, "correction", now, reason)
    application.assigned_to, application.assigned_at = None, None
    audit.record(user, "ask_correction", now, application, reason)
    db.session.commit()


@operation
def reject(application: Application, user: User, now: datetime, reason: str) -> None:
    """Reject an application in review with a reason and commit. Raises Refused("reason") without one."""
    _require_reviewer(application, user)
    if not reason.strip():
        raise Refused("reason")
    reason = reason.strip()[:REASON_LENGTH]
    move(application, lifecycle.REJECTED, user, now, reason)
    notifications.enqueue_for(application, "rejected", now, reason)
    application.assigned_to = None
    audit.record(user, "reject", now, application, reason.strip())
    db.session.commit()


@operation
def resubmit(application: Application, now: datetime, actor_name: str = "") -> None:
    """Send a corrected application back to the office (by the applicant) and commit.

    Only documents are checked for completeness: the correction pages offer every missing one, but they
    do not ask questions, and the clerk has judged the answers already. A required question a supervisor
    added to the service after this application was submitted must not block its correction.

    Raises Refused("documents") while a document marked for a fix has not been replaced,
    applications.Incomplete while a required document is missing, and lifecycle.TransitionRefused when the
    application is not waiting for a correction.
    """
    if any(document.state == NEEDS_FIX for document in application.documents):
        raise Refused("documents", "needs_fix")
    applications.submit(application, now, actor_name=actor_name, kinds=(form.DOCUMENT,))


# Ready and pickup


def self_printed(application: Application) -> bool:
    """Return True for a service whose document the resident prints on A4 (KK, certificates)."""
    return application.service.output != "security_blank"


def pickup_places(application: Application) -> list[PickupPlace]:
    """Return the active places where this service's document can be collected (every active place when the
    service names none). A place switched off takes no new pickups; documents already ready there keep it."""
    named = application.service.pickup_places
    if named:
        return [place for place in named if place.active]
    return list(db.session.scalars(db.select(PickupPlace).where(PickupPlace.active.is_(True))
                                   .order_by(PickupPlace.position)))


def proposal(application: Application, now: datetime) -> tuple[PickupPlace | None, PickupSlot | None]:
    """Return the proposed pickup place (the first allowed) and date and window (`PICKUP_LEAD_DAYS` ahead)."""
    places = pickup_places(application)
    slot = propose_pickup(calendar.calendar(now), now, current_app.config["PICKUP_LEAD_DAYS"])
    return (places[0] if places else None), slot


@operation
def mark_ready(application: Application, user: User, now: datetime, place_code: str, day: date,
               window_text: str) -> None:
    """Mark an approved, collected-in-person document ready at a place, date and window; commit.

    Raises Refused("place") for a place this service is not collected at, Refused("date") for a past day or
    one without pickup hours, Refused("window") for a window that is not that day's, Refused("state").
    """
    if application.state != lifecycle.APPROVED:
        raise Refused("state", application.state)
    if self_printed(application):
        raise Refused("output", "self_printed")
    if place_code not in {place.code for place in pickup_places(application)}:
        raise Refused("place")
    office = calendar.calendar(now)
    if day < now.astimezone(office.tz).date() or not pickup_windows(office, day):
        raise Refused("date")
    try:
        window = Window.parse(window_text)
    except ValueError:
        raise Refused("window") from None
    if window not in pickup_windows(office, day):
        raise Refused("window")
    application.pickup_place_code, application.pickup_date, application.pickup_window = place_code, day, str(window)
    move(application, lifecycle.READY, user, now)
    notifications.enqueue_for(application, "ready", now)
    audit.record(user, "ready", now, application, f"{place_code} {day.isoformat()} {window}")
    db.session.commit()


@operation
def attach_output(application: Application, user: User, now: datetime, clean: CleanFile) -> None:
    """Store the signed PDF of a self-printed document and mark the application ready; commit.

    Raises Refused("output") for anything but a PDF, Refused("state") unless approved. The file is removed
    again if the commit fails.
    """
    if application.state != lifecycle.APPROVED:
        raise Refused("state", application.state)
    if not self_printed(application):
        raise Refused("output", "collected_in_person")
    if clean.kind != "pdf":
        raise Refused("output")
    name = storage.upload_store().save(clean)
    try:
        application.output_stored_name = name
        move(application, lifecycle.READY, user, now)
        notifications.enqueue_for(application, "ready", now)
        audit.record(user, "upload_output", now, application, f"{len(clean.data) // 1024} KB")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        storage.discard([name])
        raise


@operation
def view_scan(application: Application, document: ApplicationDocument | None, user: User, now: datetime) -> None:
    """Record in the audit log that `user` opened a scan (or the output PDF when `document` is None); commit."""
    action, detail = ("view_scan", document.code) if document is not None else ("view_output", "")
    audit.record(user, action, now, application, detail)
    db.session.commit()
