"""The counter, `/petugas/loket`: a clerk calls the next ticket, recalls, marks no-shows and served.

The clerk first says which counter this desk is and which purposes it calls (kept in the session). Every
button is a plain POST form that redirects back (303); with htmx the same forms swap the `counter` block only.
A ticket action names the ticket and is refused (409) unless that ticket is called at this counter today and
still called, so a stale page or another clerk's work is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, get_flashed_messages, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..auth.guard import roles_required
from ..domain import queue as rules
from ..extensions import db, htmx
from ..models import QueueTicket
from ..services import board as queue_board
from ..services import calendar, queue
from ..templating import render
from . import present
from .forms import COUNTER_NUMBERS, CounterForm

bp = Blueprint("counter", __name__, url_prefix="/petugas/loket", template_folder="templates")

STAFF = ("clerk", "supervisor", "admin")
NEXT_SHOWN = 5
FLASH = "counter"


@dataclass(frozen=True)
class Desk:
    """What this browser's clerk chose: the counter's number and the purposes it calls, in their order."""

    number: int
    purposes: tuple[str, ...]


def chosen_desk() -> Desk | None:
    """Return the counter chosen in this session, or None when none (or nothing still configured) was chosen."""
    saved = session.get("counter")
    if not isinstance(saved, dict):
        return None
    number = saved.get("number")
    known = {found.code for found in queue.purposes()}
    codes = tuple(code for code in saved.get("purposes") or () if code in known)
    if not isinstance(number, int) or number not in COUNTER_NUMBERS or not codes:
        return None
    return Desk(number, codes)


@bp.get("")
@roles_required(*STAFF)
def page():
    """Return the counter page, or send a clerk who has not chosen a counter to the choice (303)."""
    desk = chosen_desk()
    if desk is None:
        return redirect(url_for("counter.setup"), 303)
    return _counter_page(desk)


@bp.route("/atur", methods=["GET", "POST"])
@roles_required(*STAFF)
def setup():
    """Return the counter and purpose choice; on a valid post, remember it and open the counter (303)."""
    desk = chosen_desk()
    form = CounterForm(data={"number": str(desk.number), "purposes": list(desk.purposes)} if desk else None)
    form.purposes.choices = [SelectChoice(code, name) for code, name in present.purpose_names().items()]
    if request.method == "POST":
        if form.validate():
            codes = [choice.value for choice in form.purposes.choices if choice.value in form.purposes.data]
            session["counter"] = {"number": int(form.number.data), "purposes": codes}
            return redirect(url_for("counter.page"), 303)
        status = 422
    else:
        status = 200
    now = calendar.now()
    busy = queue_board.board(now).serving
    still_serving = queue.current_at_counter(desk.number, now) if desk else None
    return render("counter/setup.html", form=form, busy=busy, desk=desk, still_serving=still_serving,
                  messages=get_flashed_messages(category_filter=[FLASH])), status


@bp.post("/tutup")
@roles_required(*STAFF)
def close():
    """End this desk's shift: forget the chosen counter and send the clerk, still signed in, to the choice (303).

    Refused (409) while a ticket is still called here, so nobody is left standing at a closed counter.
    """
    desk = chosen_desk()
    if desk is None:
        return redirect(url_for("counter.setup"), 303)
    current = queue.current_at_counter(desk.number, calendar.now())
    if current is not None:
        return _counter_page(desk, status=409, error=_(
            "%(label)s masih dilayani di Loket %(number)s. Tandai selesai atau tidak hadir sebelum menutup loket.",
            label=current.label, number=desk.number))
    session.pop("counter", None)
    flash(_("Loket %(number)s ditutup. Anda masih masuk; pilih loket bila ingin melayani lagi.",
            number=desk.number), FLASH)
    return redirect(url_for("counter.setup"), 303)


@bp.post("/panggil")
@roles_required(*STAFF)
def call_next():
    """Finish the ticket being served (as served) and call the next one; 303 back, or 409 on a stale page.

    The form names the ticket it saw being served, so a double click or a second tab does not silently
    finish the ticket just called.
    """
    desk = chosen_desk()
    if desk is None:
        return redirect(url_for("counter.setup"), 303)
    now = calendar.now()
    current = queue.current_at_counter(desk.number, now)
    if (str(current.id) if current else "") != request.form.get("current", ""):
        if current is None:
            message = _("Halaman sudah diperbarui: nomor yang tadi dilayani sudah selesai. "
                        "Tekan lagi bila ingin memanggil berikutnya.")
        else:
            message = _("Halaman sudah diperbarui: loket ini sekarang melayani %(label)s. "
                        "Tekan lagi bila ingin menyelesaikannya dan memanggil berikutnya.", label=current.label)
        return _counter_page(desk, error=message, status=409)
    called = queue.call_next(desk.number, list(desk.purposes), now, current_user.id)
    if called is None:
        flash(_("Tidak ada antrean menunggu."), FLASH)
    else:
        flash(_("%(label)s dipanggil ke Loket %(number)s.", label=called.label, number=desk.number), FLASH)
    return redirect(url_for("counter.page"), 303)


@bp.post("/ulang")
@roles_required(*STAFF)
def recall():
    """Call the ticket being served again (the board shows it on top); 303 back, or 409 when refused."""
    return _ticket_action(lambda ticket, now: queue.recall(ticket, now),
                          lambda ticket: _("%(label)s dipanggil ulang.", label=ticket.label))


@bp.post("/tidak-hadir")
@roles_required(*STAFF)
def no_show():
    """Mark the ticket being served as not present; 303 back, or 409 when refused."""
    return _ticket_action(lambda ticket, now: queue.finish(ticket, rules.NO_SHOW, now),
                          lambda ticket: _("%(label)s ditandai tidak hadir.", label=ticket.label))


@bp.post("/selesai")
@roles_required(*STAFF)
def served():
    """Mark the ticket being served as served; 303 back, or 409 when refused."""
    return _ticket_action(lambda ticket, now: queue.finish(ticket, rules.SERVED, now),
                          lambda ticket: _("%(label)s selesai dilayani.", label=ticket.label))


def _ticket_action(act, done_message):
    """Run `act(ticket, now)` on the posted ticket if it is called at this counter today; return the response."""
    desk = chosen_desk()
    if desk is None:
        return redirect(url_for("counter.setup"), 303)
    now = calendar.now()
    ticket, refusal = _called_here(desk, now)
    if ticket is None:
        return _counter_page(desk, error=refusal, status=409)
    try:
        done = act(ticket, now)
    except ValueError:  # finished by another clerk in the same instant
        done = False
    if done is False:
        return _counter_page(desk, error=_("Nomor %(label)s baru saja diselesaikan di tempat lain.", label=ticket.label),
                             status=409)
    flash(done_message(ticket), FLASH)
    return redirect(url_for("counter.page"), 303)


def _called_here(desk: Desk, now) -> tuple[QueueTicket | None, str | None]:
    """Return (the posted ticket, None) when it is called at `desk` today, else (None, why not)."""
    raw = request.form.get("ticket", "")
    ticket = db.session.get(QueueTicket, int(raw)) if raw.isdigit() and len(raw) <= 9 else None
    if ticket is None or ticket.day != queue.today(now) or ticket.counter != desk.number:
        return None, _("Nomor itu tidak sedang dipanggil di Loket %(number)s hari ini. Halaman sudah diperbarui.",
                       number=desk.number)
    if ticket.state != rules.CALLED:
        return None, _("%(label)s %(ending)s, mungkin oleh petugas lain. Halaman sudah diperbarui.",
                       label=ticket.label, ending=present.ending_label(ticket))
    return ticket, None


def _counter_page(desk: Desk, error: str | None = None, status: int = 200):
    """Return the counter page (or its `counter` block for htmx) with `status`.

    A refusal is a 409 for a plain post but a 200 for htmx, which only swaps successful responses.
    """
    now = calendar.now()
    callable_now = queue.waiting_in_order(list(desk.purposes), now)
    waiting_all = queue_board.board(now).waiting
    counts = [(code, sum(1 for t in callable_now if t.purpose_code == code),
               waiting_all.get(code, 0)) for code in desk.purposes]
    rows = [(code, ready, max(0, total - ready)) for code, ready, total in counts]
    html = render("counter/page.html", fragments=("counter",), desk=desk, error=error,
                  current=queue.current_at_counter(desk.number, now), upcoming=callable_now[:NEXT_SHOWN],
                  ready_total=len(callable_now), rows=rows, names=present.purpose_names(), present=present,
                  messages=get_flashed_messages(category_filter=[FLASH]))
    if status != 200 and htmx:
        status = 200
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response
