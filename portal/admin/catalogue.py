"""The service catalogue for supervisors: `/admin/layanan` (every service, switched off ones too) and
`/admin/layanan/<code>` (one page, one form per part: texts and status, visit, requirements, documents,
questions, pickup places).

Each part posts on its own and goes back to the page (303) with its own message. A save is checked by the
rules in `portal/domain/catalogue.py` (422 with the input kept), refused with 409 when someone else saved the
service since the page was opened (the form's version), and written by `services/catalogue_admin.py` with an
"edit_service" audit line and a catalogue revision bump in the same commit, so resident pages change at once.
"""

from __future__ import annotations

from flask import abort, flash, get_flashed_messages, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.guard import roles_required
from ..domain import catalogue as rules
from ..services import audit, calendar, catalogue, catalogue_admin
from ..services.applications import CONSENT_DOCUMENT
from ..templating import render
from . import catalogue_forms as forms
from .blueprint import SUPERVISORS, bp


@bp.get("/layanan")
@roles_required(*SUPERVISORS)
def services():
    """Return every service grouped as on /layanan, with its state, visit, counts and pickup places."""
    return render("admin/services.html", groups=catalogue.grouped(catalogue_admin.all_services()),
                  group_names=forms.group_names())


@bp.get("/layanan/<code>")
@roles_required(*SUPERVISORS)
def service_edit(code: str):
    """Return the edit page of one service (404 for an unknown code)."""
    return _page(_service_or_404(code))


def _service_or_404(code: str):
    service = catalogue_admin.find_any(code)
    if service is None:
        abort(404)
    return service


def _page(service, part: str = "", *, values: dict | None = None, rows: list | None = None,
          errors: dict | None = None, places: list | None = None, conflict: bool = False,
          stored_now: list | None = None, status: int = 200):
    """Return the edit page: every part from what is stored, except `part`, shown with what was posted
    (`values`, `rows`, `places`) and its worded `errors`, or with the conflict sentence and `stored_now`
    ((label, stored text) pairs)."""
    stored = {name: getattr(service, name) or "" for name in rules.TEXT_FIELDS + (
        "output", "visit_reason_id", "visit_reason_en")}
    stored.update(active=service.active, visit_required=service.visit_required, proxy_letter=service.proxy_letter)
    lists = {name: forms.stored_rows(service, name) for name in (forms.REQUIREMENTS, forms.DOCUMENTS, forms.QUESTIONS)}
    if part in lists and rows is not None:
        lists[part] = forms.with_blank(rows, part)
    if values is not None:
        stored.update(values)
    offered = catalogue_admin.offered_places(service)
    chosen = places if places is not None else [place.code for place in service.pickup_places if place.active]
    flashed = {category: text for category, text in get_flashed_messages(with_categories=True)
               if category.startswith("layanan-")}
    return render("admin/service_edit.html", service=service, part=part, values=stored, lists=lists,
                  errors=errors or {}, offered=offered, chosen=chosen, conflict=conflict, flashed=flashed,
                  stored_now=stored_now or [],
                  version=catalogue_admin.version_of(service), part_names=forms.part_names(),
                  output_names=forms.output_names(), type_names=forms.type_names(),
                  labels=forms.TEXT_LABELS), status


def _guarded(code: str, part: str):
    """Return (service, None) when the posted form is current, or (service, the 409 page) when someone saved
    the service since it was opened."""
    service = _service_or_404(code)
    form = forms.PartForm()
    if not form.validate():  # only the CSRF token can fail, and Flask-WTF's CSRFProtect refuses that first
        abort(400)
    if not catalogue_admin.is_current(service, form.versi.data or ""):
        return service, _conflict(service, part)
    return service, None


def _conflict(service, part: str):
    """Return the 409 page: `part` keeps what was posted (nothing typed is lost), lists what is stored now, and
    carries the service's current version, so saving again overwrites on purpose."""
    posted = forms.posted_input(part)
    return _page(service, part, conflict=True, status=409, stored_now=forms.stored_now(service, part, posted),
                 **posted)


def _store(service, part: str, values: dict, detail: str, place_codes: list[str] | None = None):
    """Write `values` (and places) with the audit line; return the 303 back to the part, or the 409 page."""
    line = audit.Line(current_user, "edit_service", calendar.now(), None,
                      f"{service.code} ({service.name_id}) — {forms.part_names()[part]}: {detail}")
    try:
        catalogue_admin.save(service, request.form.get("versi", ""), values, place_codes, audited=line)
    except catalogue_admin.Stale:
        return _conflict(service, part)
    flash(forms.saved_messages()[part], f"layanan-{part}")
    return redirect(url_for("admin.service_edit", code=service.code.lower(), _anchor=part), 303)


def _unchanged(service, values: dict) -> bool:
    return all(getattr(service, name) == value for name, value in values.items())


def _nothing_changed(service, part: str):
    flash(_("Tidak ada yang berubah; tidak ada yang disimpan."), f"layanan-{part}")
    return redirect(url_for("admin.service_edit", code=service.code.lower(), _anchor=part), 303)


@bp.post("/layanan/<code>/teks")
@roles_required(*SUPERVISORS)
def service_texts(code: str):
    """Store the texts, output, notice and active flag; 303, 422 with the errors, or 409 when stale."""
    service, refused = _guarded(code, forms.TEXTS)
    if refused:
        return refused
    posted = {name: request.form.get(name, "") for name in rules.TEXT_FIELDS}
    values, errors = rules.check_texts(posted, request.form.get("output"), bool(request.form.get("active")),
                                       any(place.active for place in service.pickup_places))
    if errors:
        shown = dict(posted, output=request.form.get("output") or "", active=bool(request.form.get("active")))
        return _page(service, forms.TEXTS, values=shown, errors=forms.field_errors(forms.TEXTS, errors), status=422)
    if _unchanged(service, values):
        return _nothing_changed(service, forms.TEXTS)
    changed = [name for name, value in values.items() if getattr(service, name) != value]
    words = {"output": _("hasil layanan"), "active": _("aktif") if values["active"] else _("dimatikan")}
    return _store(service, forms.TEXTS, values,
                  ", ".join(str(words.get(name) or forms.TEXT_LABELS[name]).lower() for name in changed))


@bp.post("/layanan/<code>/datang")
@roles_required(*SUPERVISORS)
def service_visit(code: str):
    """Store whether a visit is needed and why; 303, 422 with the errors, or 409 when stale."""
    service, refused = _guarded(code, forms.VISIT)
    if refused:
        return refused
    values, errors = rules.check_visit(bool(request.form.get("visit_required")), request.form.get("visit_reason_id"),
                                       request.form.get("visit_reason_en"))
    if errors:
        shown = {"visit_required": values["visit_required"], "visit_reason_id": request.form.get("visit_reason_id", ""),
                 "visit_reason_en": request.form.get("visit_reason_en", "")}
        return _page(service, forms.VISIT, values=shown, errors=forms.field_errors(forms.VISIT, errors), status=422)
    if _unchanged(service, values):
        return _nothing_changed(service, forms.VISIT)
    detail = _("harus datang") if values["visit_required"] else _("tidak perlu datang")
    return _store(service, forms.VISIT, values, detail)


def _list_part(code: str, part: str, check):
    """Read, move, check and store one list part; `check(rows, service)` returns (cleaned, errors)."""
    service, refused = _guarded(code, part)
    if refused:
        return refused
    rows = forms.posted_rows(part)
    moving = forms.posted_move()
    if moving:
        rows = rules.move(rows, *moving)
    cleaned, errors = check(rows, service)
    if errors:
        return _page(service, part, rows=rows, errors=forms.field_errors(part, errors), status=422)
    column = {forms.REQUIREMENTS: "requirements", forms.DOCUMENTS: "documents", forms.QUESTIONS: "questions"}[part]
    before = list(getattr(service, column) or ())
    if before == cleaned:
        return _nothing_changed(service, part)
    detail = forms.describe_list(before, cleaned, "code" if part != forms.REQUIREMENTS else "")
    return _store(service, part, {column: cleaned}, detail or _("teks"))


@bp.post("/layanan/<code>/persyaratan")
@roles_required(*SUPERVISORS)
def service_requirements(code: str):
    """Store the requirements list (add, remove, move, edit); 303, 422 with the errors, or 409 when stale."""
    return _list_part(code, forms.REQUIREMENTS, lambda rows, service: rules.check_requirements(rows))


@bp.post("/layanan/<code>/dokumen")
@roles_required(*SUPERVISORS)
def service_documents(code: str):
    """Store the documents to upload; 303, 422 with the errors, or 409 when stale."""
    return _list_part(code, forms.DOCUMENTS, lambda rows, service: rules.check_documents(
        rows, {item["code"]: item for item in service.documents or ()}, reserved=(CONSENT_DOCUMENT,)))


@bp.post("/layanan/<code>/pertanyaan")
@roles_required(*SUPERVISORS)
def service_questions(code: str):
    """Store the service's own questions; 303, 422 with the errors, or 409 when stale."""
    return _list_part(code, forms.QUESTIONS, lambda rows, service: rules.check_questions(
        rows, {item["code"]: item for item in service.questions or ()}))


@bp.post("/layanan/<code>/tempat")
@roles_required(*SUPERVISORS)
def service_places(code: str):
    """Store the pickup places (switched-off ones the service has are kept) and whether someone collecting for
    the applicant needs a proxy letter; 303, 422, or 409 when stale."""
    service, refused = _guarded(code, forms.PLACES)
    if refused:
        return refused
    chosen, letter = request.form.getlist("tempat"), bool(request.form.get("surat_kuasa"))
    active = [place.code for place in catalogue_admin.offered_places(service) if place.active]
    codes, errors = rules.check_places(chosen, active)
    if errors:
        return _page(service, forms.PLACES, places=chosen, values={"proxy_letter": letter},
                     errors=forms.field_errors(forms.PLACES, errors), status=422)
    letter_changed = letter != service.proxy_letter
    if codes == [place.code for place in service.pickup_places if place.active] and not letter_changed:
        return _nothing_changed(service, forms.PLACES)
    detail = ", ".join(codes)
    if letter_changed:
        detail += "; " + (_("surat kuasa wajib") if letter else _("tanpa surat kuasa"))
    return _store(service, forms.PLACES, {"proxy_letter": letter}, detail, place_codes=codes)
