"""The operator's home `/desa` and one application's page `/desa/permohonan/<reference>`.

The home lists only what the desa's own operators filed (channel "village", filer of this desa): counts per
status, a search by name, NIK or reference (read as the clerks' inbox reads it), then what needs action
first — corrections the office asked for — the drafts not yet in a batch, the open batches and the latest
applications. The application page shows its state, timeline, documents and batch; while a correction is
asked it offers the tracking pages' own correction loop (this browser is let in with `access.unlock`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from .. import access
from ..auth.guard import roles_required
from ..domain import lifecycle
from ..domain.nik import mask
from ..extensions import db
from ..models import Application
from ..services import batches
from ..staff.inbox_query import read_search, search_clause
from ..templating import localized, render
from .. import application_text
from ..track.correction import correction_of, track_extras
from .batches import batch_sizes, missing_steps, progress_label, step_names
from .blueprint import OPERATOR, bp
from .ownership import own_application_or_404

RECENT = 20  # the latest applications on the home page; a status or a search shows more
FOUND = 100
STATES = (lifecycle.NEEDS_CORRECTION, lifecycle.DRAFT, lifecycle.SUBMITTED, lifecycle.IN_REVIEW,
          lifecycle.APPROVED, lifecycle.READY, lifecycle.COLLECTED, lifecycle.REJECTED, lifecycle.CANCELLED)


@bp.context_processor
def village_helpers():
    """Give the village pages `has_page(endpoint)`: links to pages other changes add appear once they exist."""
    return {"has_page": lambda endpoint: endpoint in current_app.view_functions}


@dataclass(frozen=True)
class ActionNeeded:
    """An application the office sent back: the clerk's note and each document to replace with its reason."""

    application: Application
    note: str
    documents: list[tuple[str, str]]  # (document name, reason)


def _desa_query(*columns):
    return select(*columns).where(batches.filed_in_desa(current_user.region_code))


def _counts() -> dict[str, int]:
    """Return how many of the desa's applications are in each state."""
    rows = db.session.execute(_desa_query(Application.state, func.count()).group_by(Application.state))
    return dict(rows.all())


def _needing_action() -> list[ActionNeeded]:
    """Return the desa's applications waiting for a correction, oldest request first, with the reasons."""
    found = db.session.scalars(_desa_query(Application).where(
        Application.state == lifecycle.NEEDS_CORRECTION).order_by(Application.updated_at, Application.id))
    needed = []
    for application in found:
        correction = correction_of(application)
        needed.append(ActionNeeded(application, correction.note, correction.asked))
    return needed


@bp.get("")
@roles_required(OPERATOR)
def home():
    """Return the operator's home: counts, search, corrections first, drafts, open batches, latest applications.

    A search that cannot be read (a NIK of 15 digits) is answered with its message next to the field (422).
    """
    typed = request.args.get("cari", "")
    status = request.args.get("status", "")
    status = status if status in STATES else ""
    search, error = read_search(typed, current_app.config["REFERENCE_PREFIX"])
    query = _desa_query(Application)
    if search:
        query = query.where(search_clause(search))
    if status:
        query = query.where(Application.state == status)
    listed = [] if error else list(db.session.scalars(
        query.order_by(Application.updated_at.desc(), Application.id.desc())
        .limit(FOUND if (search or status) else RECENT)))
    drafts = batches.addable(current_user)
    open_batches = batches.open_of_desa(current_user.region_code)
    html = render("village/home.html", fragments=("results",), counts=_counts(), states=STATES, status=status,
                  typed=typed, search=search, error=error, listed=listed, needing=_needing_action(),
                  drafts=[(application, step_names(missing_steps(application))) for application in drafts],
                  open_batches=open_batches, sizes=batch_sizes(open_batches), state_label=application_text.state_label,
                  masked=_masked, service_name=_service_name, progress_label=progress_label)
    return html, 422 if error else 200


def _masked(nik: str | None) -> str:
    return mask(nik) if nik else "—"


def _service_name(application: Application) -> str:
    return localized(application.service, "name")


@bp.get("/permohonan/<reference>")
@roles_required(OPERATOR)
def application(reference: str):
    """Return one of the desa's applications: state, what to do, documents, batch, timeline (404 otherwise).

    While the office asks for a correction, or a document is ready to download, this browser is let into the
    tracking pages of this application (`access.unlock`), whose correction and download pages do the work.
    """
    found = own_application_or_404(reference)
    extras = track_extras(found)
    if extras.correction or extras.output or extras.pickup:
        access.unlock(found)
    events = application_text.timeline(reversed(found.events))
    missing = step_names(missing_steps(found)) if found.state == lifecycle.DRAFT else []
    return render("village/application.html", application=found, service=found.service, extras=extras,
                  is_draft=found.state == lifecycle.DRAFT, fix_asked=application_text.fix_asked,
                  state_label=application_text.state_label(found.state),
                  next_step=application_text.next_step(found.state, found.service.visit_required),
                  events=events, document_names=application_text.document_names(found),
                  document_state=application_text.document_state_label, masked_nik=_masked(found.nik), missing=missing,
                  batch_progress=progress_label(batches.progress(found.batch)) if found.batch else "",
                  consent_label={"in_person": _("Warga hadir langsung"),
                                 "signed_form": _("Surat persetujuan bertanda tangan")}.get(found.consent or "", "—"))
