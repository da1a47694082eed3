"""The supervisor's reports, `/admin/laporan`: applications by day (in WIB), service, channel and region; the
median time to ready; queue tickets and quota use; CSV exports; the period and its errors; supervisors only."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, time

import pytest

from portal.domain import lifecycle
from portal.domain.hours import Window
from portal.extensions import db
from portal.models import Application, Region, Service
from portal.services import queue, quotas
from tests.conftest import wib
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import _advance, make_application, sign_in

PERIOD = "?dari=2026-12-01&sampai=2026-12-03"
SUMBER_DESA, SARANG_DESA = "33.17.01.2001", "33.17.05.2001"


def _submit(app, clock, at, service, **kwargs) -> str:
    clock.now = at
    reference, _pin = make_application(app, service, **kwargs)
    return reference


def _ready(app, clock, reference, at) -> None:
    clock.now = at
    with app.app_context():
        application = db.session.scalar(db.select(Application).where(Application.reference == reference))
        _advance(application, lifecycle.READY, at)
        assert application.state == lifecycle.READY


@pytest.fixture
def seeded(app, clock, staff):
    """Applications around 1-3 December 2026. B is submitted at 06.30 WIB on 2 December, still 1 December in
    UTC; C was submitted before the period, F just after it (00.30 WIB on 4 December, 3 December in UTC).
    Made ready in the period: A after 4 hours, B after 26, C after 70 — median 26 hours overall, 15 for KK."""
    a = _submit(app, clock, wib(2026, 12, 1, 8, 0), "KK_BARU")
    b = _submit(app, clock, wib(2026, 12, 2, 6, 30), "KK_BARU", filed_by="op.sumber")
    c = _submit(app, clock, wib(2026, 11, 30, 10, 0), "KTP_BARU", desa=SARANG_DESA)
    _submit(app, clock, wib(2026, 12, 3, 9, 0), "KIA", channel="counter", desa=SARANG_DESA,
            state=lifecycle.IN_REVIEW)
    _submit(app, clock, wib(2026, 12, 2, 9, 0), "KTP_BARU", state=lifecycle.DRAFT)
    _submit(app, clock, wib(2026, 12, 4, 0, 30), "KTP_BARU")
    _ready(app, clock, a, wib(2026, 12, 1, 12, 0))
    _ready(app, clock, b, wib(2026, 12, 3, 8, 30))
    _ready(app, clock, c, wib(2026, 12, 3, 8, 0))
    clock.now = wib(2026, 12, 3, 9, 0)
    return {"a": a, "b": b, "c": c}


@pytest.fixture
def tickets(app, clock, staff):
    """On Thursday 3 December: five KTP tickets for 09.00-10.00 (a quota of 5 a window) — one served, one
    no-show, one cancelled, two waiting — and one PICKUP ticket. Returns each purpose's quota that day, as the
    quota page (`quota_table`) sums it."""
    clock.now = now = wib(2026, 12, 3, 9, 0)
    day, nine = date(2026, 12, 3), Window(time(9), time(10))
    with app.app_context():
        quotas.set_quota(day, "KTP", quota=5)
        ktp = queue.purpose("KTP")
        issued = [queue.issue(ktp, day, nine, now, nik=f"331701410190{n:04d}") for n in range(1, 5)]
        queue.issue(queue.purpose("PICKUP"), day, nine, now)
        queue.finish(queue.call_next(1, ["KTP"], now, None), "served", now)
        queue.finish(queue.call_next(1, ["KTP"], now, None), "no_show", now)
        assert queue.cancel(issued[3], now)
        queue.issue(ktp, day, nine, now, nik="3317014101900009")
        expected = {}
        for purpose, _window, quota, _taken in quotas.quota_table(day):
            expected[purpose.code] = expected.get(purpose.code, 0) + quota
    return expected


def _csv(client, table, query=PERIOD):
    response = client.get(f"/admin/laporan/{table}.csv{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(text[1:])))


def _section(html: str, table: str) -> str:
    return html.split(f'id="laporan-{table}"', 1)[1].split("</section>", 1)[0]


def _region_name(app, code: str) -> str:
    with app.app_context():
        region = db.session.get(Region, code)
        return db.session.get(Region, region.parent_code).name


def test_applications_are_counted_by_submission_day_in_wib(kabid, seeded):
    html = kabid.get(f"/admin/laporan{PERIOD}").get_data(as_text=True)
    assert "Permohonan yang diajukan dalam periode ini: 3." in html
    _response, rows = _csv(kabid, "harian")
    assert rows == [["tanggal", "permohonan"], ["2026-12-01", "1"], ["2026-12-02", "1"], ["2026-12-03", "1"]]
    assert re.search(r"<td>2 Des 2026</td><td class=\"num\">1</td>", _section(html, "harian"))


def test_applications_per_service_channel_and_region(app, kabid, seeded):
    html = kabid.get(f"/admin/laporan{PERIOD}").get_data(as_text=True)
    assert "<td>Warga (daring)</td><td class=\"num\">1</td>" in _section(html, "saluran")
    assert _csv(kabid, "layanan")[1][1:] == [["KK_BARU", _name(app, "KK_BARU"), "2"],
                                           ["KIA", _name(app, "KIA"), "1"]]
    assert _csv(kabid, "saluran")[1][1:] == [["resident", "Warga (daring)", "1"], ["village", "Kolektif desa", "1"],
                                            ["counter", "Loket kantor", "1"]]
    sumber, sarang = _region_name(app, SUMBER_DESA), _region_name(app, SARANG_DESA)
    assert _csv(kabid, "kecamatan")[1][1:] == [[sumber, "2"], [sarang, "1"]]
    desa = _csv(kabid, "desa")[1]
    assert desa[0] == ["kecamatan", "desa", "permohonan"]
    assert [(row[0], row[2]) for row in desa[1:]] == [(sumber, "2"), (sarang, "1")]
    assert f"<td>{sumber}</td><td class=\"num\">2</td>" in _section(html, "kecamatan")


def _name(app, code: str) -> str:
    with app.app_context():
        return db.session.get(Service, code).name_id


def test_median_time_to_ready_overall_and_per_service(app, kabid, seeded):
    html = kabid.get(f"/admin/laporan{PERIOD}").get_data(as_text=True)
    assert "Median dari pengajuan sampai siap diambil: 1 hari 2 jam, dari 3 permohonan" in html
    section = _section(html, "waktu-siap")
    assert "<td>15 jam</td>" in section and "<td>2 hari 22 jam</td>" in section
    # The chart's bars say the same as the table, with the unit (not "0.6" days).
    assert 'class="chart-value"' in section and ">15 jam</text>" in section and ">2 hari 22 jam</text>" in section
    _response, rows = _csv(kabid, "waktu-siap")
    assert rows[0] == ["kode_layanan", "layanan", "permohonan_siap", "median_jam", "median"]
    assert ["KK_BARU", _name(app, "KK_BARU"), "2", "15.0", "15 jam"] in rows
    assert ["KTP_BARU", _name(app, "KTP_BARU"), "1", "70.0", "2 hari 22 jam"] in rows
    assert rows[-1] == ["", "Semua layanan", "3", "26.0", "1 hari 2 jam"]
    # Only A was ready on 1 December.
    one_day = kabid.get("/admin/laporan?dari=2026-12-01&sampai=2026-12-01").get_data(as_text=True)
    assert "sampai siap diambil: 4 jam, dari 1 permohonan" in one_day


def test_queue_tickets_and_quota_use_per_day(kabid, tickets):
    html = kabid.get(f"/admin/laporan{PERIOD}").get_data(as_text=True)
    _response, rows = _csv(kabid, "antrean")
    assert rows[0] == ["tanggal", "diterbitkan", "dilayani", "tidak_hadir", "dibatalkan", "dihitung_kuota", "kuota"]
    total_quota = sum(tickets.values())
    # 4 KTP + 1 PICKUP + 1 KTP issued after the cancellation; the cancelled one does not count against the quota.
    assert rows[3] == ["2026-12-03", "6", "1", "1", "1", "5", str(total_quota)]
    assert rows[1][1:6] == ["0", "0", "0", "0", "0"]
    assert f"5 / {total_quota}" in _section(html, "antrean")
    _response, use = _csv(kabid, "kuota")
    assert ["2026-12-03", "KTP", "Pengajuan KTP-el", str(tickets["KTP"]), "4"] in use
    assert ["2026-12-03", "PICKUP", "Pengambilan dokumen", str(tickets["PICKUP"]), "1"] in use


def test_every_table_is_folded_under_its_chart_and_keeps_its_csv_link(kabid, seeded, tickets):
    html = kabid.get(f"/admin/laporan{PERIOD}").get_data(as_text=True)
    for table in ("harian", "layanan", "saluran", "kecamatan", "desa", "waktu-siap", "antrean", "kuota"):
        section = _section(html, table)
        assert re.search(r'<details class="report-table-fold">\s*<summary>Tabel: \d+ baris</summary>', section), table
        assert section.index("<details") < section.index("<table") < section.index("</details>"), table
        assert section.index("</svg>") < section.index("<details") if "<svg" in section else True
        assert f'href="/admin/laporan/{table}.csv?dari=2026-12-01&amp;sampai=2026-12-03"' in section
    assert "<summary>Tabel: 3 baris</summary>" in _section(html, "harian")


def test_the_two_dates_share_one_hint_so_they_sit_level(kabid, staff):
    html = kabid.get("/admin/laporan").get_data(as_text=True)
    form = html.split('action="/admin/laporan"', 1)[1].split("</form>", 1)[0]
    assert '<fieldset class="fieldset" aria-describedby="periode-hint">' in form
    assert form.index('id="periode-hint"') < form.index('for="dari"') < form.index('for="sampai"')
    assert "dari-hint" not in form and "sampai-hint" not in form  # no hint inside one date's field


def test_an_empty_period_shows_zeros_not_an_error(kabid, staff):
    response = kabid.get("/admin/laporan?dari=2025-01-01&sampai=2025-01-31")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Permohonan yang diajukan dalam periode ini: 0." in html
    assert "Tidak ada permohonan yang siap dalam periode ini." in html
    _response, rows = _csv(kabid, "harian", "?dari=2025-01-01&sampai=2025-01-31")
    assert len(rows) == 32 and all(row[1] == "0" for row in rows[1:])
    assert _csv(kabid, "layanan", "?dari=2025-01-01&sampai=2025-01-31")[1] == [["kode_layanan", "layanan",
                                                                                "permohonan"]]


def test_the_default_period_is_the_last_30_days(kabid, staff):
    html = kabid.get("/admin/laporan").get_data(as_text=True)
    assert "Periode: Rabu, 4 November 2026 sampai Kamis, 3 Desember 2026 (30 hari)." in html
    assert 'value="2026-11-04"' not in html  # the empty fields stay empty
    _response, rows = _csv(kabid, "harian", "")
    assert rows[1][0] == "2026-11-04" and rows[-1][0] == "2026-12-03"


def test_csv_headers_and_formula_cells(app, kabid, seeded):
    with app.app_context():
        db.session.get(Service, "KIA").name_id = '=HYPERLINK("http://x")'
        db.session.commit()
    response, rows = _csv(kabid, "layanan")
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="laporan-layanan-20261201-20261203.csv"'
    assert response.headers["Cache-Control"] == "private, no-store"
    assert ["KIA", "'=HYPERLINK(\"http://x\")", "1"] in rows
    assert kabid.get(f"/admin/laporan/rahasia.csv{PERIOD}").status_code == 404


@pytest.mark.parametrize("query, field, message", [
    ("?dari=31-02-2026", "dari", "Tanggal tidak terbaca. Tulis seperti 03-12-2026."),
    ("?dari=2026-12-03&sampai=2026-12-01", "sampai", "Tanggal akhir tidak boleh sebelum tanggal awal."),
    ("?dari=2025-01-01&sampai=2026-12-03", "sampai", "Periode paling panjang 366 hari."),
])
def test_bad_dates_are_explained_and_kept(kabid, query, field, message):
    response = kabid.get(f"/admin/laporan{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    typed = dict(part.split("=") for part in query[1:].split("&"))
    for name, value in typed.items():
        assert f'name="{name}"' in html and f'value="{value}"' in html
    assert "Periode:" not in html
    assert kabid.get(f"/admin/laporan/harian.csv{query}").status_code == 422


def test_a_period_of_366_days_is_allowed(kabid):
    assert kabid.get("/admin/laporan?dari=2025-12-03&sampai=2026-12-03").status_code == 200


def test_start_alone_counts_30_days_forward_up_to_today(kabid):
    html = kabid.get("/admin/laporan?dari=2026-11-20").get_data(as_text=True)
    assert "Periode: Jumat, 20 November 2026 sampai Kamis, 3 Desember 2026 (14 hari)." in html


@pytest.mark.parametrize("path", ["/admin/laporan", "/admin/laporan/harian.csv"])
def test_supervisors_only(app, client, staff, path):
    response = client.get(path)
    assert response.status_code in (302, 303) and "/masuk" in response.headers["Location"]
    for username in ("clerk", "op.sumber"):
        other = app.test_client()
        sign_in(other, username)
        assert other.get(path).status_code == 403


def test_report_pages_are_valid_html(kabid, seeded, tickets, tmp_path):
    pages = {
        "default": kabid.get("/admin/laporan"),
        "period": kabid.get(f"/admin/laporan{PERIOD}"),
        "empty": kabid.get("/admin/laporan?dari=2025-01-01&sampai=2025-01-31"),
        "year": kabid.get("/admin/laporan?dari=2025-12-03&sampai=2026-12-03"),
        "error": kabid.get("/admin/laporan?dari=kemarin&sampai=2026-12-01"),
    }
    assert [r.status_code for r in pages.values()] == [200, 200, 200, 200, 422]
    for response in pages.values():
        assert "style=" not in response.get_data(as_text=True)
    nu_validate(tmp_path, pages)


def test_the_page_renders_in_english_too(kabid, seeded):
    kabid.set_cookie("bahasa", "en")
    response = kabid.get(f"/admin/laporan{PERIOD}")
    assert response.status_code == 200 and '<html lang="en">' in response.get_data(as_text=True)
