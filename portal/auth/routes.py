"""Signing in (`/masuk`) and out (`/keluar`) for clerks, supervisors and village operators."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import limiter
from ..redirects import safe_next
from ..services import accounts, browser_sessions, calendar
from ..templating import clock_time, render
from .forms import EndSessionForm, SignInForm
from .guard import HOME_BY_ROLE, home_for, roles_required

bp = Blueprint("auth", __name__, template_folder="templates")


def _too_many(limit):
    """Return the sign-in page with the time to wait, as a 429 response."""
    import time
    minutes = max(1, round((limit.reset_at - time.time()) / 60))
    form = SignInForm()
    page = render("auth/sign_in.html", form=form,
                  error=_("Terlalu banyak percobaan masuk. Coba lagi dalam %(minutes)s menit.", minutes=minutes))
    return current_app.make_response((page, 429))  # Flask-Limiter uses only a Response, not a (body, status)


@bp.route("/masuk", methods=["GET", "POST"])
# Only refused sign-ins count: staff behind one office address must not lock each other out by signing in.
@limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT"], methods=["POST"], on_breach=_too_many,
               deduct_when=lambda response: response.status_code != 303)
def sign_in():
    """Return the sign-in form; on a good post sign in and go where the user was going (303)."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    form = SignInForm()
    if request.method == "POST":
        if not (form.username.data or "").strip() or not form.password.data:
            return render("auth/sign_in.html", form=form, error=_("Isi nama pengguna dan kata sandi.")), 422
        now = calendar.now()
        result = accounts.sign_in(form.username.data, form.password.data, now)
        if result.user is None:
            error = _("Nama pengguna atau kata sandi salah.")
            if result.refusal == "wait":
                error = _("Nama pengguna atau kata sandi salah, terlalu sering dari perangkat ini. Coba lagi "
                          "setelah pukul %(time)s %(zone)s.", time=clock_time(result.locked_until),
                          zone=calendar.zone_label())
            elif result.refusal == "disabled":
                error = _("Akun ini dinonaktifkan. Hubungi kepala bidang.")
            return render("auth/sign_in.html", form=form, error=error), 422
        session.clear()  # a fresh session for the signed-in user (no fixation)
        browser_sessions.start(result.user.id)
        login_user(result.user)
        session.permanent = True
        target = request.args.get("next")
        return redirect(safe_next(target) or home_for(result.user), 303)
    return render("auth/sign_in.html", form=form, error=None)


@bp.post("/keluar")
def sign_out():
    """Sign out and forget everything this browser held, ending its session row on the server so that no copy
    of the cookie works any more (303 to the sign-in page)."""
    browser_sessions.end()
    logout_user()
    session.clear()
    return redirect(url_for("auth.sign_in"), 303)


@bp.get("/akun/sesi")
@roles_required(*HOME_BY_ROLE)
def sessions():
    """Return the signed-in user's live sessions (this browser marked), each with a button to end it."""
    return render("auth/sessions.html", rows=browser_sessions.active_of(current_user.id),
                  this=browser_sessions.current(), form=EndSessionForm(formdata=None))


@bp.post("/akun/sesi")
@roles_required(*HOME_BY_ROLE)
def end_sessions():
    """End one of the user's sessions (`sesi`), or all of them ("sign out everywhere") when it is empty.

    Ending this browser's own session, or all, signs out here too (303 to the sign-in page); ending another
    goes back to the list (303). 400 without a valid CSRF token.
    """
    form = EndSessionForm()
    if not form.validate():
        abort(400)
    chosen = form.session_id.data or None
    try:
        ended = accounts.end_sessions(current_user, current_user, calendar.now(), chosen)
    except accounts.AccountError:
        flash(_("Sesi itu sudah berakhir."))
        return redirect(url_for("auth.sessions"), 303)
    if ended.here:
        logout_user()
        session.clear()
        flash(_("Anda sudah keluar dari semua perangkat.") if chosen is None else _("Anda sudah keluar."))
        return redirect(url_for("auth.sign_in"), 303)
    flash(_("Sesi di perangkat itu diakhiri."))
    return redirect(url_for("auth.sessions"), 303)
