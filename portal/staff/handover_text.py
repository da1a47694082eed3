"""What the handover pages say about an application and a handover, shared by the counter's handover of
one document (`handover`) and of a desa's manifest (`manifest_handover`)."""

from __future__ import annotations

from flask_babel import gettext as _

from ..domain import lifecycle
from ..domain.nik import mask
from ..models import Application, Handover
from ..pdf.pickup import pickup_window_text
from ..services import calendar
from ..templating import clock_time, long_date

TEMPLATE = "staff/handover.html"


def collector_text(handover: Handover) -> str:
    """Return who collected, in words: "Siti (pemohon sendiri)", "Budi, suami, NIK 331701******0003", …"""
    if handover.collector == "applicant":
        return _("%(name)s (pemohon sendiri)", name=handover.collector_name)
    if handover.collector == "operator":
        return _("%(name)s (operator desa)", name=handover.collector_name)
    return _("%(name)s (diberi kuasa, %(relation)s, NIK %(nik)s)", name=handover.collector_name,
             relation=handover.relation, nik=mask(handover.id_number))


def pickup_when(application: Application) -> str:
    """Return "Senin, 7 Desember 2026, 08.00–14.00 WIB", or "" when no pickup day was set."""
    if application.pickup_date is None:
        return ""
    day = long_date(application.pickup_date)
    if not application.pickup_window:
        return day
    try:
        window = pickup_window_text(application.pickup_window)
    except ValueError:
        window = application.pickup_window
    return f"{day}, {window} {calendar.zone_label()}"


def refusal_text(application: Application) -> str | None:
    """Return why `application`'s document cannot be handed over now, or None when it is ready."""
    state = application.state
    if state == lifecycle.READY:
        return None
    if state == lifecycle.COLLECTED and application.handover is not None:
        handover = application.handover
        return _("Dokumen ini sudah diserahkan pada %(when)s kepada %(who)s oleh %(clerk)s.",
                 when=moment(handover), who=collector_text(handover), clerk=handover.clerk_name)
    return {
        lifecycle.SUBMITTED: _("Belum siap diserahkan: permohonan ini masih menunggu diperiksa."),
        lifecycle.IN_REVIEW: _("Belum siap diserahkan: permohonan ini sedang diperiksa petugas."),
        lifecycle.NEEDS_CORRECTION: _("Belum siap diserahkan: permohonan ini menunggu perbaikan dari pemohon."),
        lifecycle.APPROVED: _("Belum siap diserahkan: permohonan sudah disetujui, tetapi dokumennya belum "
                              "ditandai siap."),
        lifecycle.COLLECTED: _("Dokumen ini sudah diserahkan."),
        lifecycle.REJECTED: _("Permohonan ini ditolak; tidak ada dokumen untuk diserahkan."),
        lifecycle.CANCELLED: _("Permohonan ini dibatalkan; tidak ada dokumen untuk diserahkan."),
    }.get(state, _("Dokumen ini tidak dapat diserahkan sekarang."))


def moment(handover: Handover) -> str:
    """Return "Kamis, 3 Desember 2026 pukul 09.15 WIB": when `handover` happened, in the office's zone."""
    return _("%(date)s pukul %(time)s", date=long_date(handover.at),
             time=f"{clock_time(handover.at)} {calendar.zone_label()}")
