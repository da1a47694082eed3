"""The application form: `/ajukan/<service>/<step>`, one question per page, then check, declare and submit."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, current_app, make_response, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from .. import access
from ..errors import error_page
from ..extensions import db, htmx
from ..pagecache import cached_page
from ..downloads import private_file
from ..models import ApplicationDocument, Region, Service
from ..domain import form as form_steps
from ..domain import lifecycle
from ..services import applications, calendar, catalogue, reports, storage
from ..templating import public_url, render
from ..uploads import PREVIEW_SIDE, preview_jpeg
from . import behalf, duplicate_notice, forms
from .steps import HANDLERS, desa_list

bp = Blueprint("apply", __name__, url_prefix="/ajukan", template_folder="templates")

CHECK = "periksa"


def _service_or_404(code: str):
    """Return the active service `code`; abort 404, with the "not taking applications" page when the service
    exists but is switched off (a resident's draft of it must not meet a bare "page not found")."""
    service = catalogue.find_service(code)
    if service is None:
        switched_off = db.session.get(Service, (code or "").upper())
        if switched_off is not None:
            found = access.draft_for(switched_off.code)
            draft = found[0] if found and found[0].state == lifecycle.DRAFT else None
            abort(make_response(render("apply/service_off.html", service=switched_off, draft=draft), 404))
        abort(404)
    return service


def _draft(service) -> tuple:
    """Return this browser's draft of `service` and its PIN, or (None, None) when there is none to edit."""
    found = access.draft_for(service.code)
    if found is None or found[0].state != lifecycle.DRAFT or not behalf.may_continue(found[0]):
        return None, None
    return found


@bp.get("")
@cached_page()
def choose():
    """Return the list of services to apply for."""
    return render("apply/choose.html", groups=catalogue.grouped(catalogue.active_services()))


@bp.get("/<code>")
@cached_page()
def start(code: str):
    """Return a service's start page: what the form asks, what to have at hand, and "Mulai"."""
    service = _service_or_404(code)
    application, _pin = _draft(service)
    resume = None
    if application is not None:
        resume = form_steps.first_incomplete(applications.steps(application), applications.progress(application))
    return render("apply/start.html", service=service, draft=application, resume=resume,
                  steps=form_steps.steps_for(service.questions, service.documents))


@bp.route("/<code>/<slug>", methods=["GET", "POST"])
def step(code: str, slug: str):
    """Return one question's page; on a valid post save the answer and go to the next (303)."""
    service = _service_or_404(code)
    application, _pin = _draft(service)
    all_steps = form_steps.steps_for(service.questions, service.documents)
    current = form_steps.find_step(all_steps, slug)
    if current is None:
        abort(404)
    if application is None and behalf.is_operator():  # an operator starts with how the resident consented
        return redirect(url_for("village.file_consent", code=code), 303)
    if application is None and current.kind != form_steps.NIK:
        return redirect(url_for("apply.step", code=code, slug=all_steps[0].slug), 303)
    handler = HANDLERS[current.kind]
    back_to_check = request.args.get("kembali") == CHECK
    next_url = _next_url(code, all_steps, current, back_to_check)
    if request.method == "GET":
        received = current.kind == form_steps.DOCUMENT and request.args.get("diterima") == "1"  # where a plain upload returns
        return _render_step(service, application, all_steps, current, handler.form(application, current), [],
                            back_to_check, uploaded=received, next_url=next_url)

    form = handler.form(application, current, formdata=request.form)
    leaving = bool(form.save.data)
    arrived = current.kind == form_steps.DOCUMENT and not handler.is_empty(form) and not form.skip.data
    if leaving and handler.is_empty(form):
        if application is None:
            return go(url_for("apply.start", code=code))
        return go(url_for("apply.saved", code=code))
    now = calendar.now()
    if current.kind == form_steps.NIK:
        result = handler.save(application, current, form, now, service=service)
    else:
        result = handler.save(application, current, form, now)
    if result.started is not None:
        application, pin = result.started
        access.remember_draft(application, pin)
    if not result.saved:
        status = 200 if request.headers.get("HX-Request") else 422
        return _render_step(service, application, all_steps, current, form, result.warnings, back_to_check), status
    if leaving:
        return go(url_for("apply.saved", code=code))
    if arrived and htmx:
        # An upload stays on the page to show what was received, with "Lanjut" to move on: sent by htmx,
        # in place; sent plainly, on the page it returns to.
        return _render_step(service, application, all_steps, current, handler.form(application, current), [],
                            back_to_check, uploaded=True, next_url=next_url)
    if arrived:
        return go(url_for("apply.step", code=code, slug=current.slug, diterima="1",
                          kembali=CHECK if back_to_check else None, _anchor="upload"))  # opens at what arrived
    return go(next_url)


def _next_url(code: str, all_steps: list, current, back_to_check: bool) -> str:
    """Return where "Lanjut" leads from the step `current`: the next step, or the check page after the last
    step or when the step was opened from there."""
    following = form_steps.step_after(all_steps, current)
    return (url_for("apply.check", code=code) if back_to_check or following is None
            else url_for("apply.step", code=code, slug=following.slug))


@bp.errorhandler(RequestEntityTooLarge)
def far_too_large(error):
    """Return the upload page again with a message when a body was too large to even read (413)."""
    code, slug = (request.view_args or {}).get("code"), (request.view_args or {}).get("slug")
    service = catalogue.find_service(code or "")
    application, _pin = _draft(service) if service else (None, None)
    all_steps = form_steps.steps_for(service.questions, service.documents) if service else []
    current = form_steps.find_step(all_steps, slug or "")
    if application is None or current is None or current.kind != form_steps.DOCUMENT:
        return error_page(error)
    form = HANDLERS[current.kind].form(application, current)
    form.document.errors = [_("Berkas terlalu besar (paling besar %(limit)s MB). Kirim foto langsung dari "
                              "kamera HP, atau PDF dengan halaman yang diminta saja.",
                              limit=current_app.config["UPLOAD_MAX_MB"])]
    page = _render_step(service, application, all_steps, current, form, [], request.args.get("kembali") == CHECK)
    return page, 200 if htmx else 413


def go(url: str):
    """Return a 303 to `url`, or for an htmx request an `HX-Redirect` so the whole page changes."""
    if htmx:
        response = current_app.make_response("")
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def _render_step(service, application, all_steps, current, form, warnings, back_to_check, uploaded=False,
                 next_url=None):
    """Return a step's page (or, for an htmx upload, its `upload` block)."""
    handler = HANDLERS[current.kind]
    index = all_steps.index(current)
    previous = all_steps[index - 1] if index else None
    back = (url_for("apply.check", code=service.code.lower()) if back_to_check
            else url_for("apply.step", code=service.code.lower(), slug=previous.slug) if previous
            else url_for("apply.start", code=service.code.lower()))
    existing = None
    if current.kind == form_steps.DOCUMENT and application is not None:
        existing = next((d for d in application.documents if d.code == current.key), None)
    uploaded = uploaded and existing is not None  # "received" only about a document that is there
    return render(handler.template, fragments=("upload", "desa_field"), service=service, application=application,
                  step=current, form=form, warnings=warnings, number=index + 1, total=len(all_steps),
                  back=back, back_to_check=back_to_check, existing=existing, uploaded=uploaded, next_url=next_url,
                  desa_groups=_desa_groups(form, application) if current.kind == form_steps.ADDRESS else None)


def _desa_groups(form, application) -> list[tuple[str, list]]:
    """Return the desa to offer, grouped by kecamatan (only the chosen kecamatan's when one is chosen; only
    the operator's own desa on a draft a village operator files)."""
    names = {choice.value: choice.label for choice in form.kecamatan.choices if choice.value}
    only = behalf.filing_desa(application)
    if only is not None:
        return [(names.get(only.parent_code, only.parent_code), [only])]
    chosen = request.args.get("kecamatan") or ""  # without JavaScript every desa is offered, grouped
    groups: dict[str, list] = {}
    for desa in desa_list(chosen if chosen in names else None):
        groups.setdefault(desa.parent_code, []).append(desa)
    return [(names.get(code, code), members) for code, members in groups.items()]


@bp.get("/<code>/alamat/desa")
def desa_options(code: str):
    """Return the address page's desa field for the chosen kecamatan (the htmx filter; a page without JS)."""
    service = _service_or_404(code)
    application, _pin = _draft(service)
    if application is None:
        return redirect(url_for("apply.start", code=code), 303)
    all_steps = form_steps.steps_for(service.questions, service.documents)
    current = next(s for s in all_steps if s.kind == form_steps.ADDRESS)
    form = HANDLERS[current.kind].form(application, current)
    form.kecamatan.data = request.args.get("kecamatan", "")
    return _render_step(service, application, all_steps, current, form, [], False)


@bp.route("/<code>/" + CHECK, methods=["GET", "POST"])
def check(code: str):
    """Return the check-your-answers page; on a post with the declaration, submit (303 to the confirmation)."""
    service = _service_or_404(code)
    application, _pin = _draft(service)
    if application is None:
        return redirect(url_for("apply.start", code=code), 303)
    all_steps = applications.steps(application)
    progress = applications.progress(application)
    missing = form_steps.missing_required(all_steps, progress)
    kecamatan = db.session.get(Region, application.region.parent_code) if application.region else None
    kecamatan_name = kecamatan.name if kecamatan else ""
    duplicate = duplicate_notice.notice(application)
    if behalf.is_village(application):  # into the desa's batch, not submitted from here
        return behalf.check_page(service, application, all_steps, progress, missing, kecamatan_name, duplicate)
    form = forms.DeclarationForm()
    if request.method == "POST" and form.validate() and not missing:
        try:
            applications.submit(application, calendar.now(), duplicate_reason=form.duplicate_reason.data or "")
        except applications.Incomplete as incomplete:
            missing = incomplete.steps
        except applications.DuplicateOpen as refused:  # found now, or sent without a reason
            form.duplicate_reason.errors = [duplicate_notice.reason_message(refused.code)]
            duplicate = duplicate_notice.notice(application)
        else:
            from ..pdf.receipt import cached_receipt
            cached_receipt(application)  # the confirmation offers it at once: render it now, not on the click
            return redirect(url_for("apply.done", code=code), 303)
    status = 422 if request.method == "POST" else 200
    return render("apply/check.html", service=service, application=application, steps=all_steps,
                  progress=progress, form=form, missing=missing, kecamatan_name=kecamatan_name,
                  duplicate=duplicate), status


@bp.get("/<code>/disimpan")
def saved(code: str):
    """Return the "saved for later" page with the reference and PIN to resume from any device."""
    service = _service_or_404(code)
    found = access.draft_for(service.code)
    if found is None or not behalf.may_continue(found[0]):
        return redirect(url_for("apply.start", code=code), 303)
    application, pin = found
    return render("apply/saved.html", service=service, application=application, pin=pin,
                  expires_at=application.expires_at)


@bp.get("/<code>/selesai")
def done(code: str):
    """Return the confirmation: reference and PIN, what happens next, the receipt, a WhatsApp share link."""
    service = _service_or_404(code)
    found = access.draft_for(service.code)
    if found is None or found[0].state == lifecycle.DRAFT:
        return redirect(url_for("apply.start", code=code), 303)
    application, pin = found
    track_url = public_url(url_for("track.form"))
    share_text = _("Permohonan %(service)s saya di %(office)s: nomor %(reference)s. Lacak di %(url)s",
                   service=service.name_id, office=current_app.config["OFFICE_SHORT_NAME"],
                   reference=application.reference, url=track_url)
    access.forget_pin(service.code)  # shown once: a reload of this page no longer has it
    today = calendar.now().astimezone(calendar.office_zone()).date()
    return render("apply/done.html", service=service, application=application, pin=pin,
                  first_look=_first_look(), usual=reports.usual_ready_time(service.code, today),
                  share_url="https://wa.me/?text=" + quote(share_text))


def _first_look():
    """Return when the office will first look at an application sent now: None if open now, else the opening."""
    status = calendar.status()
    return None if status.submission.open else status.submission.next_open


@bp.get("/dokumen/<int:document_id>")
def document_file(document_id: int):
    """Return an uploaded document to the browser that may see its application (`?ukuran=kecil`: a photo's
    preview, at most PREVIEW_SIDE pixels, for an upload step on a phone); 404 for anyone else."""
    document = db.session.get(ApplicationDocument, document_id)
    if document is None or not access.is_unlocked(document.application):
        abort(404)
    body = storage.stored_bytes(document.stored_name)
    if body is None:
        abort(404)
    if request.args.get("ukuran") == "kecil" and document.mimetype == "image/jpeg":
        body = preview_jpeg(body, PREVIEW_SIDE)
    return private_file(body, document.mimetype,
                        f"{document.code.lower()}.{document.stored_name.rsplit('.', 1)[-1]}")


@bp.context_processor
def answer_helpers():
    """Give the form's templates the names of the applicant steps and a reader for stored answers."""
    from datetime import date as date_type

    from flask_babel import get_locale

    from ..templating import long_date

    def answer_text(step, value) -> str:
        """Return a stored answer as the resident chose it: an option's label, a date in words, or the text."""
        if value in (None, ""):
            return ""
        if step.spec.get("type") == "select":
            option = next((o for o in step.spec.get("options", ()) if o["value"] == value), None)
            return (option.get(str(get_locale())) or option["id"]) if option else str(value)
        if step.spec.get("type") == "date":
            return long_date(date_type.fromisoformat(value))
        return str(value)

    return {"answer_text": answer_text,
            "step_names": {form_steps.NIK: _("NIK"), form_steps.NAME: _("Nama lengkap"),
                           form_steps.BIRTH: _("Tanggal lahir"), form_steps.PHONE: _("Nomor HP"),
                           form_steps.ADDRESS: _("Alamat")}}
