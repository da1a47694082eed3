"""The supervisor's office settings: the admin home, closures and date overrides, notices and quotas. Every form's
success, its errors (shown, input kept), the audit line written with the change, the banner and `/api/status`
changing at once, and supervisors only."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.extensions import db
from portal.models import AuditEntry, DayRule, Notice, QuotaRule
from portal.services import closures, quotas
from tests.web.apply_helpers import csrf
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import sends_to_sign_in, sign_in

TODAY = date(2026, 12, 3)  # the clock's default: Thu 3 Dec 2026 09:00 WIB
TOMORROW = date(2026, 12, 4)


def _post(client, path, data, page=None):
    return client.post(path, data={"csrf_token": csrf(client, page or path), **data})


def _audit(app, action):
    with app.app_context():
        return [(entry.user_name, entry.detail) for entry in
                db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action))]


def _html(response):
    return response.get_data(as_text=True)


def _refused(app, client, path: str, data: dict, message: str, field: str, kept: tuple[str, ...], model, action: str):
    """Post `data` to `path` and return the page, after checking that it answered 422 with `message` linked to
    the field `field`, that each field named in `kept` shows what was typed, and that neither a `model` row
    nor an `action` audit line was written."""
    response = _post(client, path, data)
    html = _html(response)
    assert response.status_code == 422
    assert message in html and f'href="#{field}"' in html
    for name in kept:
        if data[name]:
            assert f'value="{data[name]}"' in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0
    assert _audit(app, action) == []
    return html


# The home page


def test_home_shows_today_closures_notices_and_links(app, kabid):
    with app.app_context():
        closures.set_day_rule(date(2026, 12, 7), False, "Rapat koordinasi dinas")
        closures.add_notice("Jaringan pusat sedang lambat", TODAY)
    response = kabid.get("/admin")
    html = _html(response)
    assert response.status_code == 200
    assert "Pengaturan kantor" in html and "Kantor buka" in html
    assert "Rapat koordinasi dinas" in html and "Hari Raya Natal" in html
    assert "Jaringan pusat sedang lambat" in html
    for path in ("/admin/hari", "/admin/jam", "/admin/pengumuman", "/admin/loket", "/admin/kuota", "/admin/layanan", "/admin/tempat",
                 "/admin/pengguna", "/admin/laporan"):
        assert f'href="{path}"' in html
    assert "Pengajuan KTP-el" in html  # today's queue use


def test_home_in_english_names_holidays_and_queue_purposes_in_english(app, kabid):
    kabid.set_cookie("bahasa", "en")
    html = _html(kabid.get("/admin"))
    assert "Christmas Day" in html and "Hari Raya Natal" not in html
    assert "<td>KTP-el applications</td>" in html and "Pengajuan KTP-el" not in html
    assert _table_row(_html(kabid.get("/admin/kuota")), "KTP-el applications", "09:00-10:00")


# Closures and date overrides


def test_close_tomorrow_is_stored_audited_and_shown_at_once(app, kabid, client):
    assert client.get("/api/status?at=2026-12-04T09:00:00+07:00").get_json()["closure"] is None
    response = _post(kabid, "/admin/hari", {"hari": "2026-12-04", "jenis": "tutup", "kegiatan": "",
                                            "alasan": "Rapat koordinasi dinas", "jam": ""})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/hari"
    page = _html(kabid.get("/admin/hari"))
    assert "Jumat, 4 Desember 2026 disimpan: tutup." in page
    assert "Rapat koordinasi dinas" in page
    with app.app_context():
        rule = db.session.scalar(db.select(DayRule))
        assert (rule.day, rule.opens, rule.activity, rule.reason) == (TOMORROW, False, None, "Rapat koordinasi dinas")
    assert _audit(app, "set_day_rule") == [
        ("Kepala Bidang", "Tutup 4 Des 2026 (Semua kegiatan): Rapat koordinasi dinas")]
    data = client.get("/api/status?at=2026-12-04T09:00:00+07:00").get_json()
    assert data["closure"]["reason"] == "Rapat koordinasi dinas"
    assert data["submission"]["open"] is False and data["pickup"]["open"] is False
    assert "Rapat koordinasi dinas" in _html(client.get("/jadwal"))


def test_closing_today_changes_the_banner_at_once(app, kabid):
    assert "Kantor buka" in _html(kabid.get("/"))
    _post(kabid, "/admin/hari", {"hari": "03-12-2026", "jenis": "tutup", "alasan": "Gangguan listrik"})
    assert "Tutup — Gangguan listrik" in _html(kabid.get("/"))


def test_open_a_date_with_its_own_windows_for_one_activity(app, kabid):
    response = _post(kabid, "/admin/hari", {"hari": "2026-12-05", "jenis": "buka", "kegiatan": "pickup",
                                            "alasan": "Pengambilan massal KTP-el", "jam": "08.00-12.00, 13:00-15:00"})
    assert response.status_code == 303
    with app.app_context():
        rule = db.session.scalar(db.select(DayRule))
        assert (rule.opens, rule.activity, rule.windows) == (True, "pickup", ["08:00-12:00", "13:00-15:00"])
    assert "Buka 5 Des 2026 (Pengambilan) 08:00-12:00, 13:00-15:00" in _audit(app, "set_day_rule")[0][1]
    data = kabid.get("/api/status?at=2026-12-05T14:00:00+07:00").get_json()
    assert data["pickup"]["open"] is True and data["submission"]["open"] is False


@pytest.mark.parametrize("fields, field, message", [
    ({"hari": "2026-12-02"}, "hari", "Tanggal sudah lewat"),
    ({"hari": "besok"}, "hari", "Tanggal tidak terbaca"),
    ({"hari": "31-12-9999"}, "hari", "Tanggal terlalu jauh"),
    ({"hari": ""}, "hari", "Isi tanggalnya."),
    ({"alasan": ""}, "alasan", "Tulis alasan penutupan"),
    ({"jam": "08:00-12:00"}, "jam", "Jam buka hanya untuk hari yang dibuka"),
    ({"jenis": "buka", "jam": "12:00-08:00"}, "jam", "Jam buka tidak terbaca"),
    ({"jenis": "buka", "jam": "pagi saja"}, "jam", "Jam buka tidak terbaca"),
    ({"kegiatan": "sidang"}, "kegiatan", "Pilih kegiatan dari daftar."),
])
def test_day_rule_errors_are_shown_and_input_kept(app, kabid, fields, field, message):
    data = {"hari": "2026-12-04", "jenis": "tutup", "kegiatan": "", "alasan": "Rapat dinas", "jam": "", **fields}
    html = _refused(app, kabid, "/admin/hari", data, message, field, ("hari", "alasan", "jam"), DayRule,
                    "set_day_rule")
    assert html.startswith("<!doctype html>") and "<title>Kesalahan:" in html


def test_remove_day_rule_is_audited_and_reopens(app, kabid):
    with app.app_context():
        rule_id = closures.set_day_rule(TOMORROW, False, "Rapat dinas").id
    assert kabid.get("/api/status?at=2026-12-04T09:00:00+07:00").get_json()["closure"] is not None
    response = _post(kabid, f"/admin/hari/{rule_id}/hapus", {}, page="/admin/hari")
    assert response.status_code == 303
    assert "Aturan untuk Jumat, 4 Desember 2026 dihapus." in _html(kabid.get("/admin/hari"))
    assert _audit(app, "remove_day_rule") == [("Kepala Bidang", "Tutup 4 Des 2026 (Semua kegiatan): Rapat dinas")]
    assert kabid.get("/api/status?at=2026-12-04T09:00:00+07:00").get_json()["closure"] is None
    again = _post(kabid, f"/admin/hari/{rule_id}/hapus", {}, page="/admin/hari")  # a second click
    assert again.status_code == 303 and "sudah dihapus" in _html(kabid.get("/admin/hari"))
    assert len(_audit(app, "remove_day_rule")) == 1


def test_past_rules_are_not_listed(app, kabid):
    with app.app_context():
        closures.set_day_rule(date(2026, 12, 1), False, "Aturan lama")
        closures.set_day_rule(date(2026, 12, 10), False, "Aturan baru")
    html = _html(kabid.get("/admin/hari"))
    assert "Aturan baru" in html and "Aturan lama" not in html


# Notices


def test_global_notice_is_stored_audited_and_in_the_banner(app, kabid, client):
    response = _post(kabid, "/admin/pengumuman", {"teks": "Jaringan pusat lambat", "teks_en": "Slow network",
                                                  "mulai": "2026-12-03", "sampai": "2026-12-05", "layanan": ""})
    assert response.status_code == 303
    page = _html(kabid.get("/admin/pengumuman"))
    assert "Pengumuman disimpan." in page and "Slow network" in page
    assert "Jaringan pusat lambat" in _html(client.get("/"))
    assert client.get("/api/status").get_json()["notices"][0]["text"] == "Jaringan pusat lambat"
    assert _audit(app, "add_notice") == [("Kepala Bidang", "[semua] 3 Des 2026 – 5 Des 2026: Jaringan pusat lambat")]


def test_service_notice(app, kabid):
    response = _post(kabid, "/admin/pengumuman", {"teks": "Blangko KTP-el habis", "mulai": "2026-12-03",
                                                  "layanan": "KTP_HILANG"})
    assert response.status_code == 303
    with app.app_context():
        notice = db.session.scalar(db.select(Notice))
        assert (notice.service_code, notice.ends_on) == ("KTP_HILANG", None)
    assert "Blangko KTP-el habis" in _html(kabid.get("/layanan/ktp_hilang"))


@pytest.mark.parametrize("fields, field, message", [
    ({"teks": ""}, "teks", "Tulis teks pengumuman."),
    ({"teks": "x" * 301}, "teks", "Paling banyak 300 huruf."),
    ({"mulai": "2026-11-30"}, "mulai", "Tanggal sudah lewat"),
    ({"mulai": ""}, "mulai", "Isi tanggalnya."),
    ({"sampai": "2026-12-04", "mulai": "2026-12-06"}, "sampai", "Tanggal akhir tidak boleh sebelum tanggal mulai."),
    ({"sampai": "kapan-kapan"}, "sampai", "Tanggal tidak terbaca"),
    ({"layanan": "TIDAK_ADA"}, "layanan", "Pilih layanan dari daftar."),
])
def test_notice_errors_are_shown_and_input_kept(app, kabid, fields, field, message):
    data = {"teks": "Jaringan lambat", "teks_en": "Slow", "mulai": "2026-12-03", "sampai": "", "layanan": "",
            **fields}
    _refused(app, kabid, "/admin/pengumuman", data, message, field, ("teks", "teks_en", "mulai", "sampai"), Notice,
             "add_notice")


def test_remove_notice_is_audited(app, kabid, client):
    with app.app_context():
        notice_id = closures.add_notice("Jaringan lambat", TODAY).id
    assert "Jaringan lambat" in _html(client.get("/"))
    assert _post(kabid, f"/admin/pengumuman/{notice_id}/hapus", {}, page="/admin/pengumuman").status_code == 303
    assert "Pengumuman dihapus." in _html(kabid.get("/admin/pengumuman"))
    assert "Jaringan lambat" not in _html(client.get("/"))
    assert _audit(app, "remove_notice") == [("Kepala Bidang", "[semua] Jaringan lambat")]


# Quotas


def _table_row(html, purpose, window):
    return re.search(rf"<tr><td>{purpose}</td><td>{window}</td><td>(\d+)</td><td>(\d+)</td>", html)


def test_quota_page_defaults_to_today_and_reads_another_day(app, kabid):
    html = _html(kabid.get("/admin/kuota"))
    assert "Kuota Kamis, 3 Desember 2026" in html and _table_row(html, "Pengajuan KTP-el", "09:00-10:00")
    html = _html(kabid.get("/admin/kuota?hari=2026-12-07"))
    assert "Kuota Senin, 7 Desember 2026" in html and 'value="2026-12-07"' in html
    assert "Kantor tidak membuka antrean" in _html(kabid.get("/admin/kuota?hari=2026-12-06"))  # a Sunday
    response = kabid.get("/admin/kuota?hari=kemarin")
    assert response.status_code == 422 and "Tanggal tidak terbaca" in _html(response)
    response = kabid.get("/admin/kuota?hari=0001-01-01")
    assert response.status_code == 422 and "Tanggal terlalu jauh" in _html(response)


def test_fixed_quota_for_one_window_is_stored_audited_and_shown(app, kabid):
    response = _post(kabid, "/admin/kuota", {"hari": "2026-12-04", "keperluan": "KTP", "jendela": "09:00",
                                             "jenis": "kuota", "angka": "2"}, page="/admin/kuota?hari=2026-12-04")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/kuota?hari=2026-12-04"
    html = _html(kabid.get("/admin/kuota?hari=2026-12-04"))
    assert "Kuota KTP untuk Jumat, 4 Desember 2026 disimpan." in html
    assert _table_row(html, "Pengajuan KTP-el", "09:00-10:00").group(1) == "2"
    assert _audit(app, "set_quota") == [("Kepala Bidang", "KTP 4 Des 2026, jam 09:00: kuota 2 per jam")]


def test_counters_for_the_whole_day(app, kabid):
    before = _table_row(_html(kabid.get("/admin/kuota")), "Pengajuan KTP-el", "10:00-11:00").group(1)
    response = _post(kabid, "/admin/kuota", {"hari": "2026-12-03", "keperluan": "KTP", "jendela": "",
                                             "jenis": "loket", "angka": "0"})
    assert response.status_code == 303
    assert int(before) > 0
    assert _table_row(_html(kabid.get("/admin/kuota")), "Pengajuan KTP-el", "10:00-11:00").group(1) == "0"
    assert _audit(app, "set_quota") == [("Kepala Bidang", "KTP 3 Des 2026, sepanjang hari: 0 loket")]


@pytest.mark.parametrize("fields, field, message", [
    ({"angka": ""}, "angka", "Tulis angka bulat 0 atau lebih"),
    ({"angka": "-1"}, "angka", "Tulis angka bulat 0 atau lebih"),
    ({"angka": "tiga"}, "angka", "Tulis angka bulat 0 atau lebih"),
    ({"keperluan": "XYZ"}, "keperluan", "Pilih keperluan dari daftar."),
    ({"jendela": "21:00"}, "jendela", "Keperluan ini tidak punya jam 21:00 pada hari itu."),
    ({"jenis": "lain"}, "jenis", "Pilih jumlah loket atau kuota tetap."),
    ({"hari": "2026-12-01"}, "hari", "Tanggal sudah lewat"),
])
def test_quota_errors_are_shown_and_input_kept(app, kabid, fields, field, message):
    data = {"hari": "2026-12-04", "keperluan": "KTP", "jendela": "", "jenis": "kuota", "angka": "5", **fields}
    _refused(app, kabid, "/admin/kuota", data, message, field, ("angka",), QuotaRule, "set_quota")


def test_clear_a_days_figures_is_audited(app, kabid):
    with app.app_context():
        quotas.set_quota(TOMORROW, "KTP", quota=2)
        quotas.set_quota(TOMORROW, "KK", counters=0)
    response = _post(kabid, "/admin/kuota/hapus", {"hapus-hari": "2026-12-04", "hapus-keperluan": "KTP"},
                     page="/admin/kuota?hari=2026-12-04")
    assert response.status_code == 303
    with app.app_context():
        assert [rule.purpose_code for rule in db.session.scalars(db.select(QuotaRule))] == ["KK"]
    assert _audit(app, "clear_quota") == [("Kepala Bidang", "KTP 4 Des 2026")]
    _post(kabid, "/admin/kuota/hapus", {"hapus-hari": "2026-12-04", "hapus-keperluan": ""})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(QuotaRule)) == 0
    assert [detail for _name, detail in _audit(app, "clear_quota")] == ["KTP 4 Des 2026", "semua keperluan 4 Des 2026"]
    response = _post(kabid, "/admin/kuota/hapus", {"hapus-hari": "2026-12-04", "hapus-keperluan": ""})
    assert response.status_code == 303
    assert "tidak ada yang dihapus" in _html(kabid.get("/admin/kuota?hari=2026-12-04"))
    assert len(_audit(app, "clear_quota")) == 2


def test_past_day_shows_figures_without_forms(app, kabid):
    html = _html(kabid.get("/admin/kuota?hari=2026-12-01"))
    assert "Kuota Selasa, 1 Desember 2026" in html and "Simpan kuota" not in html


# Who may


PAGES = ["/admin", "/admin/hari", "/admin/pengumuman", "/admin/kuota"]
POSTS = ["/admin/hari", "/admin/hari/1/hapus", "/admin/pengumuman", "/admin/pengumuman/1/hapus", "/admin/kuota",
         "/admin/kuota/hapus"]


@pytest.mark.parametrize("username", ["clerk", "op.sumber"])
def test_clerks_and_operators_get_403(client, staff, username):
    sign_in(client, username)
    token = csrf(client, "/")
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    for path in POSTS:
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path


def test_visitors_go_to_sign_in(client, staff):
    for path in PAGES:
        assert sends_to_sign_in(client.get(path)), path


def test_post_without_csrf_token_is_refused(app, kabid):
    for path in POSTS:
        assert kabid.post(path, data={"hari": "2026-12-04", "jenis": "tutup", "alasan": "x", "teks": "x",
                                      "mulai": "2026-12-04", "keperluan": "KTP", "jenis_": "kuota",
                                      "angka": "1"}).status_code == 400, path
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == 0


def test_admin_pages_are_valid_html(app, kabid, tmp_path):
    with app.app_context():
        closures.set_day_rule(TOMORROW, False, "Rapat dinas")
        closures.set_day_rule(date(2026, 12, 5), True, "Buka khusus", "pickup", ["08:00-12:00"])
        closures.add_notice("Jaringan lambat", TODAY, service_code="KTP_HILANG", text_en="Slow")
        quotas.set_quota(TODAY, "KTP", window_start="09:00", quota=3)
    pages = {
        "home": kabid.get("/admin"),
        "days": kabid.get("/admin/hari"),
        "days-error": _post(kabid, "/admin/hari", {"hari": "kemarin", "jenis": "tutup", "alasan": ""}),
        "notices": kabid.get("/admin/pengumuman"),
        "notices-error": _post(kabid, "/admin/pengumuman", {"teks": "", "mulai": "2026-12-01"}),
        "quotas": kabid.get("/admin/kuota"),
        "quotas-error": _post(kabid, "/admin/kuota", {"hari": "2026-12-03", "keperluan": "KTP", "angka": "x"}),
    }
    kabid.set_cookie("bahasa", "en")
    pages.update({f"en-{name}": kabid.get(path) for name, path in (
        ("home", "/admin"), ("days", "/admin/hari"), ("notices", "/admin/pengumuman"), ("quotas", "/admin/kuota"))})
    assert [r.status_code for r in pages.values()] == [200, 200, 422, 200, 422, 200, 422, 200, 200, 200, 200]
    assert '<html lang="en">' in _html(pages["en-home"])
    nu_validate(tmp_path, pages)


def test_an_admin_may_too(app, client, staff):
    from portal.services import accounts
    from tests.web.staff_helpers import PASSWORD

    with app.app_context():
        accounts.create_user("admin", "Admin Kantor", "admin", PASSWORD)
    sign_in(client, "admin")
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    response = _post(client, "/admin/hari", {"hari": "2026-12-04", "jenis": "tutup", "alasan": "Rapat dinas"})
    assert response.status_code == 303
    assert _audit(app, "set_day_rule")[0][0] == "Admin Kantor"
