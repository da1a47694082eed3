"""The forms of the auth area, one class per form (the views that use them import them from here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, SubmitField


class SignInForm(FlaskForm):
    username = StringField(_l("Nama pengguna"))
    password = PasswordField(_l("Kata sandi"))
    submit = SubmitField(_l("Masuk"))


class EndSessionForm(FlaskForm):
    """Which session to end (`sesi`, a session's id), or every one when it is empty."""

    session_id = HiddenField(name="sesi")
