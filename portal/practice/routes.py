"""The practice panel, `/latihan` (practice mode only): set the practice clock to an office hour, and see the
messages that would have been sent to residents.

Any signed-in staff member or village operator may set the clock: the trainer of the day. Outside practice
mode every path here answers 404.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from ..auth.guard import HOME_BY_ROLE, roles_required
from ..domain import practice as rules
from ..domain.dates import parse_day
from ..services import calendar, practice
from ..templating import render

bp = Blueprint("practice", __name__, url_prefix="/latihan", template_folder="templates")
EVERYONE_SIGNED_IN = tuple(HOME_BY_ROLE)


class ClockForm(FlaskForm):
    """The practice clock's date and time of day, in the office's zone."""

    hari = StringField(_l("Tanggal"), filters=[lambda value: (value or "").strip()])
    jam = StringField(_l("Jam"), filters=[lambda value: (value or "").strip()])


@bp.before_request
def practice_only():
    """Answer 404 unless the portal runs in practice mode."""
    if not practice.enabled():
        abort(404)


def _next_office_hour() -> datetime:
    """Return when the "next office hour" button sets the clock: an hour after submissions next open."""
    real = practice.real_now()
    status = calendar.status(real)
    return rules.next_office_hour(status.submission.next_open, status.submission.open, real)


def _page(form: ClockForm | None = None, status: int = 200):
    now = calendar.now()
    if form is None:
        local = now.astimezone(calendar.office_zone())
        form = ClockForm(formdata=None, data={"hari": local.strftime("%d-%m-%Y"), "jam": local.strftime("%H.%M")})
    return render("practice/panel.html", form=form, now=now, real=practice.real_now(),
                  shifted=practice.shift() != 0, set_by=practice.setter(), next_hour=_next_office_hour(),
                  outbox=practice.outbox()), status


@bp.get("")
@roles_required(*EVERYONE_SIGNED_IN)
def panel():
    """Return the practice panel: the practice and real times, the clock's form, the messages not sent."""
    return _page()


def _target(form: ClockForm) -> datetime | None:
    """Return the instant the form names, or None with an Indonesian error on each field that is wrong."""
    day = clock = None
    try:
        day = parse_day(form.hari.data)
    except ValueError:
        form.hari.errors = [_("Tulis tanggal seperti 07-12-2026.")]
    try:
        clock = rules.parse_clock(form.jam.data)
    except ValueError:
        form.jam.errors = [_("Tulis jam seperti 09.00.")]
    if day is None or clock is None:
        return None
    return rules.office_instant(day, clock, calendar.office_zone())


@bp.post("/jam")
@roles_required(*EVERYONE_SIGNED_IN)
def set_clock():
    """Set the practice clock (to the form's date and time, the next office hour, or the real time), audited;
    303 back to the panel, or the panel with the errors (422)."""
    form = ClockForm(request.form)  # CSRFProtect has checked the token already
    choice = request.form.get("pilihan", "atur")
    if choice == "sebenarnya":
        target = practice.real_now()
    elif choice == "berikutnya":
        target = _next_office_hour()
    else:
        target = _target(form)
        if target is None:
            return _page(form, status=422)
    try:
        practice.set_clock(current_user, target)
    except ValueError:
        form.hari.errors = [_("Pilih tanggal dalam satu tahun dari hari ini.")]
        return _page(form, status=422)
    flash(_("Jam latihan diatur. Semua halaman, anjungan, antrean dan papan mengikutinya dalam beberapa detik.")
          if choice != "sebenarnya" else _("Jam latihan kembali ke waktu sebenarnya."))
    return redirect(url_for("practice.panel"), 303)
