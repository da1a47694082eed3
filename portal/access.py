"""Who may see an application in this browser: the one who started it here, or who gave its reference and PIN.

Kept on the server, in this browser's session row (`services.browser_sessions`), never in its cookie: the
drafts being filled in (with the PIN, so it can be shown on the "saved" and confirmation pages) and the
applications unlocked with reference + PIN. A village operator's session also keeps the PINs of the
applications they filed (`slips`), so the resident's slip can be printed and reprinted until they sign out
(signing out deletes the row, and with it every PIN).
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from .extensions import db
from .models import Application
from .services import browser_sessions

MAX_UNLOCKED = 10
MAX_SLIPS = 50


def _held(key: str, default):
    """Return what this browser holds under `key` (`default` when nothing)."""
    return browser_sessions.data().get(key, default)


def _keep(**changes) -> None:
    """Keep `changes` in this browser's session row (None drops a key) and commit."""
    browser_sessions.update(**changes)


def remember_draft(application: Application, pin: str | None) -> None:
    """Make `application` the draft of its service in this browser (keeping its PIN to show it later).

    When a signed-in village operator does it, the entry names them: the form then knows the draft was
    taken up by an operator (whose session may end) rather than unlocked by the resident.
    """
    drafts = dict(_held("drafts", {}))
    entry = {"id": application.id, "pin": pin}
    if getattr(current_user, "is_authenticated", False) and current_user.role == "operator":
        entry["operator"] = current_user.id
    drafts[application.service_code] = entry
    _keep(drafts=drafts, unlocked=_unlocked_with(application))


def draft_operator(service_code: str) -> int | None:
    """Return the id of the operator who took up this browser's draft of `service_code`, or None."""
    return (_held("drafts", {}).get(service_code) or {}).get("operator")


def keep_slip_pin(application: Application, pin: str) -> None:
    """Keep `pin` for the slip of `application` in this operator's session (the newest 50)."""
    # A list of [id, pin], oldest first: the session's JSON sorts a dict's keys, a list keeps its order.
    slips = [entry for entry in _held("slips", []) if entry[0] != application.id]
    _keep(slips=(slips + [[application.id, pin]])[-MAX_SLIPS:])


def slip_pin(application: Application) -> str | None:
    """Return the PIN kept in this session for the slip of `application`, or None when it is not known."""
    return next((pin for known, pin in _held("slips", []) if known == application.id), None)


def draft_for(service_code: str) -> tuple[Application, str | None] | None:
    """Return this browser's draft (or just-submitted application) of `service_code` with its PIN, or None."""
    entry = _held("drafts", {}).get(service_code)
    if not entry:
        return None
    application = db.session.get(Application, entry["id"])
    if application is None or application.service_code != service_code:
        forget_draft(service_code)
        return None
    return application, entry.get("pin")


def forget_pin(service_code: str) -> None:
    """Drop the PIN kept for this browser's application of `service_code` (after the confirmation showed it)."""
    drafts = dict(_held("drafts", {}))
    if drafts.get(service_code, {}).get("pin"):
        drafts[service_code] = {**drafts[service_code], "pin": None}
        _keep(drafts=drafts)


def forget_draft(service_code: str) -> None:
    """Stop treating any application of `service_code` as this browser's draft."""
    drafts = dict(_held("drafts", {}))
    if drafts.pop(service_code, None) is not None:
        _keep(drafts=drafts or None)


def unlock(application: Application) -> None:
    """Let this browser see `application` (after its reference and PIN were given, or it was started here)."""
    _keep(unlocked=_unlocked_with(application))


def _unlocked_with(application: Application) -> list[int]:
    """Return this browser's unlocked ids with `application`'s last (the newest `MAX_UNLOCKED`)."""
    unlocked = [i for i in _held("unlocked", []) if i != application.id]
    return (unlocked + [application.id])[-MAX_UNLOCKED:]


def is_unlocked(application: Application) -> bool:
    """Return True when this browser may see `application`."""
    return application.id in _held("unlocked", [])


def forget_residents_grants() -> None:
    """Forget, in this browser, every application unlocked or started here ("Tutup di perangkat ini"): the
    server drops them, so a copy of the cookie taken before no longer opens them either."""
    _keep(unlocked=None, drafts=None)


def unlocked_application(reference: str) -> Application | None:
    """Return the application with exactly `reference` when this browser may see it, else None."""
    application = db.session.scalars(select(Application).where(Application.reference == reference)).first()
    return application if application is not None and is_unlocked(application) else None
