"""Tracking: `/lacak` with reference + PIN, the status page, the receipt, cancelling, and leaving."""

from __future__ import annotations

import time

from flask import abort, current_app, make_response, redirect, request, url_for
from flask_babel import gettext as _

from .. import access, application_text
from ..domain import event_reasons, lifecycle
from ..domain.nik import mask
from ..extensions import limiter
from ..guesses import pin_guesses, reference_key
from ..pagecache import cached_page
from ..pdf.receipt import cached_receipt, receipt_key
from ..services import applications, calendar, notifications
from ..templating import render

from .blueprint import bp
from .forms import CancelForm, TrackForm
from ..downloads import revalidated_pdf

RECEIPT_SIZES = ("a4", "a6")


def _reference_key() -> str:
    """Return the PIN-budget key of the reference typed in the form (so guesses from many clients add up)."""
    return reference_key(request.form.get("reference", ""))


def _cancel_key() -> str:
    """Return the PIN-budget key of the reference being cancelled (in the URL)."""
    return reference_key(request.view_args.get("reference", ""))


def _too_many(limit):
    """Return the tracking form again with the typed reference and when to try again (429)."""
    form = TrackForm()
    seconds = max(1, int(limit.reset_at - time.time()) + 1)
    minutes = -(-seconds // 60)
    message = _("Terlalu banyak percobaan. Coba lagi dalam %(minutes)s menit.", minutes=minutes)
    response = make_response(render("track/form.html", form=form, error=message), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("", methods=["GET", "POST"])
@cached_page(csrf=True)
@limiter.limit(lambda: current_app.config["TRACK_LIMIT"], methods=["POST"], on_breach=_too_many)
@pin_guesses(_reference_key, on_breach=_too_many)
def form():
    """Return the tracking form; on a post with a matching reference and PIN, open the status page (303)."""
    form = TrackForm(data={"reference": request.args.get("nomor", "")})
    if request.method == "POST":
        typed_reference, typed_pin = (form.reference.data or "").strip(), form.pin.data or ""
        if not typed_reference or not typed_pin:
            error = _("Isi nomor permohonan dan PIN.")
        else:
            application = applications.unlock(typed_reference, typed_pin)
            if application is not None:
                if application.state == lifecycle.DRAFT:
                    access.remember_draft(application, typed_pin)
                else:
                    access.unlock(application)
                return redirect(url_for("track.application", reference=application.reference), 303)
            error = _("Nomor permohonan atau PIN tidak cocok. Periksa lagi keduanya.")
        return render("track/form.html", form=form, error=error), 422
    return render("track/form.html", form=form, error=None)


def _draft_note(application) -> str | None:
    """Return what the status page says of a draft: "village" (an operator's, continued at the balai desa),
    "paused" (its service is switched off), "continue" (the resident may go on), or None for a sent one."""
    if application.state != lifecycle.DRAFT:
        return None
    if application.channel == "village":
        return "village"
    return "continue" if application.service.active else "paused"


@bp.get("/<reference>")
def application(reference: str):
    """Return the status page of an application this browser unlocked; else the tracking form (303)."""
    found = access.unlocked_application(reference)
    if found is None:
        return redirect(url_for("track.form", nomor=reference), 303)
    events = application_text.timeline(found.events)
    return render("track/application.html", application=found, service=found.service,
                  state_label=application_text.state_label(found.state),
                  next_step=application_text.next_step(found.state, found.service.visit_required),
                  events=list(reversed(events)), document_names=application_text.document_names(found),
                  document_state=application_text.document_state_label, masked_nik=mask(found.nik or ""),
                  can_cancel=lifecycle.can(found.state, lifecycle.CANCELLED, lifecycle.APPLICANT),
                  has_receipt=found.state != lifecycle.DRAFT, draft_note=_draft_note(found),
                  sent_notifications=notifications.notifications_of(found))


@bp.route("/<reference>/batal", methods=["GET", "POST"])
@pin_guesses(_cancel_key, on_breach=_too_many)
def cancel(reference: str):
    """Return the cancel confirmation; on a post with the right PIN, cancel (303 to the status page)."""
    found = access.unlocked_application(reference)
    if found is None:
        return redirect(url_for("track.form", nomor=reference), 303)
    if not lifecycle.can(found.state, lifecycle.CANCELLED, lifecycle.APPLICANT):
        return render("track/cancel.html", application=found, form=None,
                      error=_("Permohonan ini tidak bisa dibatalkan lagi karena sudah diperiksa petugas.")), 409
    form = CancelForm()
    if request.method == "POST" and form.validate():
        if applications.unlock(found.reference, form.pin.data or "") is not None:
            applications.cancel(found, calendar.now(), event_reasons.fixed(event_reasons.CANCELLED_BY_APPLICANT))
            access.forget_draft(found.service_code)
            return redirect(url_for("track.application", reference=found.reference), 303)
        return render("track/cancel.html", application=found, form=form,
                      error=_("PIN tidak cocok. Permohonan tidak dibatalkan.")), 422
    return render("track/cancel.html", application=found, form=form, error=None)


@bp.post("/tutup")
def close():
    """Forget, in this browser and on the server, every application unlocked or started here (for shared
    phones and PCs); 303 to the tracking form."""
    access.forget_residents_grants()
    return redirect(url_for("track.form"), 303)


@bp.get("/<reference>/bukti.pdf")
def receipt(reference: str):
    """Return the application receipt PDF (`?ukuran=a4|a6`), rendered once per version and kept."""
    found = access.unlocked_application(reference)
    if found is None or found.state == lifecycle.DRAFT:
        abort(404)
    size = request.args.get("ukuran", "a4")
    if size not in RECEIPT_SIZES:
        abort(404)
    etag = receipt_key(found, size)
    return revalidated_pdf(etag, lambda: cached_receipt(found, size), f"bukti-{found.reference}-{size}.pdf")
