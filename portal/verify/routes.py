"""`/verifikasi/<token>`: anyone scanning a QR code learns whether a receipt, ticket, batch cover sheet or
collective pickup manifest is genuine and current, with the least data (no names, no NIK)."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import func, select

from ..extensions import db
from ..models import Handover, PickupManifest, manifest_item
from ..services import applications, batches, queue
from ..templating import render
from .. import application_text

bp = Blueprint("verify", __name__, url_prefix="/verifikasi", template_folder="templates")

HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


@bp.get("/<token>")
def page(token: str):
    """Return the verdict on a receipt, ticket, batch or manifest: genuine with the least data, or 404."""
    application = applications.by_verification_token(token)
    if application is None:
        ticket = queue.by_verification_token(token)
        if ticket is not None:
            return _ticket(ticket)
        batch = batches.by_verification_token(token)
        if batch is not None:
            return _batch(batch)
        manifest = _manifest_by_token(token)
        if manifest is not None:
            return _manifest(manifest)
        return render("verify/page.html", application=None), 404
    reference = application.reference
    hint = f"{reference[:3]}-••••-{reference[-4:]}"
    response = render("verify/page.html", application=application, reference_hint=hint,
                      initials=application_text.initials(application.full_name),
                      state_label=application_text.state_label(application.state))
    return response, 200, HEADERS


def _ticket(ticket):
    """Return the verdict on a queue ticket: its number, purpose, day, window and state — no NIK, no phone."""
    from ..queue.present import purpose_label, state_label, window_text
    response = render("verify/page.html", application=None, ticket=ticket, purpose_label=purpose_label(ticket.purpose_code),
                      window=window_text(ticket.window_start, ticket.window_end), state_label=state_label(ticket.state))
    return response, 200, HEADERS


def _batch(batch):
    """Return the verdict on a batch cover sheet: number, desa, submitted date, size and progress — no names."""
    from ..village.batches import progress_label
    response = render("verify/page.html", application=None, batch=batch, size=len(batch.applications),
                      progress=progress_label(batches.progress(batch)))
    return response, 200, HEADERS


def _manifest_by_token(token: str) -> PickupManifest | None:
    """Return the collective pickup manifest a QR token belongs to, or None."""
    if not token or len(token) > 40:
        return None
    return db.session.scalars(select(PickupManifest).where(PickupManifest.verification_token == token)).first()


def _manifest(manifest: PickupManifest):
    """Return the verdict on a collective pickup manifest: code, desa, date, items and how many were handed
    over — no names."""
    items = select(manifest_item.c.application_id).where(manifest_item.c.manifest_id == manifest.id)
    total = db.session.scalar(select(func.count()).select_from(items.subquery()))
    handed = db.session.scalar(select(func.count(Handover.id)).where(Handover.application_id.in_(items)))
    response = render("verify/page.html", application=None, manifest=manifest, size=total, handed=handed)
    return response, 200, HEADERS
