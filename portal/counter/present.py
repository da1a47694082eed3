"""How queue tickets read on the counter and on the lobby board: purpose names, channel, window."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l

from ..domain import queue as rules
from ..models import QueueTicket
from ..services import queue
from ..templating import clock_time, localized

CHANNELS = {rules.ONLINE: _l("Daring"), rules.WALK_IN: _l("Datang langsung")}
ENDINGS = {rules.SERVED: _l("sudah dilayani"), rules.NO_SHOW: _l("ditandai tidak hadir"),
           rules.CANCELLED: _l("dibatalkan pemegangnya"), rules.WAITING: _l("belum dipanggil")}


def purpose_names() -> dict[str, str]:
    """Return every configured purpose's name in the visitor's language, by purpose code."""
    return {found.code: localized(found, "label") for found in queue.purposes()}


def channel_label(ticket: QueueTicket) -> str:
    """Return how the ticket was taken: "Daring" (booked online) or "Datang langsung" (kiosk)."""
    return str(CHANNELS.get(ticket.channel, ticket.channel))


def ending_label(ticket: QueueTicket) -> str:
    """Return what became of a ticket that is no longer called ("sudah dilayani", …)."""
    return str(ENDINGS.get(ticket.state, ticket.state))


def window_text(ticket: QueueTicket) -> str:
    """Return the ticket's hourly window as the office writes it: "09.00–10.00"."""
    start, end = time.fromisoformat(ticket.window_start), time.fromisoformat(ticket.window_end)
    return f"{clock_time(start)}–{clock_time(end)}"
