"""The kiosk (anjungan), `/kios`: walk-in tickets, status checks and today's hours on a touch screen.

Full-screen pages with very large buttons for a lobby touch screen with an 80 mm thermal printer and no
keyboard. Every page but the start page goes back to the start after `KIOSK_IDLE_SECONDS` without a touch
(a meta refresh, or kiosk.js's timer), and nothing typed is kept on the server: the status keypad carries
what was typed in its own form, never in the session or a URL.
"""

from __future__ import annotations

import time
from datetime import datetime, time as clock

from flask import Blueprint, current_app, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from ..domain import queue as rules
from ..extensions import htmx, limiter
from ..guesses import pin_guesses, reference_key
from ..pagecache import cached_page
from ..pdf.render import qr_data_uri
from ..services import applications, calendar, queue
from ..templating import clock_time, localized, long_date, public_url, render
from .. import application_text
from . import keypad, walkin

bp = Blueprint("kiosk", __name__, url_prefix="/kios", template_folder="templates")

REFUSALS = {
    "closed": _l("Loket untuk keperluan ini sedang tutup. Lihat jam layanan hari ini."),
    "past": _l("Jam layanan ini baru saja berakhir. Lihat jam layanan hari ini."),
    "unknown_window": _l("Loket untuk keperluan ini sedang tutup. Lihat jam layanan hari ini."),
    "full": _l("Kuota antrean jam ini sudah habis. Ambil nomor secara daring untuk jam atau hari lain, "
               "atau tanyakan kepada petugas."),
}
NO_MATCH = _l("Nomor permohonan atau PIN tidak cocok. Periksa lagi keduanya.")


@bp.context_processor
def kiosk_context() -> dict:
    """Give kiosk templates the idle time, the start page's URL and the current instant (for the clock)."""
    return {"idle_seconds": current_app.config["KIOSK_IDLE_SECONDS"], "kiosk_home": url_for("kiosk.start"),
            "now": calendar.now()}


@bp.after_request
def forget(response):
    """Return `response` marked never to be stored: the next person must not get this one's page back."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.errorhandler(CSRFError)
def expired(error: CSRFError):
    """Return the kiosk's own "start again" page (400) for a post without a valid CSRF token."""
    return render("kiosk/error.html", title=_("Waktu habis"),
                  explanation=_("Halaman ini sudah terlalu lama terbuka. Silakan mulai lagi dari awal.")), 400


@bp.get("")
@cached_page(csrf=True)  # nothing on it is personal: served from the cache even to a kiosk holding a session
def start():
    """Return the start page: the office's status and the three big buttons."""
    return render("kiosk/start.html")


# Walk-in tickets


def _walk_in_too_many(limit):
    """Return the purpose page again with when to try again (429)."""
    seconds = max(1, int(limit.reset_at - time.time()) + 1)
    message = _("Terlalu banyak permintaan dari anjungan ini. Coba lagi dalam %(seconds)s detik.", seconds=seconds)
    response = make_response(_walk_in_page(message), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _walk_in_page(error: str | None) -> str:
    """Return the page that lists the purposes, open ones as buttons, with `error` above them."""
    now = calendar.now()
    status = calendar.status(now)
    reopens = {activity.activity: activity.next_open for activity in (status.submission, status.pickup)}
    return render("kiosk/walk_in.html", choices=walkin.choices(now), error=error, reopens=reopens,
                  when=lambda moment: _when(moment, now))


@bp.route("/antrean", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["KIOSK_LIMIT"], methods=["POST"], on_breach=_walk_in_too_many)
def walk_in():
    """Return the purposes to choose from; on a post, issue today's ticket and open its print page (303)."""
    if request.method == "GET":
        return _walk_in_page(None)
    purpose = queue.purpose(request.form.get("keperluan"))
    if purpose is None:
        return _walk_in_page(_("Pilih salah satu keperluan.")), 422
    try:
        ticket = walkin.issue(purpose, calendar.now())
    except rules.TicketRefused as refused:
        return _walk_in_page(str(REFUSALS.get(refused.code, REFUSALS["closed"]))), 409
    return redirect(url_for("kiosk.ticket", token=ticket.verification_token, cetak=1), 303)


@bp.get("/antrean/<token>")
def ticket(token: str):
    """Return the print page of a walk-in ticket issued today (80 mm roll), or the kiosk's 404 page.

    With `?cetak=1` (right after issuing) the page asks kiosk.js to print it once.
    """
    found = queue.by_verification_token(token)
    now = calendar.now()
    if found is None or found.channel != rules.WALK_IN or found.day != queue.today(now):
        return render("kiosk/error.html", title=_("Tiket tidak ditemukan"),
                      explanation=_("Tiket ini tidak ada atau bukan untuk hari ini.")), 404
    purpose = queue.purpose(found.purpose_code)
    window = "–".join(clock_time(clock.fromisoformat(text)) for text in (found.window_start, found.window_end))
    return render("kiosk/ticket.html", ticket=found, window=window, ahead=max(0, found.position - 1),
                  purpose_label=localized(purpose, "label") if purpose else found.purpose_code,
                  qr=qr_data_uri(public_url(url_for("verify.page", token=found.verification_token))),
                  print_now=request.args.get("cetak") == "1")


# Status check with the on-screen keypad


def _not_a_lookup() -> bool:
    """Return True for a key press (not rate-limited); False for the "check" press, which looks up."""
    return request.form.get("tombol") != keypad.CHECK


def _reference_key() -> str:
    """Return the PIN-budget key of the reference typed on the keypad (the same budget as `/lacak`'s)."""
    return reference_key(keypad.Entry.from_form(request.form.get("nomor"), None).reference)


def _status_too_many(limit):
    """Return the keypad again, the PIN emptied, with when to try again (429; 200 for an htmx swap)."""
    seconds = max(1, int(limit.reset_at - time.time()) + 1)
    minutes = -(-seconds // 60)
    entry = keypad.Entry.from_form(request.form.get("nomor"), None)
    message = _("Terlalu banyak percobaan. Coba lagi dalam %(minutes)s menit.", minutes=minutes)
    response = make_response(_status_page(entry, message), 200 if htmx else 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _status_page(entry: keypad.Entry, error: str | None = None, application=None) -> str:
    """Return the keypad with `entry` (or the status of `application`), whole or as the `keypad` fragment."""
    context = {"entry": entry, "error": error, "prefix": current_app.config["REFERENCE_PREFIX"],
               "reference_rows": keypad.reference_rows(), "pin_rows": keypad.PIN_ROWS,
               "keys": keypad, "application": application}
    if application is not None:
        reference = application.reference
        context.update(service=application.service, state_label=application_text.state_label(application.state),
                       next_step=application_text.next_step(application.state, application.service.visit_required),
                       initials=application_text.initials(application.full_name),
                       reference_hint=f"{reference[:3]}-••••-{reference[-4:]}")
    return render("kiosk/status.html", fragments=("keypad",), **context)


@bp.route("/status", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TRACK_LIMIT"], methods=["POST"], exempt_when=_not_a_lookup,
               on_breach=_status_too_many)
@pin_guesses(_reference_key, on_breach=_status_too_many, exempt_when=_not_a_lookup)
def status():
    """Return the keypad; a key press returns it with one symbol more or less; "check" shows the status.

    A wrong reference or PIN gets one message for both (422, or 200 for an htmx swap) and the PIN emptied.
    """
    if request.method == "GET":
        return _status_page(keypad.Entry())
    entry = keypad.Entry.from_form(request.form.get("nomor"), request.form.get("pin"))
    key = request.form.get("tombol")
    if key != keypad.CHECK:
        return _status_page(entry.press(key))
    failed = 200 if htmx else 422
    if not entry.complete:
        return _status_page(entry, _("Ketik 8 huruf dan angka nomor permohonan, lalu 6 angka PIN.")), failed
    application = applications.unlock(entry.reference_text(current_app.config["REFERENCE_PREFIX"]), entry.pin)
    if application is None:
        return _status_page(keypad.Entry(entry.reference, ""), str(NO_MATCH)), failed
    return _status_page(keypad.Entry(), application=application)


# Today's hours


@bp.get("/jam")
def hours():
    """Return today's windows of submission and pickup, and whether each is open now."""
    now = calendar.now()
    status = calendar.status(now)
    activities = ((_("Pengajuan"), status.submission), (_("Pengambilan dokumen"), status.pickup))
    return render("kiosk/hours.html", status=status, activities=activities, when=lambda moment: _when(moment, now))


def _when(moment: datetime, now: datetime) -> str:
    """Return "hari ini pukul 13.00 WIB", "besok pukul 08.00 WIB", or the date and time of a later day."""
    local = moment.astimezone(calendar.office_zone())
    clock_text = f"{clock_time(local)} {calendar.zone_label()}"
    days = (local.date() - now.astimezone(calendar.office_zone()).date()).days
    if days == 0:
        return _("hari ini pukul %(time)s", time=clock_text)
    if days == 1:
        return _("besok pukul %(time)s", time=clock_text)
    return _("%(date)s pukul %(time)s", date=long_date(local), time=clock_text)
