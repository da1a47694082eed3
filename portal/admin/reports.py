"""Reports for supervisors, `/admin/laporan`: applications, time to ready and the queue over a period of days.

The period is read from `dari`/`sampai` (default the last 30 days, at most 366), days in the office's zone.
Each figure is a table, most with a bar chart drawn as SVG on the server beside it; every table can be
downloaded as CSV at `/admin/laporan/<table>.csv` with the same period.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Response, abort, request
from flask_babel import gettext as _

from ..auth.guard import roles_required
from ..templating import duration_words
from ..domain.dates import parse_day
from ..domain import charts
from ..domain import reports as rules
from ..services import queue
from ..services import reports as figures
from ..templating import localized, render, short_date
from .blueprint import SUPERVISORS, bp
from .forms import PeriodForm

TABLES = ("harian", "layanan", "ganda", "saluran", "kecamatan", "desa", "waktu-siap", "antrean", "kuota")


def channel_labels() -> dict[str, str]:
    """Return the Indonesian name of every application channel."""
    return {"resident": _("Warga (daring)"), "village": _("Kolektif desa"), "counter": _("Loket kantor")}


@bp.get("/laporan")
@roles_required(*SUPERVISORS)
def reports():
    """Return the reports for the chosen period; the form with its errors (422) when it cannot be read."""
    form, period = _read_period()
    if period is None:
        return render("admin/reports.html", form=form, period=None, **_limits()), 422
    return render("admin/reports.html", form=form, period=period, query=_query(period), **_limits(), **_page(period))


@bp.get("/laporan/<table>.csv")
@roles_required(*SUPERVISORS)
def report_csv(table: str):
    """Return one table of the report as CSV (UTF-8 with BOM and a header row); 404 for an unknown table, the
    page with its errors (422) when the period cannot be read."""
    if table not in TABLES:
        abort(404)
    form, period = _read_period()
    if period is None:
        return render("admin/reports.html", form=form, period=None, **_limits()), 422
    header, rows = _table(table, period)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([rules.spreadsheet_cell(cell) for cell in row] for row in rows)
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="laporan-{table}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Reading the period


def _read_period() -> tuple[PeriodForm, rules.Period | None]:
    """Return the form read from the query string and its period, or None with errors on the form.

    A missing start counts back from the end (the default length); a missing end is today."""
    form = PeriodForm(formdata=request.args)
    today = queue.today()
    start, end = _read_day(form.dari), _read_day(form.sampai)
    if form.errors:
        return form, None
    span = rules.default_period(today).length - 1
    if start and not end:
        end = max(min(start + timedelta(days=span), today), start)
    end = end or today
    start = start or end - timedelta(days=span)
    try:
        return form, rules.make_period(start, end)
    except rules.PeriodRefused as refused:
        form.sampai.errors = [_("Tanggal akhir tidak boleh sebelum tanggal awal.") if refused.code == "order"
                              else _("Periode paling panjang %(days)d hari.", days=rules.MAX_DAYS)]
        return form, None


def _read_day(field):
    """Return the date typed in `field`, or None when empty; an unreadable one gets an error on the field."""
    if not field.data:
        return None
    try:
        return parse_day(field.data)
    except ValueError:
        field.errors = [_("Tanggal tidak terbaca. Tulis seperti 03-12-2026.")]
        return None


def _limits() -> dict[str, int]:
    """Return the longest period and the default one, in days, for the form's hint."""
    return {"max_days": rules.MAX_DAYS, "default_days": rules.DEFAULT_DAYS}


def _query(period: rules.Period) -> dict[str, str]:
    """Return the period as query arguments for the CSV links."""
    return {"dari": period.start.isoformat(), "sampai": period.end.isoformat()}


# The figures


def _page(period: rules.Period) -> dict:
    """Return the page's figures and charts for `period`."""
    apps = figures.application_figures(period)
    ready = figures.ready_times(period)
    use = figures.quota_use(period)
    days = figures.queue_days(period, use)
    channels = channel_labels()
    unknown = _("(tanpa alamat)")
    return {
        "apps": apps, "ready": ready, "use": use, "queue_days": days, "channels": channels, "unknown": unknown,
        "duration_words": duration_words,
        "charts": {
            "day": charts.column_chart([(short_date(day), n) for day, n in apps.per_day],
                                       _("Permohonan per hari"), "grafik-harian"),
            "service": charts.bar_chart([(localized(service, "name"), n) for service, n in apps.per_service],
                                        _("Permohonan per layanan"), "grafik-layanan"),
            "duplicates": charts.bar_chart([(localized(service, "name"), n) for service, n in apps.duplicates_per_service],
                                           _("Permohonan ganda per layanan"), "grafik-ganda"),
            "channel": charts.bar_chart([(channels.get(code, code), n) for code, n in apps.per_channel],
                                        _("Permohonan per saluran"), "grafik-saluran"),
            "kecamatan": charts.bar_chart([(name or unknown, n) for name, n in apps.per_kecamatan],
                                          _("Permohonan per kecamatan"), "grafik-kecamatan"),
            "ready": charts.bar_chart([(localized(service, "name"), seconds) for service, seconds, _n in ready.per_service],
                                      _("Median lama sampai siap per layanan"), "grafik-siap",
                                      value_text=duration_words),
            "queue": charts.column_chart([(short_date(row.day), row.issued) for row in days],
                                         _("Tiket antrean per hari"), "grafik-antrean"),
        },
    }


def _table(name: str, period: rules.Period) -> tuple[list[str], list[list]]:
    """Return the header and rows of the CSV table `name` for `period`."""
    if name == "waktu-siap":
        ready = figures.ready_times(period)
        rows = [[service.code, localized(service, "name"), n, round(seconds / 3600, 1), duration_words(seconds)]
                for service, seconds, n in ready.per_service]
        rows.append(["", _("Semua layanan"), ready.count,
                     round(ready.overall / 3600, 1) if ready.overall is not None else "",
                     duration_words(ready.overall)])
        return ["kode_layanan", "layanan", "permohonan_siap", "median_jam", "median"], rows
    if name in ("antrean", "kuota"):
        use = figures.quota_use(period)
        if name == "kuota":
            return (["tanggal", "keperluan", "nama_keperluan", "kuota", "tiket_dihitung"],
                    [[row.day.isoformat(), row.purpose.code, localized(row.purpose, "label"), row.quota, row.counted]
                     for row in use])
        return (["tanggal", "diterbitkan", "dilayani", "tidak_hadir", "dibatalkan", "dihitung_kuota", "kuota"],
                [[row.day.isoformat(), row.issued, row.served, row.no_show, row.cancelled, row.counted, row.quota]
                 for row in figures.queue_days(period, use)])
    apps = figures.application_figures(period)
    if name == "harian":
        return ["tanggal", "permohonan"], [[day.isoformat(), n] for day, n in apps.per_day]
    if name == "layanan":
        return (["kode_layanan", "layanan", "permohonan"],
                [[service.code, localized(service, "name"), n] for service, n in apps.per_service])
    if name == "ganda":
        return (["kode_layanan", "layanan", "permohonan_ganda"],
                [[service.code, localized(service, "name"), n] for service, n in apps.duplicates_per_service])
    if name == "saluran":
        labels = channel_labels()
        return (["saluran", "nama_saluran", "permohonan"],
                [[code, labels.get(code, code), n] for code, n in apps.per_channel])
    if name == "kecamatan":
        return ["kecamatan", "permohonan"], [[district, n] for district, n in apps.per_kecamatan]
    return ["kecamatan", "desa", "permohonan"], [[district, desa, n] for district, desa, n in apps.per_desa]
