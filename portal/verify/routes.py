"""`/verifikasi/<token>`: anyone scanning a receipt's QR code learns whether it is genuine and current."""

from __future__ import annotations

from flask import Blueprint

from ..services import applications, queue
from ..templating import render
from ..track import present

bp = Blueprint("verify", __name__, url_prefix="/verifikasi", template_folder="templates")


@bp.get("/<token>")
def page(token: str):
    """Return the verdict on a receipt: genuine with the least data (service, status, date, initials), or 404."""
    application = applications.by_verification_token(token)
    if application is None:
        ticket = queue.by_verification_token(token)
        if ticket is not None:
            return _ticket(ticket)
        return render("verify/page.html", application=None), 404
    reference = application.reference
    hint = f"{reference[:3]}-••••-{reference[-4:]}"
    response = render("verify/page.html", application=application, reference_hint=hint,
                      initials=present.initials(application.full_name),
                      state_label=present.state_label(application.state))
    return response, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _ticket(ticket):
    """Return the verdict on a queue ticket: its number, purpose, day, window and state — no NIK, no phone."""
    from ..queue.present import purpose_label, state_label, window_text
    response = render("verify/page.html", application=None, ticket=ticket, purpose_label=purpose_label(ticket.purpose_code),
                      window=window_text(ticket.window_start, ticket.window_end), state_label=state_label(ticket.state))
    return response, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
