"""The forms of the village area, one class per form (the views that use them import them from here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice

IN_PERSON, SIGNED_FORM = "in_person", "signed_form"  # how a resident agreed to an operator filing for them


class ConsentForm(FlaskForm):
    consent = RadioField(_l("Bagaimana warga memberi persetujuan?"), choices=[
        SelectChoice(IN_PERSON, _l("Warga hadir langsung di balai desa")),
        SelectChoice(SIGNED_FORM, _l("Surat persetujuan bertanda tangan"))], validate_choice=False)
    letter = FileField(_l("Foto atau PDF surat persetujuan"),
                       description=_l("Hanya bila warga memberi surat persetujuan bertanda tangan."))
    submit = SubmitField(_l("Lanjut ke isian permohonan"))


class PinForm(FlaskForm):
    submit = SubmitField(_l("Buat PIN baru"))


class ManifestForm(FlaskForm):
    """The documents the operator will collect, by reference (checkboxes; the choices are checked by the service)."""

    permohonan = SelectMultipleField(validate_choice=False)
