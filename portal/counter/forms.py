"""The counter's one form: which counter this desk is and which purposes it calls."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

COUNTER_NUMBERS = range(1, 21)


class CounterForm(FlaskForm):
    """Counter number 1–20 and at least one of the configured purposes (choices filled in by the view)."""

    number = SelectField(_l("Nomor loket"),
                         description=_l("Nomor yang tertulis di meja Anda; tampil di papan antrean."),
                         choices=[SelectChoice("", "—")] + [SelectChoice(str(n), str(n)) for n in COUNTER_NUMBERS],
                         validate_choice=False)
    purposes = SelectMultipleField(_l("Keperluan yang dilayani"),
                                   description=_l("Pilih satu atau lebih. Nomor dipanggil bergantian sesuai urutan."),
                                   choices=[], validate_choice=False)
    submit = SubmitField(_l("Buka loket"))

    def validate_number(self, field) -> None:
        """Raise ValidationError unless the number is one of 1–20."""
        if not (field.data or "").isdigit() or int(field.data) not in COUNTER_NUMBERS:
            raise ValidationError(_l("Pilih nomor loket."))

    def validate_purposes(self, field) -> None:
        """Raise ValidationError when no purpose, or an unknown one, is chosen."""
        known = {choice.value for choice in self.purposes.choices}
        if not field.data:
            raise ValidationError(_l("Pilih paling sedikit satu keperluan."))
        if not set(field.data) <= known:
            raise ValidationError(_l("Pilih keperluan dari daftar."))
