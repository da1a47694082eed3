"""The forms of the auth area, one class per form (the views that use them import them from here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField


class SignInForm(FlaskForm):
    username = StringField(_l("Nama pengguna"))
    password = PasswordField(_l("Kata sandi"))
    submit = SubmitField(_l("Masuk"))
