"""One handler per kind of step: build its form from what is stored, check the answer, save it.

`HANDLERS[step.kind]` gives the handler; each returns a `StepResult` so the view only decides where to go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, request
from flask_babel import gettext as _
from lokal import parse_phone
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..domain import form as form_steps
from ..domain.nik import check_nik
from ..extensions import db
from ..models import Application, Region
from ..services import applications
from ..uploads import UploadRejected, inspect_upload, rejection_message
from ..uploads import budget as upload_budget
from . import behalf, forms

NIK_ERRORS = {
    "format": lambda: _("NIK harus 16 angka. Periksa lagi di KTP-el atau Kartu Keluarga."),
    "birth_date": lambda: _("Angka ke-7 sampai ke-12 NIK bukan tanggal lahir yang ada. Periksa lagi NIK Anda."),
    "serial": lambda: _("Empat angka terakhir NIK tidak boleh 0000. Periksa lagi NIK Anda."),
    "region": lambda: _("Enam angka pertama NIK bukan kode wilayah yang ada. Periksa lagi NIK Anda."),
}


def warning_text(code: str, **facts) -> str:
    """Return the sentence for a warning the resident may accept."""
    if code == "other_regency":
        return _("NIK ini terbit di luar %(regency)s. Itu wajar bila Anda pindah ke sini; pastikan angkanya benar.",
                 regency=facts.get("regency") or _("kabupaten ini"))
    if code == "birth_date_mismatch":
        return _("Tanggal lahir ini berbeda dengan yang tercatat di NIK (%(nik_date)s). NIK tidak berubah "
                 "walaupun tanggal lahir diperbaiki, jadi Anda tetap bisa melanjutkan bila tanggal ini benar.",
                 nik_date=facts.get("nik_date", ""))
    return code


@dataclass
class StepResult:
    """The outcome of a posted step: saved or not, and any warnings waiting to be accepted."""

    saved: bool
    warnings: list[str] = field(default_factory=list)
    started: tuple[Application, str] | None = None  # a draft the first answer created, with its PIN


class Handler:
    """The default shape: a form class, the stored value as its data, and how to save it."""

    template = "apply/step.html"

    def form(self, application: Application | None, step: form_steps.Step, formdata=None):
        raise NotImplementedError

    def is_empty(self, form) -> bool:
        """Return True when nothing was typed (then "save and continue later" just leaves)."""
        return all(not (f.data or (f.raw_data and any(f.raw_data))) for f in form
                   if f.type not in ("SubmitField", "CSRFTokenField", "BooleanField"))

    def save(self, application: Application, step: form_steps.Step, form, now: datetime) -> StepResult:
        """Return the result of checking and saving the posted `form` for `application`."""
        raise NotImplementedError


class NikHandler(Handler):
    """The first step: a valid NIK is what starts a draft (nothing is stored before it)."""

    def form(self, application, step, formdata=None):
        return forms.NikForm(formdata=formdata, data={"nik": application.nik if application else ""})

    def save(self, application, step, form, now, service=None):
        if not form.validate():
            return StepResult(False)
        birth = application.birth_date if application else None
        verdict = check_nik(form.nik.data, current_app.config["REGION_CODE"], birth)
        if verdict.errors:
            form.nik.errors = [NIK_ERRORS[verdict.errors[0]]()]
            return StepResult(False)
        nik_changed = application is None or verdict.nik != application.nik
        accepted = set() if nik_changed else set(application.accepted_warnings or ())
        pending = [code for code in verdict.warnings if code not in accepted]
        if pending and not form.accept_warning.data:
            return StepResult(False, [warning_text(code, regency=_regency_name()) for code in pending])
        started = None
        if application is None:
            started = applications.start_draft(service, now)
            application = started[0]
        applications.save_applicant(application, now, nik=verdict.nik, accept_warnings=list(verdict.warnings),
                                    forget_warnings=nik_changed)
        return StepResult(True, started=started)


class NameHandler(Handler):
    def form(self, application, step, formdata=None):
        return forms.NameForm(formdata=formdata, data={"full_name": application.full_name or ""})

    def save(self, application, step, form, now):
        if not form.validate():
            return StepResult(False)
        applications.save_applicant(application, now, full_name=form.full_name.data)
        return StepResult(True)


class BirthHandler(Handler):
    def form(self, application, step, formdata=None):
        birth = application.birth_date
        data = {"day": birth.day, "month": birth.month, "year": birth.year} if birth else {}
        return forms.BirthForm(formdata=formdata, data=data)

    def save(self, application, step, form, now):
        form.validate()
        today = now.date()
        birth = forms.read_date(form, "", _("Isi tanggal lahir Anda."), today)
        if birth is None:
            return StepResult(False)
        if birth.year < today.year - 130:
            form.day.errors = [_("Tahun lahir terlalu jauh ke belakang. Periksa tahunnya.")]
            return StepResult(False)
        warnings: list[str] = []
        if application.nik:
            verdict = check_nik(application.nik, current_app.config["REGION_CODE"], birth)
            if "birth_date_mismatch" in verdict.warnings and not form.accept_warning.data:
                from ..templating import long_date
                warnings.append(warning_text("birth_date_mismatch", nik_date=long_date(verdict.birth_date)))
        if warnings:
            return StepResult(False, warnings)
        accepted = ["birth_date_mismatch"] if form.accept_warning.data else []
        applications.save_applicant(application, now, birth_date=birth, accept_warnings=accepted)
        return StepResult(True)


class PhoneHandler(Handler):
    def form(self, application, step, formdata=None):
        return forms.PhoneForm(formdata=formdata, data={"phone": _national(application.phone)})

    def save(self, application, step, form, now):
        if not form.validate():
            return StepResult(False)
        parsed = parse_phone(form.phone.data)
        if not parsed.valid:
            form.phone.errors = [_("Nomor HP tidak dikenal. Tulis seperti 0812 3456 7890.")]
            return StepResult(False)
        if parsed.type != "mobile":
            form.phone.errors = [_("Isi nomor HP (seluler), bukan telepon rumah, supaya kami bisa mengirim kabar.")]
            return StepResult(False)
        applications.save_applicant(application, now, phone=parsed.e164)
        return StepResult(True)


class AddressHandler(Handler):
    template = "apply/address.html"

    def form(self, application, step, formdata=None):
        only = behalf.filing_desa(application)  # a village operator files for residents of their desa only
        region = application.region if application else None
        if only is not None and region is None:
            region = only
        form = forms.AddressForm(formdata=formdata, data={
            "desa": region.code if region else "",
            "kecamatan": region.parent_code if region else "",
            "address_line": application.address_line if application else ""})
        offered = [k for k in kecamatan_list() if only is None or k.code == only.parent_code]
        form.kecamatan.choices = [SelectChoice("", _("Pilih kecamatan"))] + [SelectChoice(k.code, k.name)
                                                                             for k in offered]
        return form

    def save(self, application, step, form, now):
        if not form.validate():
            return StepResult(False)
        region = db.session.get(Region, form.desa.data)
        if region is None or region.kind not in ("desa", "kelurahan") or not region.code.startswith(
                current_app.config["REGION_CODE"] + "."):
            form.desa.errors = [_("Pilih desa atau kelurahan dari daftar.")]
            return StepResult(False)
        only = behalf.filing_desa(application)
        if only is not None and region.code != only.code:
            form.desa.errors = [behalf.wrong_desa_message(only)]
            return StepResult(False)
        applications.save_applicant(application, now, region_code=region.code, address_line=form.address_line.data)
        return StepResult(True)


class QuestionHandler(Handler):
    def form(self, application, step, formdata=None):
        from flask_babel import get_locale
        value = (application.answers or {}).get(step.key) if application else None
        data = {}
        if step.spec["type"] == "date" and value:
            stored = date.fromisoformat(value)
            data = {"day": stored.day, "month": stored.month, "year": stored.year}
        elif value is not None:
            data = {"answer": value}
        return forms.question_form(step.spec, str(get_locale()), formdata=formdata, data=data)

    def save(self, application, step, form, now):
        if step.spec["type"] == "date":
            form.validate()
            value = forms.read_date(form, "", _("Isi tanggalnya."), now.date(), past_only=False)
            if value is None:
                if not step.required and form.day.errors == [_("Isi tanggalnya.")]:
                    form.day.errors = []
                    applications.save_answer(application, now, step.key, "")
                    return StepResult(True)
                return StepResult(False)
        else:
            if not form.validate():
                return StepResult(False)
            value = form.answer.data or ""
        applications.save_answer(application, now, step.key, value)
        return StepResult(True)


class DocumentHandler(Handler):
    template = "apply/document.html"

    def form(self, application, step, formdata=None):
        return forms.DocumentForm(formdata=formdata)

    def is_empty(self, form) -> bool:
        return not request.files.get(form.document.name)

    def save(self, application, step, form, now):
        if not form.validate():
            return StepResult(False)
        if form.skip.data:
            if step.required:
                form.document.errors = [_("Dokumen ini wajib. Unggah foto atau PDF-nya.")]
                return StepResult(False)
            applications.skip_document(application, now, step.key)
            return StepResult(True)
        upload = request.files.get(form.document.name)
        limit = current_app.config["UPLOAD_MAX_MB"] * 1024 * 1024
        data = upload.read(limit + 1) if upload else b""  # one byte more than allowed is enough to refuse
        if not data:
            if any(document.code == step.key for document in application.documents):
                return StepResult(True)  # already uploaded; "continue" keeps it
            form.document.errors = [_("Pilih foto atau PDF dokumen ini.")]
            return StepResult(False)
        try:
            upload_budget.spend(application.id)
            clean = inspect_upload(data, max_bytes=limit)
        except UploadRejected as rejected:
            form.document.errors = [rejection_message(rejected)]
            return StepResult(False)
        applications.attach_document(application, now, step.key, clean)
        return StepResult(True)


HANDLERS: dict[str, Handler] = {
    form_steps.NIK: NikHandler(), form_steps.NAME: NameHandler(), form_steps.BIRTH: BirthHandler(),
    form_steps.PHONE: PhoneHandler(), form_steps.ADDRESS: AddressHandler(), form_steps.QUESTION: QuestionHandler(),
    form_steps.DOCUMENT: DocumentHandler(),
}


def kecamatan_list() -> list[Region]:
    """Return the regency's kecamatan, by name."""
    return list(db.session.scalars(select(Region).where(Region.kind == "kecamatan").order_by(Region.name)))


def desa_list(kecamatan_code: str | None = None) -> list[Region]:
    """Return the desa/kelurahan of one kecamatan, or of the whole regency, by kecamatan then name."""
    query = select(Region).where(Region.kind.in_(("desa", "kelurahan")))
    if kecamatan_code:
        query = query.where(Region.parent_code == kecamatan_code)
    return list(db.session.scalars(query.order_by(Region.parent_code, Region.name)))


def _regency_name() -> str:
    region = db.session.get(Region, current_app.config["REGION_CODE"])
    return region.name if region else ""


def _national(e164: str | None) -> str:
    """Return a stored +62 number as people write it (0812…), or ""."""
    if not e164:
        return ""
    return "0" + e164[3:] if e164.startswith("+62") else e164
