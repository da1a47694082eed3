"""The audit log for supervisors: filters (clerk, reference, action, days in WIB), newest first, keyset pages,
the CSV export, errors that keep what was typed, and supervisors only."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import AuditEntry
from tests.conftest import wib
from tests.web.staff_helpers import sign_in

REF_A = "RBG-7K3M-Q9PX"
REF_B = "RBG-0000-0001"


def _add(app, user_id, user_name, action, at, reference="", detail=""):
    with app.app_context():
        entry = AuditEntry(at=at, user_id=user_id, user_name=user_name, action=action, reference=reference,
                           detail=detail)
        db.session.add(entry)
        db.session.commit()
        return entry.id


@pytest.fixture
def log(app, staff):
    """A small log: two clerks, two applications, three days; the approval, at 06.30 WIB on 2 December, is
    still 1 December in UTC, so reading days in the wrong zone moves it."""
    clerk, clerk2 = staff["clerk"], staff["clerk2"]
    _add(app, clerk, "Petugas Satu", "take", wib(2026, 12, 1, 8, 5), REF_A)
    _add(app, clerk, "Petugas Satu", "view_scan", wib(2026, 12, 1, 8, 6), REF_A, "KK")
    _add(app, clerk2, "Petugas Dua", "approve", wib(2026, 12, 2, 6, 30), REF_B)
    _add(app, clerk2, "Petugas Dua", "handover", wib(2026, 12, 3, 9, 15), REF_B, "pemohon: Siti Wulandari")
    _add(app, clerk, "Petugas Satu", "print", wib(2026, 12, 3, 9, 16), "", "=HYPERLINK(\"x\")")
    return staff


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_newest_first_with_indonesian_action_names(kabid, log):
    response = kabid.get("/petugas/audit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    rows = _rows(html)
    assert len(rows) == 5
    assert "Mencetak" in rows[0] and "Menyerahkan dokumen" in rows[1] and "Mengambil untuk diperiksa" in rows[4]
    assert "09.16.00" in rows[0] and "3 Des 2026" in rows[0]
    assert f'href="/petugas/audit?nomor={REF_B}"' in rows[1]
    assert 'rel="next"' not in html


def test_filter_by_clerk(kabid, log):
    html = kabid.get(f"/petugas/audit?petugas={log['clerk2']}").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == 2 and all("Petugas Dua" in row for row in rows)
    assert re.search(rf'<option value="{log["clerk2"]}" selected>Petugas Dua \(clerk2\)', html)


def test_filter_by_reference_typed_forgivingly(kabid, log):
    rows = _rows(kabid.get("/petugas/audit?nomor=rbg 7k3m q9px").get_data(as_text=True))
    assert len(rows) == 2 and all(REF_A in row for row in rows)


def test_filter_by_action(kabid, log):
    html = kabid.get("/petugas/audit?tindakan=handover").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == 1 and REF_B in rows[0]
    assert '<option value="handover" selected>Menyerahkan dokumen</option>' in html


def test_filter_by_days_read_in_wib(kabid, log):
    only_2nd = _rows(kabid.get("/petugas/audit?dari=2026-12-02&sampai=2026-12-02").get_data(as_text=True))
    assert len(only_2nd) == 1 and "Menyetujui" in only_2nd[0]  # 06.30 WIB, 23.30 UTC the day before
    from_2nd = _rows(kabid.get("/petugas/audit?dari=02-12-2026").get_data(as_text=True))
    assert len(from_2nd) == 3
    until_1st = _rows(kabid.get("/petugas/audit?sampai=2026-12-01").get_data(as_text=True))
    assert len(until_1st) == 2


def test_filters_combine(kabid, log):
    rows = _rows(kabid.get(f"/petugas/audit?petugas={log['clerk']}&tindakan=view_scan&nomor={REF_A}"
                           "&dari=2026-12-01&sampai=2026-12-01").get_data(as_text=True))
    assert len(rows) == 1 and "Melihat pindaian dokumen" in rows[0] and "KK" in rows[0]


def test_nothing_matching_says_so(kabid, log):
    html = kabid.get("/petugas/audit?tindakan=reject").get_data(as_text=True)
    assert "Tidak ada baris yang cocok" in html and not _rows(html)


@pytest.mark.parametrize("query, field, message, kept", [
    ("nomor=XYZ", "nomor", "Nomor permohonan tidak dikenali", 'value="XYZ"'),
    ("dari=2026-12-05&sampai=2026-12-01", "sampai", "Tanggal akhir tidak boleh sebelum tanggal awal",
     'value="2026-12-01"'),
    ("dari=kemarin", "dari", "Tanggal tidak terbaca", 'value="kemarin"'),
    ("tindakan=delete_everything", "tindakan", "Pilih tindakan dari daftar", None),
    ("petugas=999999", "petugas", "Pilih petugas dari daftar", None),
])
def test_unreadable_filters_get_a_message_next_to_the_field(kabid, log, query, field, message, kept):
    response = kabid.get(f"/petugas/audit?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and f'id="{field}-error"' in html and f'href="#{field}"' in html
    assert "<title>Kesalahan:" in html
    if kept:
        assert kept in html
    assert not _rows(html)


def test_keyset_pages_cover_every_line_once_even_with_equal_instants(app, kabid, log):
    same = wib(2026, 12, 4, 10, 0)
    for number in range(118):  # with the 5 of `log`: 123 lines, pages of 50, 50 and 23
        at = same if number < 60 else same + timedelta(minutes=number)
        _add(app, log["clerk"], "Petugas Satu", "view_scan", at, REF_A, f"dokumen {number}")
    seen, path, pages = [], "/petugas/audit", 0
    while path:
        html = kabid.get(path).get_data(as_text=True)
        seen += _rows(html)
        pages += 1
        following = re.search(r'<a href="([^"]+)" rel="next">', html)
        path = following.group(1).replace("&amp;", "&") if following else None
        if path:
            assert "sebelum=" in path
    assert pages == 3
    assert len(seen) == 123 and len(set(seen)) == 123
    assert "Kembali ke yang terbaru" in html


def test_next_page_keeps_the_filters(app, kabid, log):
    for number in range(55):
        _add(app, log["clerk2"], "Petugas Dua", "print", wib(2026, 12, 4, 10, 0) + timedelta(seconds=number))
    html = kabid.get(f"/petugas/audit?petugas={log['clerk2']}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    assert f"petugas={log['clerk2']}" in link
    rows = _rows(kabid.get(link).get_data(as_text=True))
    assert len(rows) == 2 + 55 - 50 and all("Petugas Dua" in row for row in rows)


def test_a_malformed_page_key_shows_the_first_page(kabid, log):
    for key in ("nonsense", "2026-12-03T02:00:00_abc", "2026-12-03T02:00:00_5"):
        response = kabid.get(f"/petugas/audit?sebelum={key}")
        assert response.status_code == 200 and len(_rows(response.get_data(as_text=True))) == 5


def test_csv_export_of_the_filtered_log(kabid, log):
    response = kabid.get("/petugas/audit.csv?petugas=" + str(log["clerk"]))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="log-audit-')
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["waktu", "petugas", "tindakan", "nama_tindakan", "nomor_permohonan", "keterangan"]
    assert [row[2] for row in rows[1:]] == ["print", "view_scan", "take"]
    assert rows[1][0] == "2026-12-03T09:16:00+07:00"
    assert rows[1][5] == "'=HYPERLINK(\"x\")"  # never run as a formula
    assert rows[2][3] == "Melihat pindaian dokumen" and rows[2][4] == REF_A


def test_csv_export_pages_through_more_than_one_batch(app, kabid, log, monkeypatch):
    import portal.staff.audit_log as audit_log

    monkeypatch.setattr(audit_log, "CSV_BATCH", 2)
    rows = list(csv.reader(io.StringIO(kabid.get("/petugas/audit.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 + 5 and len({tuple(row) for row in rows[1:]}) == 5


@pytest.mark.parametrize("path", ["/petugas/audit", "/petugas/audit.csv"])
@pytest.mark.parametrize("username", ["clerk", "op.sumber"])
def test_only_supervisors_see_the_log(app, client, log, path, username):
    visitor = client.get(path)
    assert visitor.status_code == 303 and visitor.headers["Location"].startswith("/masuk")
    sign_in(client, username)
    assert client.get(path).status_code == 403
