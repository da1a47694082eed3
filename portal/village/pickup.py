"""Collective pickup, `/desa/ambil`: the desa's documents ready at the office, a manifest made from them, and the
manifest's page and A4 PDF.

The operator ticks the documents they will collect (all ticked at first) and makes a manifest
(manifes pengambilan); the office scans its QR at the counter and hands the documents over one by one,
which the manifest's page then shows.
"""

from __future__ import annotations

from flask import current_app, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.guard import roles_required
from ..domain import lifecycle
from ..pdf.manifest import manifest_data, render_manifests
from ..pdf.pickup import document_name, pickup_window_text
from ..services import calendar, manifests
from ..templating import long_date, render, short_date
from ..application_text import state_label
from .blueprint import OPERATOR, bp
from .ownership import own_manifest_or_404
from .forms import ManifestForm
from ..downloads import pdf_response


@bp.get("/ambil")
@roles_required(OPERATOR)
def pickup():
    """Return the desa's documents ready to collect (all ticked) and the manifests already made."""
    ready = manifests.ready_of_desa(current_user.region_code)
    form = ManifestForm(formdata=None, permohonan=[application.reference for application in ready])
    return _pickup_page(form, ready)


@bp.post("/ambil")
@roles_required(OPERATOR)
def pickup_create():
    """Make a manifest of the ticked documents and redirect (303) to it; the list again with a sentence when
    none is ticked (422) or one cannot be collected (409), keeping the ticks."""
    form = ManifestForm()
    ready = manifests.ready_of_desa(current_user.region_code)
    if not form.validate_on_submit():
        return _pickup_page(form, ready, refusal=_("Halaman ini sudah terlalu lama terbuka. Coba lagi.")), 422
    try:
        manifest = manifests.create(current_user, form.permohonan.data or [], calendar.now())
    except manifests.ManifestRefused as refused:
        return _pickup_page(form, ready, refusal=refusal_text(refused)), 422 if refused.code == "empty" else 409
    return redirect(url_for("village.manifest", manifest_id=manifest.id), 303)


@bp.get("/ambil/<int:manifest_id>")
@roles_required(OPERATOR)
def manifest(manifest_id: int):
    """Return the manifest's page: each document with its state (ready, or handed over and when), the PDF link.
    404 for another desa's or an unknown manifest."""
    found = own_manifest_or_404(manifest_id)
    rows = [(item, item_state(item)) for item in manifests.items(found)]
    return render("village/manifest.html", manifest=found, rows=rows, made_at=long_date(_local(found.created_at)),
                  collector=manifests.collector_name(found), pickup_text=pickup_text,
                  document_name=document_name, handed=sum(item.collected for item, _state in rows),
                  has_application_page="village.application" in current_app.view_functions)


@bp.get("/ambil/<int:manifest_id>/manifes.pdf")
@roles_required(OPERATOR)
def manifest_pdf(manifest_id: int):
    """Return the manifest as an A4 PDF. 404 for another desa's or an unknown manifest."""
    found = own_manifest_or_404(manifest_id)
    body = render_manifests([manifest_data(found, manifests.collector_name(found))])
    return pdf_response(body, f"manifes-{found.code}.pdf")


# What the pages say


def refusal_text(refused: manifests.ManifestRefused) -> str:
    """Return the sentence for a manifest that cannot be made."""
    reference = refused.reference
    return {
        "empty": _("Centang sedikitnya satu dokumen yang akan diambil."),
        "other_desa": _("%(reference)s tidak ada di antara dokumen desa Anda yang siap diambil. Muat ulang "
                        "halaman ini lalu pilih lagi.", reference=reference),
        "not_ready": _("%(reference)s belum siap diambil atau sudah diserahkan. Hapus centangnya lalu buat "
                       "manifes lagi.", reference=reference),
        "self_printed": _("%(reference)s tidak perlu diambil: dokumennya dicetak sendiri oleh pemohon dari menu "
                          "Lacak.", reference=reference),
    }.get(refused.code, _("Manifes tidak dapat dibuat sekarang."))


def pickup_text(application) -> str:
    """Return "Kantor Dindukcapil …, Senin, 7 Desember 2026, 08.00–14.00 WIB" for a ready document."""
    parts = [application.pickup_place.name] if application.pickup_place else []
    if application.pickup_date:
        when = long_date(application.pickup_date)
        if application.pickup_window:
            try:
                when += f", {pickup_window_text(application.pickup_window)} {calendar.zone_label()}"
            except ValueError:
                when += f", {application.pickup_window}"
        parts.append(when)
    return ", ".join(parts)


def item_state(item: manifests.Item) -> str:
    """Return a manifest line's state: "Siap", "Sudah diserahkan 3 Des 2026", or the application's state."""
    if item.handover is not None:
        return _("Sudah diserahkan %(date)s", date=short_date(_local(item.handover.at).date()))
    if item.application.state == lifecycle.READY:
        return _("Siap")
    return state_label(item.application.state)


def _local(moment):
    return moment.astimezone(calendar.office_zone())


def _pickup_page(form: ManifestForm, ready, refusal: str | None = None):
    """Return the pickup page: the ready documents as checkboxes, the manifests made, and `refusal` if any."""
    chosen = set(form.permohonan.data or [])
    made = manifests.of_desa(current_user.region_code)
    return render("village/pickup.html", form=form, ready=ready, chosen=chosen, refusal=refusal,
                  manifests=[(m, long_date(_local(m.created_at)), len(m.applications),
                              sum(a.state == lifecycle.COLLECTED for a in m.applications)) for m in made],
                  pickup_text=pickup_text, document_name=document_name,
                  desa=current_user.region.name if current_user.region else "")
