"""Who may see an application in this browser: the one who started it here, or who gave its reference and PIN.

Kept in the signed session cookie: the drafts being filled in (with the PIN, so it can be shown on the
"saved" and confirmation pages) and the applications unlocked with reference + PIN.
"""

from __future__ import annotations

from flask import session
from sqlalchemy import select

from .extensions import db
from .models import Application

MAX_UNLOCKED = 10


def remember_draft(application: Application, pin: str | None) -> None:
    """Make `application` the draft of its service in this browser (keeping its PIN to show it later)."""
    drafts = dict(session.get("drafts", {}))
    drafts[application.service_code] = {"id": application.id, "pin": pin}
    session["drafts"] = drafts
    unlock(application)


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
