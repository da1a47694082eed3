"""The forms of the track area, one class per form (the views that use them import them from here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import PasswordField, StringField, SubmitField


class FixForm(FlaskForm):
    document = FileField(_l("Pilih foto atau PDF"))
    submit = SubmitField(_l("Unggah pengganti"))


class TrackForm(FlaskForm):
    reference = StringField(_l("Nomor permohonan"), description=_l("Misalnya RBG-7K3M-Q9PX, ada di bukti pengajuan."))
    pin = PasswordField(_l("PIN"), description=_l("6 angka yang tampil saat Anda mengirim atau menyimpan permohonan."))
    submit = SubmitField(_l("Lacak"))


class CancelForm(FlaskForm):
    pin = PasswordField(_l("PIN"))
    submit = SubmitField(_l("Ya, batalkan permohonan"))
