"""Who may see an application in this browser: the one who started it here, or who gave its reference and PIN.

Kept in the signed session cookie: the drafts being filled in (with the PIN, so it can be shown on the
"saved" and confirmation pages) and the applications unlocked with reference + PIN. A village operator's
session also keeps the PINs of the applications they filed (`slips`), so the resident's slip can be printed
and reprinted until they sign out (signing out clears the session).
"""

from __future__ import annotations

from flask import session
from flask_login import current_user
from sqlalchemy import select

from .extensions import db
from .models import Application

MAX_UNLOCKED = 10
MAX_SLIPS = 50


def remember_draft(application: Application, pin: str | None) -> None:
    """Make `application` the draft of its service in this browser (keeping its PIN to show it later).

    When a signed-in village operator does it, the entry names them: the form then knows the draft was
    taken up by an operator (whose session may end) rather than unlocked by the resident.
    """
    drafts = dict(session.get("drafts", {}))
    entry = {"id": application.id, "pin": pin}
    if getattr(current_user, "is_authenticated", False) and current_user.role == "operator":
        entry["operator"] = current_user.id
    drafts[application.service_code] = entry
    session["drafts"] = drafts
    unlock(application)


def draft_operator(service_code: str) -> int | None:
    """Return the id of the operator who took up this browser's draft of `service_code`, or None."""
    return (session.get("drafts", {}).get(service_code) or {}).get("operator")


def keep_slip_pin(application: Application, pin: str) -> None:
    """Keep `pin` for the slip of `application` in this operator's session (the newest 50)."""
    # A list of [id, pin], oldest first: the session's JSON sorts a dict's keys, a list keeps its order.
    slips = [entry for entry in session.get("slips", []) if entry[0] != application.id]
    session["slips"] = (slips + [[application.id, pin]])[-MAX_SLIPS:]


def slip_pin(application: Application) -> str | None:
    """Return the PIN kept in this session for the slip of `application`, or None when it is not known."""
    return next((pin for known, pin in session.get("slips", []) if known == application.id), None)


def draft_for(service_code: str) -> tuple[Application, str | None] | None:
    """Return this browser's draft (or just-submitted application) of `service_code` with its PIN, or None."""
    entry = session.get("drafts", {}).get(service_code)
    if not entry:
        return None
    application = db.session.get(Application, entry["id"])
    if application is None or application.service_code != service_code:
        forget_draft(service_code)
        return None
    return application, entry.get("pin")


def forget_pin(service_code: str) -> None:
    """Drop the PIN kept for this browser's application of `service_code` (after the confirmation showed it)."""
    drafts = dict(session.get("drafts", {}))
    if drafts.get(service_code, {}).get("pin"):
        drafts[service_code] = {**drafts[service_code], "pin": None}
        session["drafts"] = drafts


def forget_draft(service_code: str) -> None:
    """Stop treating any application of `service_code` as this browser's draft."""
    drafts = dict(session.get("drafts", {}))
    if drafts.pop(service_code, None) is not None:
        session["drafts"] = drafts


def unlock(application: Application) -> None:
    """Let this browser see `application` (after its reference and PIN were given, or it was started here)."""
    unlocked = [i for i in session.get("unlocked", []) if i != application.id]
    session["unlocked"] = (unlocked + [application.id])[-MAX_UNLOCKED:]


def is_unlocked(application: Application) -> bool:
    """Return True when this browser may see `application`."""
    return application.id in session.get("unlocked", [])


def unlocked_application(reference: str) -> Application | None:
    """Return the application with exactly `reference` when this browser may see it, else None."""
    application = db.session.scalars(select(Application).where(Application.reference == reference)).first()
    return application if application is not None and is_unlocked(application) else None
