"""How an application reads, for every area that shows one (tracking, kiosk, verification, the clerk's review
and handover, the village pages, the receipt): its state's label, what it means, what to do next, its
documents' names."""

from __future__ import annotations

from flask_babel import gettext as _

from .domain import event_reasons, lifecycle
from .services.applications import CONSENT_DOCUMENT
from .templating import localized


def state_label(state: str) -> str:
    """Return the short name of a state in plain words."""
    return {
        lifecycle.DRAFT: _("Belum dikirim (draf)"),
        lifecycle.SUBMITTED: _("Terkirim, menunggu diperiksa"),
        lifecycle.IN_REVIEW: _("Sedang diperiksa petugas"),
        lifecycle.NEEDS_CORRECTION: _("Perlu perbaikan"),
        lifecycle.APPROVED: _("Disetujui, sedang diproses"),
        lifecycle.READY: _("Siap"),
        lifecycle.COLLECTED: _("Selesai, sudah diambil"),
        lifecycle.REJECTED: _("Ditolak"),
        lifecycle.CANCELLED: _("Dibatalkan"),
    }[state]


def document_names(application) -> dict[str, str]:
    """Return the name of each document code the application may hold: the service's documents, in the
    service's order, and the resident's signed consent when a village operator filed it (a resident who
    applied themselves is never asked for the operator's consent letter).

    A document the office has since removed from the service keeps a readable name on the applications that
    uploaded it: what the stored services now call that code, else the seed catalogue's name (this service's
    own first), else the code in words ("BUKU_NIKAH" reads "Buku nikah").
    """
    names = {document["code"]: localized(document, "name") for document in application.service.documents}
    if application.filed_by is not None or any(d.code == CONSENT_DOCUMENT for d in application.documents):
        names[CONSENT_DOCUMENT] = _("Surat persetujuan warga")
    removed = [document.code for document in application.documents if document.code not in names]
    if removed:  # rare: read the other names only then
        from .extensions import db
        from .models import Service
        from .services.seed import load_catalogue

        known: dict[str, str] = {}
        seeded = sorted(load_catalogue()["services"], key=lambda entry: entry["code"] == application.service_code)
        stored = db.session.scalars(db.select(Service.documents).where(Service.code != application.service_code))
        for documents in [entry.get("documents", ()) for entry in seeded] + list(stored):
            known.update({document["code"]: localized(document, "name") for document in documents or ()})
        for code in removed:
            names[code] = known.get(code) or code.replace("_", " ").capitalize()
    return names


def event_label(to_state: str, from_state: str | None) -> str:
    """Return the timeline's words for a move into `to_state` (a note that changed no state: "Catatan")."""
    if from_state is not None and from_state == to_state:
        return _("Catatan")
    if to_state == lifecycle.DRAFT:
        return _("Mulai diisi")
    if to_state == lifecycle.SUBMITTED and from_state == lifecycle.NEEDS_CORRECTION:
        return _("Perbaikan dikirim")
    if to_state == lifecycle.SUBMITTED and from_state == lifecycle.IN_REVIEW:
        return _("Dikembalikan ke antrean pemeriksaan")
    return {
        lifecycle.SUBMITTED: _("Permohonan dikirim"),
        lifecycle.IN_REVIEW: _("Petugas mulai memeriksa"),
        lifecycle.NEEDS_CORRECTION: _("Petugas meminta perbaikan"),
        lifecycle.APPROVED: _("Permohonan disetujui"),
        lifecycle.READY: _("Dokumen siap"),
        lifecycle.COLLECTED: _("Dokumen diserahkan"),
        lifecycle.REJECTED: _("Permohonan ditolak"),
        lifecycle.CANCELLED: _("Permohonan dibatalkan"),
    }[to_state]


def event_reason(text: str | None) -> str:
    """Return a timeline line's reason in the visitor's language when the portal wrote it (a batch, a handover,
    a download, a new PIN, a cancellation); a clerk's own words are returned as they were written."""
    known = event_reasons.read(text)
    if known is None:
        return text or ""
    values = known.values
    if known.kind == event_reasons.BATCH_SENT:
        return _("Berkas kolektif %(number)s", number=values["number"])
    if known.kind == event_reasons.HANDED_OVER:
        who = {"applicant": _("pemohon"), "operator": _("operator desa")}.get(values["collector"]) or _(
            "kuasa (%(relation)s)", relation=values["relation"])
        return _("Diserahkan kepada %(name)s, %(who)s", name=values["name"], who=who)
    return {event_reasons.NEW_PIN: _("PIN baru dibuat oleh operator desa"),
            event_reasons.DOWNLOADED: _("Dokumen diunduh pemohon"),
            event_reasons.CANCELLED_BY_APPLICANT: _("Dibatalkan oleh pemohon")}[known.kind]


def timeline(events) -> list[tuple]:
    """Return (event, what happened, its reason) for each of `events`, in their order, in the visitor's language."""
    return [(event, event_label(event.to_state, event.from_state), event_reason(event.reason)) for event in events]


def next_step(state: str, visit_required: bool) -> str:
    """Return what the resident should do now."""
    if state == lifecycle.DRAFT:
        return _("Permohonan ini belum dikirim. Lanjutkan mengisi lalu tekan Kirim.")
    if state == lifecycle.SUBMITTED:
        return _("Tidak ada yang perlu Anda lakukan. Petugas akan memeriksa permohonan pada jam pengajuan.")
    if state == lifecycle.IN_REVIEW:
        return _("Tidak ada yang perlu Anda lakukan. Petugas sedang memeriksa dokumen Anda.")
    if state == lifecycle.NEEDS_CORRECTION:
        return _("Perbaiki dokumen yang diminta di bawah, lalu kirim lagi.")
    if state == lifecycle.APPROVED:
        return (_("Permohonan disetujui. Datanglah ke kantor sesuai jadwal untuk perekaman.") if visit_required
                else _("Permohonan disetujui. Dokumen sedang disiapkan."))
    if state == lifecycle.READY:
        return _("Dokumen Anda siap. Lihat tempat dan jadwal pengambilan atau unduh dokumennya.")
    if state == lifecycle.COLLECTED:
        return _("Selesai. Dokumen sudah diserahkan.")
    if state == lifecycle.REJECTED:
        return _("Permohonan ditolak. Baca alasannya di riwayat; Anda boleh mengajukan lagi.")
    return _("Permohonan ini dibatalkan. Anda boleh mengajukan lagi kapan saja.")


def document_state_label(state: str) -> str:
    """Return what happened to one uploaded document."""
    return {"received": _("Diterima, belum diperiksa"), "accepted": _("Sudah diperiksa, benar"),
            "needs_fix": _("Perlu diganti")}.get(state, state)


def fix_asked(document) -> str:
    """Return the clerk's reason when a replacement of `document` is asked (its state is "needs_fix"), else ""."""
    return (document.fix_reason or "") if document is not None and document.state == "needs_fix" else ""


def initials(full_name: str | None) -> str:
    """Return "S. W." for "Siti Wulandari": enough to recognise a receipt, too little to identify anyone."""
    return " ".join(f"{part[0].upper()}." for part in (full_name or "").split()[:3] if part[0].isalpha())
