"""The warning on the check page when the NIK already has an open application for the same service.

What it reveals is kept to what the person at the keyboard may know. A resident (who may have typed someone
else's NIK) learns only that such an application exists, and is sent to `/lacak`, where its reference and
PIN are still needed; never its reference, state or date. A village operator sees, besides, the references of
the ones their own desa filed (they can open those anyway), and only how many others there are.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..models import Application
from ..services import batches, duplicates
from . import behalf


@dataclass(frozen=True)
class DuplicateNotice:
    """What the check page says about the NIK's other open applications of this service."""

    count: int  # open ones, with the drafts sent in the same village batch
    own: list[tuple[str, str]]  # (reference, address) of those the operator's desa filed; [] for a resident
    elsewhere: int  # the others, counted only
    track_url: str


def notice(application: Application) -> DuplicateNotice | None:
    """Return the warning for `application`'s check page, or None when its NIK has no other open application
    of the service (nor a batch-mate that will be sent with it)."""
    others = duplicates.open_others(application) + duplicates.unsent_batch_mates(application)
    if not others:
        return None
    own = []
    if behalf.is_village(application) and current_user.is_authenticated:
        own = [(other.reference, url_for("village.application", reference=other.reference))
               for other in others if batches.owned(current_user, other)]
    return DuplicateNotice(len(others), own, len(others) - len(own), url_for("track.form"))


def reason_message(code: str) -> str:
    """Return the sentence next to the reason field for a refused send ("missing" or "too_long")."""
    if code == "too_long":
        return _("Alasan paling banyak 300 huruf.")
    return _("Tulis alasan mengapa permohonan ini tetap perlu dikirim, misalnya untuk siapa.")
