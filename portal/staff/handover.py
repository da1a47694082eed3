"""Handover at the counter, `/petugas/serah`: scan the pickup receipt (or type its reference), check who
collects, confirm, print the handover slip (bukti penyerahan).

The usual case is three actions: (1) the USB scanner types the receipt's QR content and Enter into the
autofocused scan field; (2) the page, with the applicant preselected as collector, puts the focus in the
field for the last 4 digits of the NIK, which the clerk types from the KTP-el in front of them; (3) Enter
(or "Serahkan dokumen") hands it over, and the done page offers the slip. A wrong NIK hands nothing over, is
written to the audit log and spends the application's NIK budget (`services.handovers`). Before the pickup
day or outside pickup hours the form also asks, server-rendered, for the reason. Without JavaScript the
lookup is a GET form (`?kode=…`); with htmx it swaps only the `scan` block. A village's collective pickup
manifest (its QR or its code) opens the same page with the manifest's items, handed over one by one
(`manifest_handover`).
"""

from __future__ import annotations

import re

from flask import abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..auth.guard import roles_required
from ..domain import handover as handover_rules
from ..domain import lifecycle
from ..domain.nik import check_nik, mask
from ..extensions import db, htmx
from ..models import Application, Handover, User
from ..pdf.handover import HandoverSlipData, render_handover_slip
from ..pdf.pickup import document_name
from ..services import applications, audit, calendar, handovers, review
from ..templating import localized, long_date, public_url, render
from ..application_text import state_label
from . import manifest_handover
from .blueprint import STAFF_ROLES, bp
from .handover_text import TEMPLATE, collector_text, moment, pickup_when, refusal_text
from .forms import CollectorForm
from ..downloads import pdf_response

SLIP_SIZES = ("80", "a6")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{12,40}")
# NIK errors that make a number impossible; a code missing from the region list is not one of them.
_BLOCKING_NIK_ERRORS = ("format", "birth_date", "serial")


@bp.get("/serah")
@roles_required(*STAFF_ROLES)
def handover_scan():
    """Return the scan page; with `?kode=` the application found and the handover form, or why not (404, 409)."""
    code = request.args.get("kode", "").strip()[:300]
    if not code:
        return _page(code="")
    application = _application_for(code)
    if application is None:
        manifest = manifest_handover.manifest_for(code)
        if manifest is not None:
            return manifest_handover.manifest_page(manifest)
        return _page(code=code, not_found=True, status=404)
    form = CollectorForm(formdata=None, operator_name=_desa_operator_name(application))
    refusal = refusal_text(application)
    return _page(code="", application=application, form=form, refusal=refusal, status=409 if refusal else 200)


@bp.post("/serah/<reference>")
@roles_required(*STAFF_ROLES)
def handover_confirm(reference: str):
    """Record the handover and redirect (303) to the done page; the form again with errors (422: a missing or
    wrong detail, a wrong or locked NIK, a missing reason) or the refusal (409) when the application is not
    ready. Unknown reference: 404."""
    application = applications.find(reference)
    if application is None or application.state == lifecycle.DRAFT:
        abort(404)
    form = CollectorForm()
    if not form.validate_on_submit() or not _collector_valid(form, application):
        return _page(code="", application=application, form=form, refusal=refusal_text(application), status=422)
    name, relation, id_number = _collector_details(form)
    try:
        handover = handovers.hand_over(application, current_user, calendar.now(), form.collector.data, name=name,
                                       relation=relation, id_number=id_number, nik_typed=form.nik_digits.data,
                                       letter_seen=form.letter_seen.data, reason=form.reason.data)
    except (review.Refused, IntegrityError) as refused:  # IntegrityError: another clerk handed it over just now
        if isinstance(refused, review.Refused) and refused.code in ("collector", "identity", "reason"):
            _refusal_error(form, refused)
            return _page(code="", application=application, form=form, refusal=None, status=422)
        return _page(code="", application=application, form=form,
                     refusal=refusal_text(application) or _("Dokumen ini tidak dapat diserahkan sekarang."), status=409)
    return redirect(url_for("staff.handover_done", handover_id=handover.id), 303)


@bp.get("/serah/<int:handover_id>/selesai")
@roles_required(*STAFF_ROLES)
def handover_done(handover_id: int):
    """Return the done page: what was handed to whom, the slip to print, and "Serahkan berikutnya". 404 if unknown."""
    handover = db.session.get(Handover, handover_id) or abort(404)
    return render("staff/handover_done.html", handover=handover, application=handover.application,
                  document_name=document_name(handover.application.service),
                  collector_text=collector_text(handover), handed_at=moment(handover))


@bp.get("/serah/<int:handover_id>/slip.pdf")
@roles_required(*STAFF_ROLES)
def handover_slip(handover_id: int):
    """Return the handover slip PDF (`?ukuran=80|a6`, default 80 mm) and note the print in the audit log.

    404 for an unknown handover or size.
    """
    handover = db.session.get(Handover, handover_id) or abort(404)
    size = request.args.get("ukuran", "80")
    if size not in SLIP_SIZES:
        abort(404)
    body = render_handover_slip(slip_data(handover), size)
    audit.record_print(current_user, calendar.now(), handover.application, f"bukti penyerahan {'80 mm' if size == '80' else 'A6'}")
    return pdf_response(body, f"bukti-penyerahan-{handover.application.reference}-{size}.pdf")


# What the pages and the slip say


def collector_hints(application: Application) -> dict[str, str]:
    """Return, per kind of collector, what they must bring (the pickup receipt's wording, shortened)."""
    hints = {"applicant": _("Membawa KTP-el atau KK asli."),
             "authorised": _("Membawa surat kuasa bertanda tangan pemohon, KTP-el pemohon, dan KTP-el-nya sendiri.")
             if application.service.proxy_letter else _("Membawa KTP-el pemohon dan KTP-el-nya sendiri."),
             "operator": _("Hanya untuk pengambilan kolektif desa.")}
    if application.channel == "village" and application.region is not None:
        hints["operator"] = _("Pengambilan kolektif untuk desa %(desa)s.", desa=application.region.name)
    return hints


def slip_data(handover: Handover) -> HandoverSlipData:
    """Return what the slip of `handover` shows (both NIKs masked before they leave this function)."""
    application = handover.application
    return HandoverSlipData(
        reference=application.reference, service_name=localized(application.service, "name"),
        document_name=document_name(application.service), applicant_name=application.full_name or "",
        applicant_masked_nik=mask(application.nik) if application.nik else "",
        collector=handover.collector, collector_name=handover.collector_name, relation=handover.relation,
        collector_masked_nik=mask(handover.id_number) if handover.id_number else "",
        handed_at=handover.at, clerk_name=handover.clerk_name,
        verify_url=public_url(url_for("verify.page", token=application.verification_token)),
        office_name=current_app.config["OFFICE_NAME"], office_address=current_app.config["OFFICE_ADDRESS"],
        zone=calendar.zone_label())


# Helpers


def _page(code: str, application: Application | None = None, form: CollectorForm | None = None,
          refusal: str | None = None, not_found: bool = False, status: int = 200):
    """Return the scan page (or its `scan` block for htmx, always 200 so htmx swaps it) with `status`."""
    context = {"code": code, "application": application, "form": form, "refusal": refusal, "not_found": not_found,
               "start_field": "kode"}
    if application is not None:
        context.update(masked_nik=mask(application.nik) if application.nik else "",
                       document_name=document_name(application.service), who_may_collect=collector_hints(application),
                       state_label=state_label(application.state), schedule=schedule_notes(application),
                       letter_needed=application.service.proxy_letter,
                       self_printed=review.self_printed(application), pickup_when=pickup_when(application))
        if form is not None and not refusal and form.collector.data == "applicant":
            context["start_field"] = "nik_digits"  # after a scan, the clerk types the NIK's last digits at once
    body = render(TEMPLATE, fragments=("scan",), **context)
    return body, 200 if htmx and request.headers.get("HX-Target") == "scan" else status


def _application_for(code: str) -> Application | None:
    """Return the application a scanned or typed code names: a verification URL, a bare token or a reference.

    Drafts count as unknown: the office has nothing of them to hand over.
    """
    found = None
    if "/verifikasi/" in code:
        token = code.rsplit("/verifikasi/", 1)[1].split("?")[0].split("#")[0].strip("/ ")
        found = applications.by_verification_token(token)
    else:
        found = applications.find(code)
        if found is None and _TOKEN.fullmatch(code):
            found = applications.by_verification_token(code)
    return None if found is None or found.state == lifecycle.DRAFT else found


def schedule_notes(application: Application) -> list[str]:
    """Return why handing `application` over now needs a reason, one sentence per rule that applies: before
    its pickup day, outside pickup hours; [] when it is on time or not ready."""
    if application.state != lifecycle.READY:
        return []
    now = calendar.now()
    office = calendar.calendar(now)
    notes = []
    for code in handover_rules.reasons_needed(office, now, application.pickup_date):
        if code == handover_rules.EARLY:
            notes.append(_("Jadwal pengambilannya %(date)s, belum hari ini. Pastikan dokumennya sudah ada di loket "
                           "ini.", date=long_date(application.pickup_date)))
        else:
            notes.append(_("Sekarang di luar jam pengambilan."))
    return notes


def _collector_valid(form: CollectorForm, application: Application) -> bool:
    """Add an Indonesian message to each field that is missing or wrong for the chosen collector, and to the
    reason when the handover is early or outside pickup hours; return True when there is none."""
    kind = form.collector.data
    if kind not in ("applicant", "authorised", "operator"):
        form.collector.errors = [_("Pilih siapa yang mengambil dokumen.")]
        return False
    if kind == "applicant":
        if not form.nik_digits.data:
            form.nik_digits.errors = [_("Ketik 4 angka terakhir NIK di KTP-el orang yang datang.")]
        elif handover_rules.typed_nik_kind(form.nik_digits.data) is None:
            form.nik_digits.errors = [_("Ketik tepat 4 angka terakhir NIK, atau 16 angka lengkap.")]
    elif kind == "authorised":
        if not form.authorised_name.data:
            form.authorised_name.errors = [_("Isi nama orang yang diberi kuasa.")]
        if not form.relation.data:
            form.relation.errors = [_("Isi hubungan orang ini dengan pemohon, misalnya suami atau anak.")]
        nik_error = _nik_error(form.authorised_nik.data)
        if nik_error:
            form.authorised_nik.errors = [nik_error]
        if application.service.proxy_letter and not form.letter_seen.data:
            form.letter_seen.errors = [_("Layanan ini mewajibkan surat kuasa. Periksa suratnya, lalu centang kotak "
                                         "ini.")]
    elif kind == "operator" and not form.operator_name.data:
        form.operator_name.errors = [_("Isi nama operator desa yang mengambil.")]
    if schedule_notes(application) and not form.reason.data:
        form.reason.errors = [_("Tulis alasan dokumen ini diserahkan di luar jadwal.")]
    return not any(field.errors for field in form)


def _nik_error(nik: str) -> str | None:
    """Return what is wrong with an authorised collector's NIK, or None when it can be one."""
    if not nik:
        return _("Isi NIK orang yang diberi kuasa, 16 angka di KTP-el-nya.")
    if not (nik.isdigit() and len(nik) == 16):
        return _("NIK harus 16 angka. Periksa lagi KTP-el orang yang diberi kuasa.")
    errors = [e for e in check_nik(nik, current_app.config["REGION_CODE"]).errors if e in _BLOCKING_NIK_ERRORS]
    if errors:
        return _("NIK ini tidak mungkin benar: tanggal lahir atau nomor urut di dalamnya salah. Periksa lagi.")
    return None


def _collector_details(form: CollectorForm) -> tuple[str, str, str]:
    """Return (name, relation, NIK) of the chosen collector from the form."""
    kind = form.collector.data
    if kind == "authorised":
        return form.authorised_name.data, form.relation.data, form.authorised_nik.data
    if kind == "operator":
        return form.operator_name.data, "", ""
    return "", "", ""


def _refusal_error(form: CollectorForm, refused: review.Refused) -> None:
    """Put the handover's refusal ("collector", "identity" or "reason") next to the field it concerns."""
    if refused.code == "identity":
        form.nik_digits.errors = [{
            "mismatch": _("NIK ini tidak cocok dengan NIK pemohon. Dokumen tidak diserahkan. Periksa lagi KTP-el "
                          "orang yang datang; bila ia bukan pemohon, pilih “Orang yang diberi kuasa”."),
            "locked": _("NIK permohonan ini sudah terlalu sering dicoba. Dokumen tidak diserahkan kepada pemohon "
                        "sampai besok; semua percobaan tercatat di log audit."),
        }.get(refused.detail, _("Ketik tepat 4 angka terakhir NIK, atau 16 angka lengkap."))]
        form.nik_digits.data = ""  # the wrong digits go; the clerk types them again from the card
        return
    if refused.code == "reason":
        form.reason.errors = [_("Tulis alasan dokumen ini diserahkan di luar jadwal.")]
        return
    if refused.detail == "applicant_nik":
        form.authorised_nik.errors = [_("Ini NIK pemohon sendiri. Bila pemohon yang datang, pilih “Pemohon "
                                        "sendiri”.")]
        return
    field = {"name": form.authorised_name if form.collector.data == "authorised" else form.operator_name,
             "relation": form.relation, "id_number": form.authorised_nik,
             "letter": form.letter_seen}.get(refused.detail, form.collector)
    field.errors = [_("Periksa lagi isian ini.")]


def _desa_operator_name(application: Application) -> str:
    """Return the name of the active operator of the applicant's desa for a village application, else ""."""
    if application.channel != "village" or not application.region_code:
        return ""
    return db.session.scalar(db.select(User.full_name).where(
        User.role == "operator", User.region_code == application.region_code, User.active.is_(True))
        .order_by(User.id).limit(1)) or ""
