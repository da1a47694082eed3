"""The counters usually on duty per queue purpose (`/admin/loket`): what applies now and what an hour holds,
saving new figures (audited, the queue's quotas follow at once, a day's own figures still win), every
refusal with the input kept, going back to the `QUEUE_COUNTERS` setting, roles, CSRF and valid HTML."""

from __future__ import annotations

from datetime import date

import pytest

from portal.extensions import db
from portal.models import AuditEntry, UsualCounters
from portal.services import queue, quotas
from tests.web.apply_helpers import csrf
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import sends_to_sign_in, sign_in

TODAY = date(2026, 12, 3)  # the clock's default: Thu 3 Dec 2026 09:00 WIB
SETTING = {"KTP": "2", "KK": "1", "AKTA": "1", "KIA": "1", "PINDAH": "1", "PICKUP": "1"}  # DEFAULT_QUEUE_COUNTERS


def _save(client, **figures):
    data = {**SETTING, **{code: str(value) for code, value in figures.items()}}
    return client.post("/admin/loket", data={"csrf_token": csrf(client, "/admin/loket"), **data})


def _audit(app):
    with app.app_context():
        return [entry.detail for entry in
                db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "set_counters"))]


def _ktp_quota_at_nine(app, day=TODAY) -> int:
    with app.app_context():
        return next(quota for purpose, window, quota, _taken in quotas.quota_table(day)
                    if purpose.code == "KTP" and f"{window.start:%H:%M}" == "09:00")


def test_page_shows_the_setting_and_what_an_hour_holds(kabid):
    html = kabid.get("/admin/loket").get_data(as_text=True)
    assert "Loket yang biasa bertugas" in html and "Pengaturan server" in html
    assert "12 tiket" in html  # KTP: 2 counters × 60 min ÷ 10 min per visit
    assert 'name="KTP" type="text" value="2"' in html
    assert "Kembalikan ke bawaan" not in html  # nothing set here yet


def test_saving_stores_audits_and_changes_every_days_quota_at_once(app, kabid):
    assert _ktp_quota_at_nine(app) == 12
    response = _save(kabid, KTP=3, KK=2)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/loket"
    html = kabid.get("/admin/loket").get_data(as_text=True)
    assert "Jumlah loket disimpan: Pengajuan KTP-el: 2 → 3; Pengajuan Kartu Keluarga: 1 → 2." in html
    assert "Diatur di sini; pengaturan server: 2" in html and "18 tiket" in html
    assert _audit(app) == ["Pengajuan KTP-el: 2 → 3; Pengajuan Kartu Keluarga: 1 → 2"]
    assert _ktp_quota_at_nine(app) == 18
    assert _ktp_quota_at_nine(app, date(2026, 12, 7)) == 18  # every ordinary day
    with app.app_context():
        assert {row.purpose_code: row.counters for row in db.session.scalars(db.select(UsualCounters))} == \
            {"KTP": 3, "KK": 2}  # the others still follow the setting


def test_a_days_own_figures_still_win(app, kabid):
    with app.app_context():
        quotas.set_quota(TODAY, "KTP", counters=1)
    assert _save(kabid, KTP=4).status_code == 303
    assert _ktp_quota_at_nine(app) == 6  # today: its own 1 counter
    assert _ktp_quota_at_nine(app, date(2026, 12, 4)) == 24  # tomorrow: the new usual 4


def test_zero_closes_the_queue_of_that_purpose_on_ordinary_days(app, kabid):
    assert _save(kabid, KIA=0).status_code == 303
    with app.app_context():
        offers = queue.offers(queue.purpose("KIA"), queue.calendar.now())
        assert offers and all(day.full for day in offers)


def test_saving_the_same_figures_writes_nothing(app, kabid):
    response = _save(kabid)
    assert response.status_code == 303
    assert "Tidak ada yang berubah" in kabid.get("/admin/loket").get_data(as_text=True)
    assert _audit(app) == []


@pytest.mark.parametrize("value", ["", "dua", "-1", "2.5", "31", "²", "٣", "0003"])
def test_unreadable_figures_are_refused_and_the_input_kept(app, kabid, value):
    response = _save(kabid, KK=value, KTP=5)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tulis jumlah loket Pengajuan Kartu Keluarga sebagai angka 0 sampai 30." in html
    assert 'name="KTP" type="text" value="5"' in html and f'name="KK" type="text" value="{value}"' in html
    assert "<title>Kesalahan:" in html
    assert _audit(app) == [] and _ktp_quota_at_nine(app) == 12


def test_english_page_names_the_purposes_in_english(app, kabid):
    kabid.set_cookie("bahasa", "en")
    page = kabid.get("/admin/loket").get_data(as_text=True)
    assert "KTP-el applications" in page and "Pengajuan KTP-el" not in page
    refused = _save(kabid, KK="x").get_data(as_text=True)
    assert "Write the counters for Family card applications as a number from 0 to 30." in refused
    _save(kabid, KTP=3)
    assert "Counters saved: KTP-el applications: 2 → 3." in kabid.get("/admin/loket").get_data(as_text=True)
    assert _audit(app) == ["Pengajuan KTP-el: 2 → 3"]  # the log stays in Indonesian


def test_back_to_the_setting(app, kabid):
    assert _save(kabid, KTP=5).status_code == 303
    page = kabid.get("/admin/loket").get_data(as_text=True)
    assert "Kembalikan ke bawaan" in page
    response = kabid.post("/admin/loket/bawaan", data={"csrf_token": csrf(kabid, "/admin/loket")})
    assert response.status_code == 303
    assert "Jumlah loket kembali ke pengaturan server." in kabid.get("/admin/loket").get_data(as_text=True)
    assert _ktp_quota_at_nine(app) == 12
    assert _audit(app) == ["Pengajuan KTP-el: 2 → 5", "kembali ke pengaturan server"]


@pytest.mark.parametrize("username", ["clerk", "op.sumber"])
def test_clerks_and_operators_get_403(client, staff, username):
    sign_in(client, username)
    token = csrf(client, "/")
    assert client.get("/admin/loket").status_code == 403
    for path in ("/admin/loket", "/admin/loket/bawaan"):
        assert client.post(path, data={"csrf_token": token, **SETTING}).status_code == 403


def test_visitors_go_to_sign_in(client, staff):
    assert sends_to_sign_in(client.get("/admin/loket"))


def test_post_without_csrf_token_is_refused(app, kabid):
    assert kabid.post("/admin/loket", data={**SETTING, "KTP": "9"}).status_code == 400
    assert kabid.post("/admin/loket/bawaan").status_code == 400
    assert _audit(app) == []


def test_pages_are_valid_html(app, kabid, tmp_path):
    _save(kabid, KTP=3)
    pages = {"counters": kabid.get("/admin/loket"), "counters-error": _save(kabid, KK="x")}
    kabid.set_cookie("bahasa", "en")
    pages["en-counters"] = kabid.get("/admin/loket")
    assert [response.status_code for response in pages.values()] == [200, 422, 200]
    nu_validate(tmp_path, pages)
