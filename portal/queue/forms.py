"""The forms of the queue area, one class per form (the views that use them import them from here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class DetailsForm(FlaskForm):
    """The last step: who the ticket is for (the day and window travel as hidden fields)."""

    keperluan = HiddenField()
    hari = HiddenField()
    jam = HiddenField()
    nik = StringField(_l("NIK"), description=_l("16 angka di KTP-el atau KK. Satu NIK mendapat satu tiket per "
                                                "keperluan per hari."))
    hp = StringField(_l("Nomor HP"), description=_l("Untuk kabar bila jadwal berubah, misalnya 0812 3456 7890."))


class FindForm(FlaskForm):
    """Open a ticket by its code: a lookup (a GET, which changes nothing), so no CSRF token; the lookup budget
    guards it instead. The code is in the ticket's own address anyway."""

    class Meta:
        csrf = False

    kode = StringField(_l("Kode tiket"), description=_l("Misalnya ANT-7K3M-Q9PX, tertulis di tiket Anda."))


class CancelForm(FlaskForm):
    pass
