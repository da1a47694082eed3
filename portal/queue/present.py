"""How tickets read to people: purpose names, windows and states in plain words, in the visitor's language."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from ..domain import queue as rules
from ..services import queue
from ..templating import clock_time, localized


def purpose_label(code_or_purpose: str | rules.Purpose) -> str:
    """Return the purpose's name in the current language ("Pengajuan KTP-el"); the code when it is unknown."""
    found = queue.purpose(code_or_purpose) if isinstance(code_or_purpose, str) else code_or_purpose
    if found is None:
        return str(code_or_purpose)
    return localized({"name_id": found.label_id, "name_en": found.label_en}, "name")


def window_text(start: str, end: str) -> str:
    """Return "09.00–10.00" (or "09:00–10:00" in English) for a ticket's window given as "HH:MM" strings."""
    def read(text: str):
        return clock_time(datetime.strptime(text, "%H:%M").time())

    return f"{read(start)}–{read(end)}"


def state_label(state: str) -> str:
    """Return a ticket's state in plain words ("Menunggu dipanggil")."""
    return {
        rules.WAITING: _("Menunggu dipanggil"),
        rules.CALLED: _("Sedang dipanggil"),
        rules.SERVED: _("Sudah dilayani"),
        rules.NO_SHOW: _("Tidak hadir saat dipanggil"),
        rules.CANCELLED: _("Dibatalkan"),
    }.get(state, state)
