"""Tracking: the correction loop and a ready document's downloads, on the `track` blueprint.

- `/lacak/<reference>/perbaiki/<document>`: replace a document the clerk asked to fix (the same upload rules
  and messages as the application form);
- `/lacak/<reference>/kirim-perbaikan`: send the corrected application back to the office;
- `/lacak/<reference>/tanda-terima.pdf?ukuran=a6|80`: the pickup receipt of a document collected in person;
- `/lacak/<reference>/dokumen-jadi.pdf`: the signed PDF of a self-printed document; its first download ends
  the application (collected, by the system).

`track_extras(application)` gives the status page what it shows for these (a template helper registered
here), so the status view itself stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import abort, current_app, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import access
from ..domain import event_reasons, lifecycle
from ..domain.correction import general_note
from ..errors import error_page
from ..extensions import htmx
from ..models import Application
from ..pdf.pickup import SIZES as PICKUP_SIZES
from ..pdf.pickup import cached_pickup_receipt, pickup_receipt_key, pickup_window_text, who_may_collect
from ..services import applications, batches, calendar, review, storage
from ..services.calendar import office_zone
from ..templating import localized, render
from .. import application_text
from ..uploads import UploadRejected, inspect_upload, rejection_message
from ..uploads import budget as upload_budget
from .blueprint import bp
from .forms import FixForm
from ..downloads import private_file, revalidated_pdf

DOWNLOADED_REASON = event_reasons.fixed(event_reasons.DOWNLOADED)


# What the status page shows


@dataclass(frozen=True)
class Correction:
    """A correction the office asked for: the clerk's message, when, and what is still to be replaced."""

    note: str
    asked_at: datetime | None
    pending: list[tuple[str, str]]  # (code, name) of documents still marked for a fix
    missing: list[tuple[str, str]]  # (code, name) of the service's documents never uploaded
    asked: list[tuple[str, str]] = field(default_factory=list)  # (name, the clerk's reason) of each pending one
    replaced: set[str] = field(default_factory=set)  # codes of documents uploaded since the request

    def may_replace(self, document) -> bool:
        """Return True when the status page offers to replace `document`: marked for a fix, or any
        document when the clerk only left a note."""
        return document.state == review.NEEDS_FIX or not self.pending


@dataclass(frozen=True)
class Pickup:
    """Where and when a document collected in person waits, and who may collect it."""

    place_name: str
    place_address: str
    day: date
    window_text: str
    who_may_collect: tuple[str, ...]


@dataclass(frozen=True)
class Output:
    """A self-printed document: whether it waits to be downloaded (`ready`: the application is ready, not yet
    collected), when it was first downloaded, and until when it can be downloaded."""

    ready: bool
    downloaded_at: datetime | None
    available_until: date | None
    available: bool


@dataclass(frozen=True)
class TrackExtras:
    correction: Correction | None = None
    pickup: Pickup | None = None
    output: Output | None = None


@bp.app_context_processor
def track_helpers():
    """Give templates `track_extras(application)` (app-wide: another area may show the status page too)."""
    return {"track_extras": track_extras}


def track_extras(application: Application) -> TrackExtras:
    """Return what the status page adds for a correction, a pickup or a self-printed document (or nothing)."""
    if application.state == lifecycle.NEEDS_CORRECTION:
        return TrackExtras(correction=correction_of(application))
    if application.state == lifecycle.READY and not review.self_printed(application):
        return TrackExtras(pickup=pickup_of(application))
    if application.state in (lifecycle.READY, lifecycle.COLLECTED) and review.self_printed(application):
        return TrackExtras(output=output_of(application))
    return TrackExtras()


def correction_of(application: Application) -> Correction:
    """Return the correction asked of `application`: the latest request's message and the documents to redo."""
    asked = next((event for event in reversed(application.events)
                  if event.to_state == lifecycle.NEEDS_CORRECTION), None)
    names = application_text.document_names(application)
    uploaded = {document.code for document in application.documents}
    to_fix = [d for d in application.documents if d.state == review.NEEDS_FIX]
    return Correction(
        note=general_note(asked.reason if asked else "", [d.fix_reason for d in to_fix]),
        asked_at=asked.at if asked else None,
        pending=[(d.code, names.get(d.code, d.code)) for d in to_fix],
        missing=[(code, name) for code, name in names.items() if code not in uploaded],
        asked=[(names.get(d.code, d.code), d.fix_reason) for d in to_fix],
        replaced={d.code for d in application.documents if asked and d.uploaded_at > asked.at})


def pickup_of(application: Application) -> Pickup | None:
    """Return the pickup of a ready document collected in person, or None when it has no place or date yet."""
    place = application.pickup_place
    if place is None or application.pickup_date is None or not application.pickup_window:
        return None
    return Pickup(place_name=place.name, place_address=place.address or "", day=application.pickup_date,
                  window_text=pickup_window_text(application.pickup_window),
                  who_may_collect=who_may_collect(application))


def output_of(application: Application) -> Output | None:
    """Return the state of a self-printed document's download, or None when no signed PDF was uploaded."""
    if not application.output_stored_name:
        return None
    if application.state == lifecycle.READY:
        return Output(True, downloaded_at=None, available_until=None, available=True)
    ended = _ended_at(application)
    until = ended + timedelta(days=current_app.config["SCAN_RETENTION_DAYS"]) if ended else None
    available = until is not None and calendar.now() < until and _output_exists(application)
    downloaded = ended if _downloaded(application) else None
    return Output(False, downloaded_at=downloaded,
                  available_until=until.astimezone(office_zone()).date() if until else None,
                  available=available)


# Replacing a document


def _unlocked_or_redirect(reference: str):
    """Return (application, None) when this browser unlocked `reference`, else (None, a 303 to the form)."""
    found = access.unlocked_application(reference)
    if found is None:
        return None, redirect(url_for("track.form", nomor=reference), 303)
    return found, None


def _document_spec(application: Application, document_code: str) -> dict | None:
    """Return the service's document whose code is `document_code` (any case) — or the resident's consent
    letter, on an application a village operator filed — else None."""
    if application.filed_by is not None and document_code.upper() == applications.CONSENT_DOCUMENT:
        return {"code": applications.CONSENT_DOCUMENT}
    return next((document for document in application.service.documents
                 if document["code"].lower() == document_code.lower()), None)


@bp.route("/<reference>/perbaiki/<document_code>", methods=["GET", "POST"])
def fix_document(reference: str, document_code: str):
    """Return the upload page of a document to replace; on a good upload store it and go back to the status
    page (303, or HX-Redirect). A refused file gets its message (422, or the `upload` block for htmx); an
    application not waiting for a correction gets 409; an unknown document 404."""
    found, away = _unlocked_or_redirect(reference)
    if found is None:
        return away
    spec = _document_spec(found, document_code)
    if spec is None:
        abort(404)
    if found.state != lifecycle.NEEDS_CORRECTION:
        return _refused(found, _("Permohonan ini tidak sedang menunggu perbaikan, jadi dokumennya tidak bisa "
                                 "diganti lagi."))
    form = FixForm()
    if request.method == "POST":
        error = _replace(found, spec["code"], form)
        if error is None:
            return _go(_status_url(found))
        form.document.errors = [error]
        return _upload_page(found, spec, form), 200 if htmx else 422
    return _upload_page(found, spec, form)


def _replace(application: Application, code: str, form: FixForm) -> str | None:
    """Store the posted file as the document `code`; return None, or the message saying why it was refused."""
    if not form.validate():
        return _("Formulir kedaluwarsa. Muat ulang halaman ini lalu unggah lagi.")
    upload = request.files.get(form.document.name)
    limit = current_app.config["UPLOAD_MAX_MB"] * 1024 * 1024
    data = upload.read(limit + 1) if upload else b""  # one byte more than allowed is enough to refuse
    if not data:
        return _("Pilih foto atau PDF dokumen ini.")
    try:
        upload_budget.spend(application.id)
        clean = inspect_upload(data, max_bytes=limit)
    except UploadRejected as rejected:
        return rejection_message(rejected)
    applications.attach_document(application, calendar.now(), code, clean)
    return None


def _upload_page(application: Application, spec: dict, form: FixForm) -> str:
    """Return the replace-a-document page (or, for an htmx upload, its `upload` block)."""
    current = next((d for d in application.documents if d.code == spec["code"]), None)
    return render("track/correction_upload.html", fragments=("upload",), application=application,
                  service=application.service, spec=spec, current=current, form=form,
                  name=application_text.document_names(application)[spec["code"]],
                  fix_reason=application_text.fix_asked(current))


@bp.errorhandler(RequestEntityTooLarge)
def far_too_large(error):
    """Return the replace page with a message when a body was too large to even read (413)."""
    args = request.view_args or {}
    found = access.unlocked_application(args.get("reference", "")) if request.endpoint == "track.fix_document" else None
    spec = _document_spec(found, args.get("document_code", "")) if found is not None else None
    if spec is None or found.state != lifecycle.NEEDS_CORRECTION:
        return error_page(error)
    form = FixForm(formdata=None)
    form.document.errors = [_("Berkas terlalu besar (paling besar %(limit)s MB). Kirim foto langsung dari "
                              "kamera HP, atau PDF dengan halaman yang diminta saja.",
                              limit=current_app.config["UPLOAD_MAX_MB"])]
    return _upload_page(found, spec, form), 200 if htmx else 413


def _go(url: str):
    """Return a 303 to `url`, or for an htmx request an `HX-Redirect` so the whole page changes."""
    if htmx:
        response = make_response("")
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def _refused(application: Application, message: str, pending=(), missing=()):
    """Return the page explaining why a correction step was refused, with what is left to do (409)."""
    return render("track/correction_refused.html", application=application, service=application.service,
                  message=message, pending=list(pending), missing=list(missing)), 409


# Sending the correction


@bp.post("/<reference>/kirim-perbaikan")
def send_correction(reference: str):
    """Send the corrected application back to the office (303 to the status page); 409 with what is left to
    replace, or when the application is not waiting for a correction."""
    found, away = _unlocked_or_redirect(reference)
    if found is None:
        return away
    if found.state != lifecycle.NEEDS_CORRECTION:
        return _refused(found, _("Permohonan ini tidak sedang menunggu perbaikan. Lihat statusnya di bawah."))
    try:
        review.resubmit(found, calendar.now(), actor_name=_operator_name(found))
    except review.Refused:
        pending = correction_of(found).pending
        return _refused(found, _("Perbaikan belum bisa dikirim. Ganti dulu dokumen yang diminta petugas: "
                                 "%(documents)s.", documents=", ".join(name for _code, name in pending)),
                        pending=pending)
    except applications.Incomplete as incomplete:
        names = application_text.document_names(found)
        missing = [(step.key, names[step.key]) for step in incomplete.steps if step.key in names]
        steps = ", ".join(names.get(step.key) or localized(step.spec, "label") or step.slug
                          for step in incomplete.steps)
        return _refused(found, _("Perbaikan belum bisa dikirim karena ada isian wajib yang kosong: %(steps)s.",
                                 steps=steps), missing=missing)
    except lifecycle.TransitionRefused:
        return _refused(found, _("Permohonan ini tidak sedang menunggu perbaikan. Lihat statusnya di bawah."))
    return redirect(_status_url(found), 303)


def _filing_operator(application: Application) -> bool:
    """Return True when the signed-in user is a village operator of the desa that filed `application`."""
    return (current_user.is_authenticated and current_user.role == "operator"
            and batches.owned(current_user, application))


def _operator_name(application: Application) -> str:
    """Return the name the timeline shows for who sent the correction: the filing operator's, or "" (the
    resident)."""
    return current_user.full_name if _filing_operator(application) else ""


def _status_url(application: Application) -> str:
    """Return where to go after a fix: the operator's page of the application for its desa's operator (they
    came from there), else the resident's tracking page."""
    if _filing_operator(application):
        return url_for("village.application", reference=application.reference)
    return url_for("track.application", reference=application.reference)


# Downloads of a ready document


@bp.get("/<reference>/tanda-terima.pdf")
def pickup_receipt(reference: str):
    """Return the pickup receipt PDF (`?ukuran=a6|80`) of a ready document collected in person, rendered
    once per version and kept; 404 when the application is not ready for pickup or the size is unknown."""
    found, away = _unlocked_or_redirect(reference)
    if found is None:
        return away
    size = request.args.get("ukuran", "a6")
    if size not in PICKUP_SIZES or found.state != lifecycle.READY or pickup_of(found) is None:
        abort(404)
    etag = pickup_receipt_key(found, size)
    return revalidated_pdf(etag, lambda: cached_pickup_receipt(found, size), f"tanda-terima-{found.reference}-{size}.pdf")


@bp.get("/<reference>/dokumen-jadi.pdf")
def output_document(reference: str):
    """Return the signed PDF of a self-printed document as a download; the first download moves the
    application to collected. 404 when there is none, or it is gone after the scan retention."""
    found, away = _unlocked_or_redirect(reference)
    if found is None:
        return away
    output = output_of(found) if review.self_printed(found) else None
    if output is None or not output.available:
        abort(404)
    body = storage.stored_bytes(found.output_stored_name)
    if body is None:
        abort(404)
    if found.state == lifecycle.READY:
        applications.collect_by_download(found, calendar.now(), DOWNLOADED_REASON)
    return private_file(body, "application/pdf", f"{found.reference}-{found.service_code.lower()}.pdf",
                        attachment=True, policy="default-src 'none'; sandbox")


def _ended_at(application: Application) -> datetime | None:
    """Return when `application` last moved into collected, or None."""
    return next((event.at for event in reversed(application.events) if event.to_state == lifecycle.COLLECTED),
                None)


def _downloaded(application: Application) -> bool:
    """Return True when the application ended by its document being downloaded (not handed over)."""
    return any(event.to_state == lifecycle.COLLECTED and event.actor == lifecycle.SYSTEM
               for event in application.events)


def _output_exists(application: Application) -> bool:
    """Return True while the signed PDF is still stored."""
    return storage.stored_exists(application.output_stored_name)
