"""Filing on a resident's behalf: choose a service, record how the resident consented, then the residents'
own form (`/ajukan/<code>/<step>`, see `portal/apply/behalf.py` for what differs there); afterwards the
"saved" page with the reference and PIN, the slip to hand over, a fresh PIN when the old one is lost, and
taking a draft up again.

The PIN is known only when it is made: it is kept in the operator's session (`access.keep_slip_pin`) so
the slip can be printed and reprinted until they sign out.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import access
from ..auth.guard import roles_required
from ..domain import form as form_steps
from ..domain import lifecycle
from ..domain.nik import mask
from ..errors import error_page
from ..pdf.slip import SIZES, SlipData, render_slip
from ..services import applications, audit, calendar, catalogue
from ..templating import localized, public_url, render
from ..uploads import UploadRejected, inspect_upload, rejection_message
from ..uploads import budget as upload_budget
from .blueprint import OPERATOR, bp
from .ownership import own_application_or_404
from .forms import IN_PERSON, SIGNED_FORM, ConsentForm, PinForm
from ..downloads import pdf_response



@bp.get("/ajukan")
@roles_required(OPERATOR)
def file_start():
    """Return the services an operator can file for a resident, grouped like the residents' list."""
    return render("village/filing_start.html", groups=catalogue.grouped(catalogue.active_services()))


@bp.route("/ajukan/<code>", methods=["GET", "POST"])
@roles_required(OPERATOR)
def file_consent(code: str):
    """Return the consent page of a service; on a valid post start the resident's draft (303 to its first
    step). Nothing is stored until the consent is valid; a bad choice or upload answers 422 with a message."""
    service = catalogue.find_service(code)
    if service is None:
        abort(404)
    form = ConsentForm()
    if request.method == "POST" and form.validate():
        clean = _checked_consent(form)
        if clean is not False:
            now = calendar.now()
            application, pin = applications.start_draft(service, now, channel="village", filed_by=current_user,
                                                         consent=form.consent.data)
            if clean is not None:
                applications.attach_document(application, now, applications.CONSENT_DOCUMENT, clean)
            access.remember_draft(application, pin)
            access.keep_slip_pin(application, pin)
            return redirect(url_for("apply.step", code=service.code.lower(), slug=form_steps.APPLICANT_STEPS[0][1]),
                            303)
    status = 422 if request.method == "POST" else 200
    return render("village/filing_consent.html", service=service, form=form), status


@bp.errorhandler(RequestEntityTooLarge)
def far_too_large(error):
    """Return the consent page again with a message when the signed form was too large even to read (413);
    any other operator page answers with the usual 413 page."""
    service = catalogue.find_service((request.view_args or {}).get("code", ""))
    if request.endpoint != "village.file_consent" or service is None:
        return error_page(error)
    form = ConsentForm(formdata=None, consent=SIGNED_FORM)  # the body is unread: only an upload is that large
    form.letter.errors = [_("Berkas terlalu besar (paling besar %(limit)s MB). Foto surat persetujuan langsung "
                            "dari kamera HP, atau unggah PDF satu halaman.",
                            limit=current_app.config["UPLOAD_MAX_MB"])]
    return render("village/filing_consent.html", service=service, form=form), 413


def _checked_consent(form: ConsentForm):
    """Return the inspected consent letter, None when the resident came in person, or False (with an error on
    the form) when the choice or the upload is not acceptable."""
    if form.consent.data not in (IN_PERSON, SIGNED_FORM):
        form.consent.errors = [_("Pilih cara warga memberi persetujuan.")]
        return False
    if form.consent.data == IN_PERSON:
        return None
    upload = request.files.get(form.letter.name)
    limit = current_app.config["UPLOAD_MAX_MB"] * 1024 * 1024
    data = upload.read(limit + 1) if upload else b""
    if not data:
        form.letter.errors = [_("Unggah foto atau PDF surat persetujuan yang sudah ditandatangani warga.")]
        return False
    try:
        upload_budget.spend(None)  # the application does not exist yet: the client's budget only
        return inspect_upload(data, max_bytes=limit)
    except UploadRejected as rejected:
        form.letter.errors = [rejection_message(rejected)]
        return False


@bp.get("/permohonan/<reference>/disimpan")
@roles_required(OPERATOR)
def filed(reference: str):
    """Return the operator's "saved" page: reference and PIN in big type, the slip, the batch, what next."""
    application = own_application_or_404(reference)
    return render("village/filing_done.html", application=application, service=application.service,
                  pin=access.slip_pin(application), pin_form=PinForm())


@bp.post("/permohonan/<reference>/lanjut")
@roles_required(OPERATOR)
def resume(reference: str):
    """Take up a draft of the desa in this browser and go to its first unanswered step (303); 409 when it is
    no longer a draft."""
    application = own_application_or_404(reference)
    if application.state != lifecycle.DRAFT:
        return render("village/filing_refused.html", application=application,
                      message=_("Permohonan %(reference)s sudah dikirim, jadi tidak bisa diubah lagi di sini.",
                                reference=application.reference)), 409
    access.remember_draft(application, access.slip_pin(application))
    step = form_steps.first_incomplete(applications.steps(application), applications.progress(application))
    code = application.service_code.lower()
    target = url_for("apply.step", code=code, slug=step.slug) if step else url_for("apply.check", code=code)
    return redirect(target, 303)


@bp.get("/permohonan/<reference>/slip.pdf")
@roles_required(OPERATOR)
def slip(reference: str):
    """Return the resident's slip (A6 or 80 mm) while this session knows the PIN; else a page offering a new
    PIN (409). An unknown size is a 404."""
    application = own_application_or_404(reference)
    size = request.args.get("ukuran", "a6")
    if size not in SIZES:
        abort(404)
    pin = access.slip_pin(application)
    if pin is None:
        return render("village/filing_pin.html", application=application, service=application.service,
                      pin_form=PinForm()), 409
    return pdf_response(render_slip(_slip_data(application, pin), size), f"slip-{application.reference}-{size}.pdf")  # it carries a PIN


def _slip_data(application, pin: str) -> SlipData:
    filer = application.filer
    return SlipData(
        reference=application.reference, pin=pin, service_name=localized(application.service, "name"),
        full_name=application.full_name or "", masked_nik=mask(application.nik) if application.nik else "",
        track_url=public_url(url_for("track.form")),
        qr_url=public_url(url_for("verify.page", token=application.verification_token)),  # as on every QR
        desa_name=filer.region.name if filer and filer.region else "", operator_name=filer.full_name if filer else "",
        day=application.created_at.astimezone(calendar.office_zone()).date(),
        office_name=current_app.config["OFFICE_NAME"], office_short_name=current_app.config["OFFICE_SHORT_NAME"])


@bp.post("/permohonan/<reference>/pin-baru")
@roles_required(OPERATOR)
def new_pin(reference: str):
    """Replace the application's PIN with a new one (the old stops working), keep it for the slip, and go to
    the "saved" page that shows it (303)."""
    application = own_application_or_404(reference)
    now = calendar.now()
    line = audit.Line(current_user, "new_pin", now, application, "PIN baru untuk slip warga")
    pin = applications.new_pin(application, now, current_user.full_name, audited=line)
    access.keep_slip_pin(application, pin)
    return redirect(url_for("village.filed", reference=application.reference), 303)
