"""The audit log for supervisors, `/petugas/audit`: every clerk's view of a scan and every change, newest first.

Filtered by clerk, application reference, action and dates (read in the office's zone); paged with a keyset
(`sebelum=<instant>_<id>` of the last line shown), never an OFFSET, so a deep page costs what the first does.
`/petugas/audit.csv` exports the filtered log. A clerk gets 403: the log is the supervisors' check on them.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from flask import Response, current_app, request, stream_with_context
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ..auth.guard import roles_required
from ..domain.dates import parse_day
from ..domain.reference import normalize_reference
from ..extensions import db
from ..models import AuditEntry, User
from ..services import audit, calendar
from ..templating import clock_time, render, short_date
from .blueprint import SUPERVISOR_ROLES, bp
from .forms import AuditFilterForm

CSV_BATCH = 1000
# Cells a spreadsheet would run as a formula get a leading apostrophe in the CSV export.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def action_labels() -> dict[str, str]:
    """Return the Indonesian name of every audit action, in the order of `audit.ACTIONS`."""
    return {
        "view_scan": _("Melihat pindaian dokumen"),
        "view_output": _("Melihat dokumen hasil"),
        "take": _("Mengambil untuk diperiksa"),
        "release": _("Melepas permohonan"),
        "accept_document": _("Menerima dokumen"),
        "ask_fix": _("Meminta dokumen diganti"),
        "approve": _("Menyetujui"),
        "ask_correction": _("Meminta perbaikan"),
        "reject": _("Menolak"),
        "ready": _("Menandai siap diambil"),
        "upload_output": _("Mengunggah dokumen hasil"),
        "handover": _("Menyerahkan dokumen"),
        "handover_refused": _("Cek NIK pengambil gagal"),
        "print": _("Mencetak"),
        "batch_submit": _("Mengirim berkas kolektif"),
        "new_pin": _("Membuat PIN baru"),
        "send_duplicate": _("Mengirim permohonan kedua untuk NIK dan layanan yang sama"),
        "set_day_rule": _("Mengatur hari tutup atau buka"),
        "remove_day_rule": _("Menghapus aturan hari"),
        "add_notice": _("Menambah pengumuman"),
        "remove_notice": _("Menghapus pengumuman"),
        "set_quota": _("Mengatur kuota antrean"),
        "clear_quota": _("Menghapus kuota antrean"),
        "create_user": _("Membuat akun"),
        "disable_user": _("Menonaktifkan akun"),
        "enable_user": _("Mengaktifkan akun"),
        "reset_password": _("Mengganti kata sandi akun"),
        "end_sessions": _("Mengakhiri sesi akun"),
        "edit_service": _("Mengubah layanan"),
        "set_hours": _("Mengatur jam buka mingguan"),
        "add_place": _("Menambah tempat pengambilan"),
        "edit_place": _("Mengubah tempat pengambilan"),
        "set_counters": _("Mengatur jumlah loket yang biasa bertugas"),
        "set_practice_clock": _("Mengatur jam latihan"),
    }


def _refused_filters(form):
    """Return the log page with the filter form's errors and no rows (422)."""
    return render("staff/audit.html", form=form, rows=[], next_key=None, labels=action_labels(), query={},
                  paged=False), 422


@bp.get("/audit")
@roles_required(*SUPERVISOR_ROLES)
def audit_log():
    """Return one page of the filtered log, newest first, with a link to the next (older) page; the form with
    its errors (422) when a filter cannot be read."""
    form, filters = _read_filters()
    if filters is None:
        return _refused_filters(form)
    before = _read_key(request.args.get("sebelum", ""))
    rows, next_key = audit.entries(filters, calendar.office_zone(), before=before)
    query = _query(form)
    return render("staff/audit.html", form=form, rows=[_row(entry) for entry in rows], labels=action_labels(),
                  next_key=_key_text(next_key) if next_key else None, query=query, paged=before is not None)


@bp.get("/audit.csv")
@roles_required(*SUPERVISOR_ROLES)
def audit_csv():
    """Return the whole filtered log as CSV (UTF-8 with BOM, for spreadsheets), newest first; the page with
    its errors (422) when a filter cannot be read."""
    form, filters = _read_filters()
    if filters is None:
        return _refused_filters(form)
    stamp = calendar.now().astimezone(calendar.office_zone()).strftime("%Y%m%d-%H%M")
    response = Response(stream_with_context(_csv_lines(filters)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="log-audit-{stamp}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Reading the filters


def _read_filters() -> tuple[AuditFilterForm, audit.AuditFilter | None]:
    """Return the filter form read from the query string and the filters, or None with errors on the form."""
    form = AuditFilterForm(formdata=request.args)
    form.petugas.choices = [SelectChoice("", _("Semua petugas"))] + [
        SelectChoice(str(user.id), f"{user.full_name} ({user.username})") for user in _users()]
    labels = action_labels()
    form.tindakan.choices = [SelectChoice("", _("Semua tindakan"))] + [
        SelectChoice(code, labels.get(code, code)) for code in audit.ACTIONS]
    user_id = _read_user(form)
    reference = _read_reference(form)
    action = form.tindakan.data or ""
    if action and action not in audit.ACTIONS:
        form.tindakan.errors = [_("Pilih tindakan dari daftar.")]
    day_from = _read_day(form.dari)
    day_to = _read_day(form.sampai)
    if day_from and day_to and day_to < day_from:
        form.sampai.errors = [_("Tanggal akhir tidak boleh sebelum tanggal awal.")]
    if any(field.errors for field in form):
        return form, None
    return form, audit.AuditFilter(user_id=user_id, reference=reference, action=action, day_from=day_from,
                                   day_to=day_to)


def _users() -> list[User]:
    """Return every account that can appear in the log (all but village operators), by name."""
    return list(db.session.scalars(db.select(User).where(User.role != "operator").order_by(User.full_name)))


def _read_user(form: AuditFilterForm) -> int | None:
    """Return the chosen user's id, or None for all; an unknown choice gets an error on the field."""
    value = form.petugas.data or ""
    if not value:
        return None
    if not value.isdigit() or value not in {choice.value for choice in form.petugas.choices}:
        form.petugas.errors = [_("Pilih petugas dari daftar.")]
        return None
    return int(value)


def _read_reference(form: AuditFilterForm) -> str:
    """Return the typed reference in its canonical form ("" for none); a malformed one gets an error."""
    typed = form.nomor.data
    if not typed:
        return ""
    reference = normalize_reference(typed, current_app.config["REFERENCE_PREFIX"])
    if reference is None:
        form.nomor.errors = [_("Nomor permohonan tidak dikenali. Contoh: RBG-7K3M-Q9PX.")]
        return ""
    return reference


def _read_day(field) -> date | None:
    """Return the date typed in `field` (2026-12-03 from a date picker, or 3/12/2026 typed), or None when
    empty; an unreadable one gets an error on the field."""
    text = field.data
    if not text:
        return None
    try:
        return parse_day(text)
    except ValueError:
        field.errors = [_("Tanggal tidak terbaca. Tulis seperti 03-12-2026.")]
        return None


def _read_key(text: str) -> tuple[datetime, int] | None:
    """Return the (instant, id) of a `sebelum` key, or None (the first page) when it is missing or malformed."""
    instant, _sep, entry_id = text.rpartition("_")
    try:
        at = datetime.fromisoformat(instant)
    except ValueError:
        return None
    if at.tzinfo is None or not entry_id.isdigit():
        return None
    return at, int(entry_id)


def _key_text(key: tuple[datetime, int]) -> str:
    """Return the `sebelum` text of a keyset position."""
    return f"{key[0].isoformat()}_{key[1]}"


def _query(form: AuditFilterForm) -> dict[str, str]:
    """Return the filters as query arguments for the next page and the CSV links (empty ones left out)."""
    fields = (form.petugas, form.nomor, form.tindakan, form.dari, form.sampai)
    return {field.name: field.data for field in fields if field.data}


# Presenting


def _row(entry: AuditEntry) -> dict:
    """Return one log line as the table shows it."""
    local = entry.at.astimezone(calendar.office_zone())
    return {"day": short_date(local.date()), "time": _clock_seconds(local), "user": entry.user_name,
            "action": entry.action, "reference": entry.reference, "detail": entry.detail}


def _clock_seconds(local: datetime) -> str:
    """Return "09.15.07" (or "09:15:07" in English): a log's time to the second."""
    minutes = clock_time(local)
    return f"{minutes}{minutes[2]}{local.second:02d}"


def _csv_lines(filters: audit.AuditFilter):
    """Yield the filtered log as CSV text, newest first, reading it a batch at a time by keyset."""
    labels = action_labels()
    zone = calendar.office_zone()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["waktu", "petugas", "tindakan", "nama_tindakan", "nomor_permohonan", "keterangan"])
    yield "\ufeff" + _drain(buffer)
    before = None
    while True:
        rows, before = audit.entries(filters, zone, before=before, size=CSV_BATCH)
        for entry in rows:
            writer.writerow([entry.at.astimezone(zone).isoformat(timespec="seconds"), _cell(entry.user_name),
                             entry.action, labels.get(entry.action, entry.action), _cell(entry.reference),
                             _cell(entry.detail)])
        yield _drain(buffer)
        if before is None:
            return


def _drain(buffer: io.StringIO) -> str:
    """Return what `buffer` holds and empty it."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _cell(text: str) -> str:
    """Return `text` safe for a spreadsheet: one that would start a formula gets a leading apostrophe."""
    return f"'{text}" if text and text.startswith(_FORMULA_START) else text

