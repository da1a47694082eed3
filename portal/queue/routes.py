"""Queue tickets online, `/antrean`: book a day and window, view, download and cancel a ticket.

Booking asks one question per page — purpose, day, window — with plain GET forms (so each step is a link that
can be shared, reloaded or gone back to), then the NIK and phone on a POST form that issues the ticket. The
ticket's code (`ANT-7K3M-Q9PX`) is what lets its holder see, print and cancel it.
"""

from __future__ import annotations

import time
from datetime import date

from flask import Blueprint, abort, current_app, g, make_response, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lokal import parse_phone

from ..domain import queue as rules
from ..domain.hours import Window
from ..domain.nik import check_nik, mask
from ..models import QueueTicket
from ..extensions import limiter
from ..guesses import ticket_lookups
from ..pdf.cache import document_cache
from ..pagecache import cached_page
from ..pdf.render import qr_data_uri
from ..services import board as queue_board
from ..services import bookings, calendar, queue
from ..templating import public_url, render
from .present import purpose_label, state_label, window_text
from .forms import CancelForm, DetailsForm, FindForm
from ..downloads import pdf_response

bp = Blueprint("queue", __name__, url_prefix="/antrean", template_folder="templates")

TICKET_SIZES = ("58", "80", "a6")
REFUSALS = {
    "full": _l("Jam ini sudah penuh. Pilih jam atau hari lain."),
    "duplicate": _l("NIK ini sudah punya tiket yang masih berlaku untuk keperluan ini pada hari itu. "
                    "Buka tiket tersebut dengan kodenya, atau batalkan dulu bila ingin pindah jam."),
    "closed": _l("Kantor tidak melayani keperluan ini pada hari itu. Pilih hari lain."),
    "past": _l("Jam ini sudah lewat. Pilih jam lain."),
    "unknown_window": _l("Jam ini tidak ada pada hari itu. Pilih jam lain."),
}


def _too_many(limit):
    """Return the start page with when to try again (429)."""
    seconds = max(1, int(limit.reset_at - time.time()) + 1)
    message = _("Terlalu banyak permintaan. Coba lagi dalam %(minutes)s menit.", minutes=-(-seconds // 60))
    response = make_response(render("queue/index.html", form=FindForm(), error=message), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.get("")
@cached_page(csrf=True)  # no form token on it, but served from the cache to a visitor with a session too
def index():
    """Return the queue's start page: take a ticket, or open one with its code."""
    return render("queue/index.html", form=FindForm(), error=None)


@bp.get("/cari")
@ticket_lookups(on_breach=_too_many)
def find():
    """Open the ticket whose code was typed (303), or say it was not found (422), the code kept."""
    form = FindForm(request.args)
    ticket = queue.find(form.kode.data or "")
    if ticket is None:
        message = (_("Isi kode tiket.") if not (form.kode.data or "").strip()
                   else _("Kode tiket tidak ditemukan. Periksa lagi, misalnya ANT-7K3M-Q9PX."))
        form.kode.errors = [message]
        return render("queue/index.html", form=form, error=None), 422
    return redirect(url_for("queue.ticket", code=ticket.code), 303)


def _offer_version():
    """Return the version of the places offered, for a step that shows them (None for the first question,
    asked without a query string; the raw string is read, so a page from the cache parses no arguments)."""
    return queue_board.version(calendar.now()) if request.query_string else None


@bp.get("/ambil")
@cached_page(csrf=True, query=("keperluan", "hari", "jam", "langkah"), version=_offer_version,
             unless=bookings.has_kept_answers)
def book():
    """Return the next booking question: the purpose, then the day, then the window, then NIK and phone.

    The answers so far travel in the query string; one that no longer holds (a day now full, a window past)
    sends the visitor back to that question with the reason. After a refused booking (`ditolak`, see `take`)
    the reason is the refusal's, and the NIK and phone typed then are filled in again.
    """
    now = calendar.now()
    asked = request.args.get("langkah")
    refused = request.args.get("ditolak")
    refusal = str(REFUSALS[refused]) if refused in REFUSALS else None
    purpose = queue.purpose(request.args.get("keperluan"))
    if purpose is None:
        error = _("Pilih keperluan Anda.") if asked == "keperluan" else None
        return _purpose_page(error)
    offers = queue.offers(purpose, now)
    day_offer = _chosen_day(offers, request.args.get("hari"))
    if day_offer is None or day_offer.full:
        if request.args.get("hari") and refusal:
            error = refusal
        elif request.args.get("hari") and day_offer is None:
            error = _("Hari itu tidak bisa dipilih. Pilih salah satu hari di bawah.")
        elif day_offer is not None and day_offer.not_served:
            error = _("Hari itu tidak ada loket untuk keperluan ini. Pilih hari lain.")
        elif day_offer is not None:
            error = _("Hari itu sudah penuh. Pilih hari lain.")
        else:
            error = _("Pilih hari kedatangan.") if asked == "hari" else None
        return _day_page(purpose, offers, error)
    slot = _chosen_slot(day_offer, request.args.get("jam"))
    if slot is None or not slot.bookable:
        if slot is not None or request.args.get("jam"):
            error = refusal or (_("Jam itu tidak ada pada hari itu. Pilih salah satu jam di bawah.") if slot is None
                                else _("Jam itu sudah penuh.") if not slot.past else _("Jam itu sudah lewat."))
        else:
            error = _("Pilih jam kedatangan.") if asked == "jam" else None
        return _window_page(purpose, day_offer, error)
    form = DetailsForm(data={"keperluan": purpose.code, "hari": day_offer.day.isoformat(),
                             "jam": f"{slot.window.start:%H:%M}", **bookings.kept_answers()})
    if refused == "duplicate":  # the window is still open: it is the NIK that already holds a ticket
        return _details_page(form, purpose, day_offer.day, slot.window, refusal, refused), 409
    return _details_page(form, purpose, day_offer.day, slot.window)


@bp.post("/ambil")
@limiter.limit(lambda: current_app.config["QUEUE_LIMIT"], on_breach=_too_many)
def take():
    """Issue the ticket and open it (303). Bad input answers 422 in place; a refused ticket redirects (303) to
    the question to answer again, with the reason and what was typed, so a reload never sends it twice."""
    form = DetailsForm()
    purpose = queue.purpose(form.keperluan.data)
    day = _parse_day(form.hari.data)
    window = _parse_start(purpose, day, form.jam.data) if purpose and day else None
    if purpose is None or day is None or window is None:
        return redirect(url_for("queue.book", keperluan=form.keperluan.data or None, hari=form.hari.data or None), 303)
    if not form.validate():  # only the CSRF token can fail here
        return _details_page(form, purpose, day, window, _("Halaman kedaluwarsa. Kirim sekali lagi.")), 400
    nik, phone = _check_details(form)
    if nik is None or phone is None:
        return _details_page(form, purpose, day, window), 422
    try:
        ticket = bookings.book(purpose, day, window, calendar.now(), nik=nik, phone=phone,
                               typed={"nik": form.nik.data, "hp": form.hp.data})
    except rules.TicketRefused as refused:
        return redirect(url_for("queue.book", keperluan=purpose.code, hari=day.isoformat(),
                                jam=f"{window.start:%H:%M}", ditolak=refused.code), 303)
    return redirect(url_for("queue.ticket", code=ticket.code), 303)


def _check_details(form: DetailsForm) -> tuple[str | None, str | None]:
    """Return the NIK and the phone in E.164, or None for each one that is wrong (its error set on the form)."""
    typed = (form.nik.data or "").strip()
    nik = None
    if not typed:
        form.nik.errors = [_("Isi NIK.")]
    else:
        checked = check_nik(typed, current_app.config["REGION_CODE"])
        if "format" in checked.errors:
            form.nik.errors = [_("NIK harus 16 angka.")]
        elif checked.errors:
            form.nik.errors = [_("NIK ini tidak mungkin benar. Periksa lagi angkanya di KTP-el atau KK.")]
        else:
            nik = checked.nik
    phone = None
    typed_phone = (form.hp.data or "").strip()
    if not typed_phone:
        form.hp.errors = [_("Isi nomor HP.")]
    else:
        parsed = parse_phone(typed_phone)
        if not parsed.valid:
            form.hp.errors = [_("Nomor HP tidak dikenal. Tulis seperti 0812 3456 7890.")]
        elif parsed.type != "mobile":
            form.hp.errors = [_("Isi nomor HP (seluler), bukan telepon rumah.")]
        else:
            phone = parsed.e164
    return nik, phone


def _chosen_day(offers: list[queue.DayOffer], text: str | None) -> queue.DayOffer | None:
    day = _parse_day(text)
    return next((offer for offer in offers if offer.day == day), None)


def _chosen_slot(offer: queue.DayOffer, text: str | None) -> queue.SlotOffer | None:
    return next((slot for slot in offer.slots if f"{slot.window.start:%H:%M}" == text), None)


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def _parse_start(purpose: rules.Purpose, day: date, text: str | None) -> Window | None:
    return next((window for window in queue.slots(purpose, day) if f"{window.start:%H:%M}" == text), None)


def _purpose_page(error: str | None):
    status = 200 if error is None else 422
    choices = [(purpose, purpose_label(purpose)) for purpose in queue.purposes()]
    return render("queue/purpose.html", choices=choices, error=error), status


def _day_page(purpose: rules.Purpose, offers: list[queue.DayOffer], error: str | None):
    status = 200 if error is None else 422
    return render("queue/day.html", purpose=purpose, purpose_label=purpose_label(purpose), offers=offers,
                  error=error, today=queue.today()), status


def _window_page(purpose: rules.Purpose, offer: queue.DayOffer, error: str | None):
    status = 200 if error is None else 422
    return render("queue/window.html", purpose=purpose, purpose_label=purpose_label(purpose), offer=offer,
                  error=error), status


def _details_page(form: DetailsForm, purpose: rules.Purpose, day: date, window: Window, error: str | None = None,
                  refusal: str | None = None):
    return render("queue/details.html", form=form, purpose=purpose, purpose_label=purpose_label(purpose), day=day,
                  window=window, error=error, refusal=refusal)


def _found(code: str):
    """Return the ticket of `code` (404 when unknown); a code typed differently redirects to its canonical URL."""
    ticket = queue.find(code)
    if ticket is None:
        abort(404)
    return ticket


def _shown_ticket() -> tuple[QueueTicket | None, int | None]:
    """Return the ticket the URL names (None when unknown) and how many wait ahead of it (None unless it
    waits today); read once per request."""
    if "shown_ticket" not in g:
        found = queue.find(request.view_args["code"])
        now = calendar.now()
        waiting_today = found is not None and found.state == rules.WAITING and found.day == queue.today(now)
        g.shown_ticket = (found, queue.ahead_of(found) if waiting_today else None)
    return g.shown_ticket


def _ticket_version():
    """Return what the ticket pages show that can change: any ticket's move (its own, or one ahead of it)."""
    return queue_board.version(calendar.now())


@bp.get("/<code>")
@ticket_lookups(on_breach=_too_many)
@cached_page(csrf=True, version=_ticket_version)  # the same page for whoever holds the code, session or not
def ticket(code: str):
    """Return the ticket as it is shown from a phone: big number, purpose, day, window, QR; 404 when unknown.

    Every request counts against the lookup budget; the page itself comes from the page cache (keyed by the
    code: only a ticket that was found has a page there) until a ticket moves or the minute changes."""
    found, ahead = _shown_ticket()
    if found is None:
        abort(404)
    if found.code != code:
        return redirect(url_for("queue.ticket", code=found.code), 301)
    now = calendar.now()
    verify_url = public_url(url_for("verify.page", token=found.verification_token))
    response = make_response(render(
        "queue/ticket.html", ticket=found, purpose_label=purpose_label(found.purpose_code),
        window=window_text(found.window_start, found.window_end), ahead=ahead, qr=qr_data_uri(verify_url),
        state_label=state_label(found.state), masked_nik=mask(found.nik or "") if found.nik else "",
        can_cancel=queue.can_cancel(found, now), sizes=TICKET_SIZES,
        waiting=found.state == rules.WAITING, called_at=found.counter if found.state == rules.CALLED else None))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/<code>/batal", methods=["GET", "POST"])
@ticket_lookups(on_breach=_too_many)
def cancel(code: str):
    """Return the cancel confirmation; on a post, cancel the waiting ticket (its place goes back to the quota)
    and show it again (303). 409 when it can no longer be cancelled."""
    found = _found(code)
    form = CancelForm()
    if not queue.can_cancel(found, calendar.now()):
        return render("queue/cancel.html", ticket=found, form=None), 409
    if request.method == "POST":
        if not form.validate():
            return render("queue/cancel.html", ticket=found, form=form,
                          error=_("Halaman kedaluwarsa. Tekan tombol sekali lagi.")), 400
        if not queue.cancel(found, calendar.now()):
            return render("queue/cancel.html", ticket=found, form=None), 409
        return redirect(url_for("queue.ticket", code=found.code), 303)
    return render("queue/cancel.html", ticket=found, form=form, error=None)


@bp.get("/<code>/tiket.pdf")
@ticket_lookups(on_breach=_too_many)
def pdf(code: str):
    """Return the ticket as a PDF for a 58 mm or 80 mm roll or A6 (`?ukuran=58|80|a6`), rendered once per size."""
    from ..pdf.ticket import TicketData, render_ticket

    found = _found(code)
    size = request.args.get("ukuran", "80")
    if size not in TICKET_SIZES:
        abort(404)
    data = TicketData(
        label=found.label, purpose_label=purpose_label(found.purpose_code), day=found.day,
        window_text=window_text(found.window_start, found.window_end), position=found.position,
        channel=found.channel, code=found.code, issued_at=found.issued_at,
        verify_url=public_url(url_for("verify.page", token=found.verification_token)),
        office_name=current_app.config["OFFICE_NAME"], office_short_name=current_app.config["OFFICE_SHORT_NAME"],
        zone=calendar.zone_label())
    cache = document_cache()
    body = cache.get_or_render(f"ticket-{found.id}-{size}-{get_locale()}", lambda: render_ticket(data, size))
    return pdf_response(body, f"tiket-{found.label}-{size}.pdf", cache="private, max-age=3600")

