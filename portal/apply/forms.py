"""The forms of the application pages: one small form per question, built from the catalogue where needed.

Every message a resident reads is Indonesian through Flask-Babel; each form keeps what was typed when it
fails, so nothing is lost.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..domain.nik import normalize


class StepForm(FlaskForm):
    """What every step has: "continue" and "save and continue later"."""

    next = SubmitField(_l("Lanjut"))
    save = SubmitField(_l("Simpan dan lanjutkan nanti"))


class NikForm(StepForm):
    nik = StringField(_l("NIK (Nomor Induk Kependudukan)"),
                      description=_l("16 angka di KTP-el atau Kartu Keluarga Anda, bukan nomor KK."),
                      validators=[DataRequired(_l("Isi NIK Anda."))], filters=[lambda v: normalize(v or "")])
    accept_warning = BooleanField(_l("Saya sudah memeriksa: NIK ini benar."))


class NameForm(StepForm):
    full_name = StringField(_l("Nama lengkap"), description=_l("Tulis seperti di Kartu Keluarga."),
                            validators=[DataRequired(_l("Isi nama lengkap Anda.")),
                                        Length(max=120, message=_l("Nama paling banyak 120 huruf."))],
                            filters=[lambda v: " ".join((v or "").split())])


def read_date(form, prefix: str, required_message: str, today: date, *, past_only: bool = True) -> date | None:
    """Return the date in the form's day/month/year fields, adding an error to the day field when wrong."""
    day, month, year = (form[f"{prefix}{part}"] for part in ("day", "month", "year"))
    if any(field.errors for field in (day, month, year)):
        day.errors = [_l("Tanggal harus berupa angka, misalnya 17 8 1990.")]
        return None
    if day.data is None and month.data is None and year.data is None:
        day.errors = [required_message]
        return None
    if None in (day.data, month.data, year.data):
        day.errors = [_l("Tanggal harus lengkap: tanggal, bulan, dan tahun.")]
        return None
    try:
        value = date(year.data, month.data, day.data)
    except ValueError:
        day.errors = [_l("Tanggal tidak ada di kalender. Periksa tanggal dan bulannya.")]
        return None
    if year.data < 1900:
        day.errors = [_l("Tahun harus empat angka, misalnya 1990.")]
        return None
    if past_only and value > today:
        day.errors = [_l("Tanggal tidak boleh di masa depan.")]
        return None
    return value


class BirthForm(StepForm):
    day = IntegerField(_l("Tanggal"), validators=[Optional()])
    month = IntegerField(_l("Bulan"), validators=[Optional()])
    year = IntegerField(_l("Tahun"), validators=[Optional()])
    accept_warning = BooleanField(_l("Saya sudah memeriksa: tanggal lahir ini benar."))


class PhoneForm(StepForm):
    phone = StringField(_l("Nomor HP"), description=_l("Untuk kabar tentang permohonan Anda, misalnya 0812 3456 7890."),
                        validators=[DataRequired(_l("Isi nomor HP Anda."))])


class AddressForm(StepForm):
    kecamatan = SelectField(_l("Kecamatan"), choices=[], validate_choice=False, validators=[Optional()])
    desa = SelectField(_l("Desa/kelurahan"), choices=[], validate_choice=False,
                       validators=[DataRequired(_l("Pilih desa atau kelurahan tempat Anda tinggal."))])
    address_line = StringField(_l("Alamat (jalan, RT/RW)"), description=_l("Misalnya: Jl. Pemuda 12, RT 02/RW 03."),
                               validators=[DataRequired(_l("Isi alamat Anda: jalan, RT, dan RW.")),
                                           Length(max=200, message=_l("Alamat paling banyak 200 huruf."))],
                               filters=[lambda v: " ".join((v or "").split())])


class DocumentForm(StepForm):
    document = FileField(_l("Foto atau PDF"))
    skip = SubmitField(_l("Saya tidak punya dokumen ini"))


class DeclarationForm(FlaskForm):
    declaration = BooleanField(
        _l("Saya menyatakan data dan dokumen yang saya kirim benar, dan saya setuju data ini dipakai "
           "untuk memproses permohonan saya."),
        validators=[InputRequired(_l("Centang pernyataan ini untuk mengirim permohonan."))])
    duplicate_reason = TextAreaField(
        _l("Alasan permohonan ini tetap dikirim"),
        description=_l("Misalnya: untuk anggota keluarga lain, atau dokumen yang lain. Petugas membaca alasan ini."),
        validators=[Length(max=300, message=_l("Alasan paling banyak 300 huruf."))],
        filters=[lambda v: " ".join((v or "").split())])
    submit = SubmitField(_l("Kirim permohonan"))


class VillageDeclarationForm(FlaskForm):
    """The check page of a draft a village operator filed: a declaration, then into the desa's batch."""

    declaration = BooleanField(
        _l("Saya, operator desa, sudah memeriksa data dan dokumen ini bersama warga yang bersangkutan, dan warga "
           "setuju data ini dipakai untuk memproses permohonannya."),
        validators=[InputRequired(_l("Centang pernyataan ini untuk menyimpan permohonan ke berkas kolektif."))])
    batch = RadioField(_l("Masukkan ke berkas kolektif"), choices=[], validate_choice=False, validators=[Optional()])
    duplicate_reason = DeclarationForm.duplicate_reason
    submit = SubmitField(_l("Simpan ke berkas kolektif"))


def question_form(question: dict, language: str, formdata=None, data=None) -> FlaskForm:
    """Return the form for one service question (text, kk, nik, date or select), labelled in `language`."""
    label = question.get(f"label_{language}") or question["label_id"]
    hint = question.get(f"hint_{language}") or question.get("hint_id") or ""
    required = bool(question.get("required", True))
    kind = question["type"]

    class QuestionForm(StepForm):
        pass

    if kind == "select":
        choices = [SelectChoice(o["value"], o.get(language) or o["id"]) for o in question["options"]]
        QuestionForm.answer = RadioField(label, description=hint, choices=choices, validate_choice=True,
                                         validators=[InputRequired(_l("Pilih salah satu jawaban."))] if required
                                         else [Optional()])
    elif kind == "date":
        QuestionForm.day = IntegerField(_l("Tanggal"), validators=[Optional()])
        QuestionForm.month = IntegerField(_l("Bulan"), validators=[Optional()])
        QuestionForm.year = IntegerField(_l("Tahun"), validators=[Optional()])
    else:
        validators = [DataRequired(_l("Isi jawaban ini."))] if required else [Optional()]
        filters = [lambda v: normalize(v or "")] if kind in ("nik", "kk") else [lambda v: " ".join((v or "").split())]
        if kind in ("nik", "kk"):
            validators.append(_sixteen_digits(kind))
        else:
            validators.append(Length(max=200, message=_l("Jawaban paling banyak 200 huruf.")))
        QuestionForm.answer = StringField(label, description=hint, validators=validators, filters=filters)
    form = QuestionForm(formdata=formdata, data=data)
    form.question_label, form.question_hint, form.question_kind = label, hint, kind
    return form


def _sixteen_digits(kind: str):
    message = _l("NIK harus 16 angka.") if kind == "nik" else _l("Nomor KK harus 16 angka.")

    def check(_form, field):
        if field.data and not re.fullmatch(r"\d{16}", field.data):
            raise ValidationError(message)

    return check
