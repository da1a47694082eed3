"""Handing over a village's collective pickup manifest at `/petugas/serah`, item by item.

The clerk scans the manifest's QR (or types its code, "AMB-…") on the handover page; the page lists the
desa, the operator who collects and every item with its state. One form holds the operator's name (filled in
from the manifest, editable once for the whole visit) and a "Serahkan" button per item that is ready; items
not ready or already handed over are shown without one. Before an item's pickup day or outside pickup hours the
form also asks for a reason, one for the visit, which each item's audit line carries. The slip of the visit
(80 mm) lists what was handed over from this manifest today. The usual case: scan, "Serahkan" per item, print.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..auth.guard import roles_required
from ..domain import handover as handover_rules
from ..domain import lifecycle
from ..domain.nik import mask
from ..extensions import db, htmx
from ..models import Application, Handover, PickupManifest
from ..pdf.manifest import ManifestSlipData, line_of, render_manifest_slip
from ..pdf.pickup import document_name
from ..services import audit, calendar, handovers, manifests, review
from ..templating import public_url, render
from ..application_text import state_label
from .blueprint import STAFF_ROLES, bp
from .handover_text import TEMPLATE, moment, pickup_when, refusal_text
from .forms import ManifestHandoverForm
from ..downloads import pdf_response


def manifest_for(code: str) -> PickupManifest | None:
    """Return the manifest a scanned or typed code names: its verification URL, bare token, or code "AMB-…"."""
    if "/verifikasi/" in code:
        token = code.rsplit("/verifikasi/", 1)[1].split("?")[0].split("#")[0].strip("/ ")
        return manifests.by_verification_token(token)
    return manifests.by_code(code) or manifests.by_verification_token(code)


def manifest_page(manifest: PickupManifest, form: ManifestHandoverForm | None = None, refusal: str | None = None,
                  status: int = 200):
    """Return the handover page showing `manifest` (or its `scan` block for htmx, always 200) with `status`."""
    if form is None:
        form = ManifestHandoverForm(formdata=None, operator_name=_collector_default(manifest))
    today = calendar.now().astimezone(calendar.office_zone()).date()
    rows = [(item, _item_state(item), pickup_when(item.application), mask(item.application.nik or ""))
            for item in manifests.items(manifest)]
    body = render(TEMPLATE, fragments=("scan",), code="", application=None, manifest=manifest, form=form,
                  refusal=refusal, not_found=False, rows=rows, document_name=document_name, start_field="kode",
                  schedule=_schedule_notes([row[0].application for row in rows if row[0].ready]),
                  visit=manifests.handed_over_on(manifest, today, calendar.office_zone()),
                  waiting=sum(row[0].ready for row in rows))
    return body, 200 if htmx and request.headers.get("HX-Target") == "scan" else status


@bp.get("/serah/manifes/<int:manifest_id>")
@roles_required(*STAFF_ROLES)
def handover_manifest(manifest_id: int):
    """Return the handover page of manifest `manifest_id` (where a handover redirects to). 404 if unknown."""
    return manifest_page(db.session.get(PickupManifest, manifest_id) or abort(404))


@bp.post("/serah/manifes/<int:manifest_id>")
@roles_required(*STAFF_ROLES)
def handover_manifest_item(manifest_id: int):
    """Hand over the item of the pressed button to the named operator and redirect (303) to the manifest;
    the page again with the name's error (422) or a sentence when the item cannot be handed over (409).
    404 for an unknown manifest."""
    manifest = db.session.get(PickupManifest, manifest_id) or abort(404)
    form = ManifestHandoverForm()
    reference = request.form.get("reference", "")
    application = next((a for a in manifest.applications if a.reference == reference), None)
    if not form.validate_on_submit():
        return manifest_page(manifest, form, status=422)
    if application is None:
        return manifest_page(manifest, form, refusal=_("Dokumen itu tidak ada di manifes ini."), status=409)
    if not form.operator_name.data:
        form.operator_name.errors = [_("Isi nama operator desa yang mengambil.")]
    if _schedule_notes([application]) and not form.reason.data:
        form.reason.errors = [_("Tulis alasan dokumen ini diserahkan di luar jadwal.")]
    if any(field.errors for field in form):
        return manifest_page(manifest, form, status=422)
    try:
        handovers.hand_over(application, current_user, calendar.now(), "operator", name=form.operator_name.data,
                            manifest=manifest, reason=form.reason.data)
    except (review.Refused, IntegrityError) as refused:  # IntegrityError: another clerk handed it over just now
        if isinstance(refused, review.Refused) and refused.code == "reason":
            form.reason.errors = [_("Tulis alasan dokumen ini diserahkan di luar jadwal.")]
            return manifest_page(manifest, form, status=422)
        why = refusal_text(application) or _("Dokumen ini tidak dapat diserahkan sekarang.")
        return manifest_page(manifest, form, refusal=f"{application.reference}: {why}", status=409)
    return redirect(url_for("staff.handover_manifest", manifest_id=manifest.id), 303)


@bp.get("/serah/manifes/<int:manifest_id>/slip.pdf")
@roles_required(*STAFF_ROLES)
def handover_manifest_slip(manifest_id: int):
    """Return the 80 mm slip of today's visit (every item handed over from the manifest today) and note the
    print in the audit log. 404 for an unknown manifest or when nothing was handed over today."""
    manifest = db.session.get(PickupManifest, manifest_id) or abort(404)
    today = calendar.now().astimezone(calendar.office_zone()).date()
    visit = manifests.handed_over_on(manifest, today, calendar.office_zone())
    if not visit:
        abort(404)
    last = visit[-1]
    body = render_manifest_slip(ManifestSlipData(
        code=manifest.code, desa_name=manifest.region.name if manifest.region else manifest.region_code,
        collector_name=last.collector_name, clerk_name=last.clerk_name, handed_at=last.at,
        lines=tuple(line_of(handover.application) for handover in visit),
        verify_url=public_url(url_for("verify.page", token=manifest.verification_token)),
        office_name=current_app.config["OFFICE_NAME"], office_address=current_app.config["OFFICE_ADDRESS"]))
    audit.record_print(current_user, calendar.now(), None,
                       f"bukti penyerahan manifes {manifest.code}: {len(visit)} dokumen, 80 mm")
    return pdf_response(body, f"bukti-penyerahan-{manifest.code}.pdf")


def _schedule_notes(ready: list[Application]) -> list[str]:
    """Return why handing over the `ready` applications now needs a reason: some are due on a later day, pickup
    is closed now; [] when none applies."""
    now = calendar.now()
    office = calendar.calendar(now)
    codes = {code for application in ready
             for code in handover_rules.reasons_needed(office, now, application.pickup_date)}
    notes = []
    if handover_rules.EARLY in codes:
        notes.append(_("Ada dokumen yang jadwal pengambilannya belum hari ini."))
    if handover_rules.OUTSIDE_HOURS in codes:
        notes.append(_("Sekarang di luar jam pengambilan."))
    return notes


def _collector_default(manifest: PickupManifest) -> str:
    """Return the name to fill in: the one used for this manifest's last handover, else its operator's."""
    last = db.session.scalar(db.select(Handover.collector_name).where(Handover.manifest_id == manifest.id)
                             .order_by(Handover.at.desc(), Handover.id.desc()).limit(1))
    return last or manifests.collector_name(manifest)


def _item_state(item: manifests.Item) -> str:
    """Return a line's state for the clerk: "Siap", "Sudah diserahkan … kepada …", or why it is not ready."""
    if item.handover is not None:
        return _("Sudah diserahkan %(when)s kepada %(who)s", when=moment(item.handover),
                 who=item.handover.collector_name)
    if item.application.state == lifecycle.READY:
        return _("Siap")
    return state_label(item.application.state)
