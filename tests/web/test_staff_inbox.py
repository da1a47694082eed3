"""The clerk's inbox `/petugas`: filters, search, counts, keyset pages, take and release, roles and CSRF.

Most rows are inserted in bulk with SQLAlchemy Core (make_application takes about half a second each, with
its photo and PIN hash); the take/release tests use make_application, which goes through the services.
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone

import pytest
from sqlalchemy import event, insert, select

from portal.domain.reference import new_reference
from portal.extensions import db
from portal.models import Application, User
from tests.conftest import wib
from tests.web.apply_helpers import GOOD_NIK, csrf
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import make_application, sign_in

SUMBER_DESA = "33.17.01.2001"  # Ronggo Mulyo, Kecamatan Sumber
SUMBER_OTHER_DESA = "33.17.01.2002"
SARANG_DESA = "33.17.05.2001"  # Lodan Kulon, Kecamatan Sarang
NOW = wib(2026, 12, 3, 9, 0)


def bulk(app, count: int = 1, *, start=None, step=timedelta(minutes=1), **fields) -> list[str]:
    """Insert `count` submitted applications in one executemany, submitted one `step` apart from `start`
    (default: two days before the test clock); return their references in insertion order."""
    start = start or NOW - timedelta(days=2)
    rows = []
    for number in range(count):
        rows.append({"reference": new_reference("RBG"), "pin_hash": "x", "verification_token": new_reference("V"),
                     "service_code": "KK_BARU", "state": "submitted", "nik": GOOD_NIK,
                     "full_name": "Siti Wulandari", "region_code": SUMBER_DESA,
                     "submitted_at": start + step * number, **fields})
    with app.app_context():
        db.session.execute(insert(Application), rows)
        db.session.commit()
    return [row["reference"] for row in rows]


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def listed(html: str) -> list[str]:
    """Return the references in the main list (after the "Sedang Anda periksa" box), in order."""
    if 'id="list-title"' not in html:
        return []
    main = html.split('id="list-title"', 1)[1]
    return re.findall(r'class="inbox-reference">(?:<a href="[^"]*">)?(RBG-[0-9A-Z]{4}-[0-9A-Z]{4})', main)


def mine_box(html: str) -> list[str]:
    if 'id="mine-title"' not in html:
        return []
    box = html.split('id="mine-title"', 1)[1].split('id="list-title"', 1)[0]
    return re.findall(r'class="inbox-reference">(?:<a href="[^"]*">)?(RBG-[0-9A-Z]{4}-[0-9A-Z]{4})', box)


def get(client, **params):
    response = client.get("/petugas", query_string=params)
    return response, response.get_data(as_text=True)


@pytest.fixture
def statements(app):
    """Return the list of (SQL, parameters) run while the test runs."""
    seen: list[tuple[str, object]] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", remember)
    yield seen
    event.remove(engine, "before_cursor_execute", remember)


# ---------------------------------------------------------------------------------------------------------
# Who may open it


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/petugas")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/masuk")


@pytest.mark.parametrize("username, status", [("op.sumber", 403), ("clerk", 200), ("kabid", 200)])
def test_only_clerks_and_supervisors_open_the_inbox(client, staff, username, status):
    sign_in(client, username)
    assert client.get("/petugas").status_code == status


@pytest.mark.parametrize("action", ["ambil", "lepas"])
def test_operators_cannot_take_or_release(app, client, staff, action):
    reference = bulk(app)[0]
    sign_in(client, "op.sumber")
    response = client.post(f"/petugas/{reference}/{action}", data={"csrf_token": csrf(client, "/desa")})
    assert response.status_code == 403


@pytest.mark.parametrize("action", ["ambil", "lepas"])
def test_anonymous_posts_are_sent_to_sign_in(app, client, regions, action):
    reference = bulk(app)[0]
    response = client.post(f"/petugas/{reference}/{action}", data={"csrf_token": csrf(client, "/masuk")})
    assert response.status_code == 303 and response.headers["Location"].startswith("/masuk")


# ---------------------------------------------------------------------------------------------------------
# The default view: the queue, oldest first, and the clerk's own reviews first


def test_the_queue_lists_waiting_applications_oldest_first_with_the_row_facts(app, client, staff):
    newer = bulk(app, start=NOW - timedelta(hours=5), full_name="Budi Santoso", nik="3317010101800002")
    older = bulk(app, start=NOW - timedelta(days=3, hours=1))
    bulk(app, state="approved")
    sign_in(client, "clerk")
    response, html = get(client)
    assert response.status_code == 200
    assert listed(html) == older + newer
    assert "Budi Santoso" in html and "331701******0002" in html and "3317010101800002" not in html
    assert "Ronggo Mulyo" in html and "Kec. Sumber" in html
    assert "30 Nov 2026" in html and "08.00 WIB" in html  # 3 days 1 hour before Thu 3 Dec 09:00 WIB
    assert "3 hari" in html and "5 jam" in html
    assert html.count(">Ambil<") == 2


def test_a_clerks_own_reviews_come_first_and_others_reviews_stay_out_of_the_queue(app, client, staff):
    clerk, clerk2 = user_id(app, "clerk"), user_id(app, "clerk2")
    waiting = bulk(app, 2)
    mine = bulk(app, 2, state="in_review", assigned_to=clerk, start=NOW - timedelta(days=1))
    theirs = bulk(app, state="in_review", assigned_to=clerk2, start=NOW - timedelta(hours=1))
    sign_in(client, "clerk")
    _, html = get(client)
    assert "Sedang Anda periksa" in html
    assert mine_box(html) == mine
    assert listed(html) == waiting
    assert theirs[0] not in html

    _, html = get(client, status="in_review")
    assert listed(html) == mine + theirs
    assert "Petugas Dua" in html


def test_no_box_when_the_clerk_reviews_nothing(app, client, staff):
    bulk(app)
    sign_in(client, "clerk")
    _, html = get(client)
    assert "Sedang Anda periksa" not in html


# ---------------------------------------------------------------------------------------------------------
# Filters


def test_status_filter_narrows_to_one_state_or_all(app, client, staff):
    waiting = bulk(app)
    approved = bulk(app, state="approved")
    collected = bulk(app, state="collected")
    draft = bulk(app, state="draft", submitted_at=None)
    given_up = bulk(app, state="cancelled", submitted_at=None)
    sign_in(client, "clerk")
    assert listed(get(client, status="approved")[1]) == approved
    assert listed(get(client, status="collected")[1]) == collected
    assert listed(get(client, status="submitted")[1]) == waiting
    everything = listed(get(client, status="semua")[1])
    assert sorted(everything) == sorted(waiting + approved + collected)
    assert draft[0] not in everything and given_up[0] not in everything
    assert listed(get(client, status="cancelled")[1]) == []


def test_service_filter_narrows(app, client, staff):
    kk = bulk(app, service_code="KK_BARU")
    ktp = bulk(app, service_code="KTP_BARU")
    sign_in(client, "clerk")
    assert listed(get(client, layanan="KTP_BARU")[1]) == ktp
    assert listed(get(client, layanan="kk_baru")[1]) == kk


def test_kecamatan_and_desa_filters_narrow(app, client, staff):
    ronggo = bulk(app, region_code=SUMBER_DESA)
    other_sumber = bulk(app, region_code=SUMBER_OTHER_DESA)
    sarang = bulk(app, region_code=SARANG_DESA)
    sign_in(client, "clerk")
    assert listed(get(client, wilayah="33.17.01")[1]) == ronggo + other_sumber
    assert listed(get(client, wilayah=SUMBER_DESA)[1]) == ronggo
    assert listed(get(client, wilayah="33.17.05")[1]) == sarang


def test_date_filter_reads_whole_days_in_wib(app, client, staff):
    late_on_the_1st = bulk(app, start=wib(2026, 12, 1, 23, 30))  # 16:30 UTC on the 1st
    early_on_the_2nd = bulk(app, start=wib(2026, 12, 2, 0, 10))  # 17:10 UTC on the 1st
    on_the_3rd = bulk(app, start=wib(2026, 12, 3, 8, 0))
    sign_in(client, "clerk")
    assert listed(get(client, dari="2026-12-02", sampai="2026-12-02")[1]) == early_on_the_2nd
    assert listed(get(client, sampai="2026-12-01")[1]) == late_on_the_1st
    assert listed(get(client, dari="2026-12-02")[1]) == early_on_the_2nd + on_the_3rd
    assert listed(get(client, dari="1/12/2026", sampai="02-12-2026")[1]) == late_on_the_1st + early_on_the_2nd


def test_filters_combine(app, client, staff):
    wanted = bulk(app, service_code="KTP_BARU", region_code=SARANG_DESA, start=wib(2026, 12, 2, 10, 0))
    bulk(app, service_code="KTP_BARU", region_code=SUMBER_DESA, start=wib(2026, 12, 2, 10, 0))
    bulk(app, service_code="KK_BARU", region_code=SARANG_DESA, start=wib(2026, 12, 2, 10, 0))
    bulk(app, service_code="KTP_BARU", region_code=SARANG_DESA, start=wib(2026, 11, 30, 10, 0))
    bulk(app, service_code="KTP_BARU", region_code=SARANG_DESA, state="approved", start=wib(2026, 12, 2, 10, 0))
    sign_in(client, "clerk")
    _, html = get(client, status="submitted", layanan="KTP_BARU", wilayah="33.17.05", dari="2026-12-01")
    assert listed(html) == wanted


@pytest.mark.parametrize("params, field, message", [
    ({"dari": "kemarin"}, "dari", "Tanggal awal tidak dikenali"),
    ({"sampai": "9999-12-31"}, "sampai", "Tanggal akhir tidak dikenali"),
    ({"dari": "2026-12-03", "sampai": "2026-12-01"}, "sampai", "tidak boleh sebelum"),
    ({"cari": "33170141"}, "cari", "NIK harus 16 angka. Yang Anda ketik 8 angka."),
    ({"cari": "s"}, "cari", "paling sedikit 2 huruf"),
    ({"layanan": "PASPOR"}, "layanan", "Layanan ini tidak dikenal"),
    ({"wilayah": "33.99"}, "wilayah", "Wilayah ini tidak dikenal"),
    ({"status": "hilang"}, "status", "Pilih status dari daftar"),
    ({"berkas": "KOL-ZZZZ-ZZZZ"}, "berkas", "Tidak ada berkas kolektif bernomor KOL-ZZZZ-ZZZZ"),
])
def test_bad_filters_get_a_message_next_to_the_field_and_keep_what_was_typed(app, client, staff, params, field,
                                                                            message):
    bulk(app)
    sign_in(client, "clerk")
    response, html = get(client, **params)
    assert response.status_code == 422
    assert message in html
    assert f'id="{field}-error"' in html and f'href="#{field}"' in html
    assert "Kesalahan:" in html.split("</title>")[0]
    typed = params.get("cari") or params.get("dari") or params.get("berkas")
    if typed:
        assert f'value="{typed}"' in html
    assert listed(html) == []


# ---------------------------------------------------------------------------------------------------------
# Search


def test_search_by_reference_forgives_case_dashes_and_lookalikes_and_looks_in_every_state(app, client, staff):
    wanted = bulk(app, state="ready")[0]
    bulk(app, 3)
    sign_in(client, "clerk")
    typed = wanted.lower().replace("-", " ").replace("rbg ", "")
    _, html = get(client, cari=typed)
    assert listed(html) == [wanted]
    assert "Siap diambil" in html
    assert listed(get(client, cari=wanted, status="submitted")[1]) == []


def test_search_by_nik_is_exact(app, client, staff):
    wanted = bulk(app, nik="3317010101800002", state="approved")
    bulk(app, nik="3317010101800003")
    sign_in(client, "clerk")
    assert listed(get(client, cari="3317 0101 0180 0002")[1]) == wanted
    assert listed(get(client, cari="3317010101800009")[1]) == []


def test_search_by_name_matches_the_start_of_the_name_whatever_the_case(app, client, staff):
    siti = bulk(app, full_name="Siti Wulandari")
    sitti = bulk(app, full_name="SITI aminah", state="approved")
    bulk(app, full_name="Budi Siti")
    bulk(app, full_name="Sitt_i Underscore")
    sign_in(client, "clerk")
    assert listed(get(client, cari="siti")[1]) == siti + sitti
    assert listed(get(client, cari="Siti W")[1]) == siti
    assert listed(get(client, cari="sit_")[1]) == []  # "_" is a letter here, not a LIKE wildcard
    assert listed(get(client, cari="wulandari")[1]) == []


def test_a_name_that_also_reads_as_a_reference_is_searched_as_a_name(app, client, staff):
    hartanto = bulk(app, full_name="Hartanto")
    sign_in(client, "clerk")
    assert listed(get(client, cari="hartanto")[1]) == hartanto


# ---------------------------------------------------------------------------------------------------------
# Counts


def test_counts_per_state_in_one_grouped_query_under_the_other_filters(app, client, staff, statements):
    bulk(app, 3, service_code="KTP_BARU")
    bulk(app, 2, service_code="KTP_BARU", state="approved")
    bulk(app, 1, service_code="KTP_BARU", state="in_review", assigned_to=user_id(app, "clerk2"))
    bulk(app, 4, service_code="KK_BARU")
    bulk(app, 5, service_code="KTP_BARU", state="collected")
    sign_in(client, "clerk")
    statements.clear()
    _, html = get(client, layanan="KTP_BARU")
    counts = dict(re.findall(r'>([A-Z][a-z ]+) <span class="inbox-count">(\d+)</span>', html))
    assert counts == {"Menunggu diperiksa": "3", "Sedang diperiksa": "1", "Menunggu perbaikan": "0",
                      "Disetujui": "2", "Siap diambil": "0"}
    # (The other grouped query counts the open applications of the rows' NIKs: see the duplicates tests.)
    grouped = [sql for sql, _parameters in statements if "GROUP BY APPLICATION.STATE" in sql.upper()]
    assert len(grouped) == 1 and "count(" in grouped[0].lower()


# ---------------------------------------------------------------------------------------------------------
# Keyset pages


def test_keyset_pages_walk_every_row_once_in_order_even_with_equal_instants(app, client, staff, statements):
    same = NOW - timedelta(days=1)
    references = bulk(app, 30, start=same, step=timedelta(0))  # thirty submitted in the same microsecond
    references += bulk(app, 31, start=same + timedelta(minutes=1))
    with app.app_context():
        expected = list(db.session.scalars(select(Application.reference).order_by(Application.submitted_at,
                                                                                    Application.id)))
    assert sorted(expected) == sorted(references)
    sign_in(client, "clerk")
    seen, url, pages = [], "/petugas?layanan=KK_BARU", 0
    statements.clear()
    while url:
        response = client.get(url)
        html = response.get_data(as_text=True)
        rows = listed(html)
        assert len(rows) == (25 if pages < 2 else 11)
        seen += rows
        pages += 1
        found = re.search(r'<a href="([^"]+)" [^>]*rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        if url:
            assert "layanan=KK_BARU" in url and "setelah=" in url
    assert pages == 3 and seen == expected
    # SQLite's dialect writes "LIMIT ? OFFSET ?" with an offset of 0 for every LIMIT; no page skips rows.
    assert all(parameters[-1] == 0 for sql, parameters in statements if " OFFSET " in sql.upper())


def test_previous_page_and_first_page_links(app, client, staff):
    references = bulk(app, 30)
    sign_in(client, "clerk")
    _, first = get(client)
    next_url = re.search(r'<a href="([^"]+)" [^>]*rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert listed(second) == references[25:]
    assert "Halaman pertama" in second
    previous_url = re.search(r'<a href="([^"]+)" [^>]*rel="prev"', second).group(1).replace("&amp;", "&")
    back = client.get(previous_url).get_data(as_text=True)
    assert listed(back) == references[:25]
    assert 'rel="prev"' not in back and 'rel="next"' in back


def test_newest_first_pages_backwards_in_time(app, client, staff):
    references = bulk(app, 27)
    sign_in(client, "clerk")
    _, html = get(client, urutan="terbaru")
    assert listed(html) == list(reversed(references))[:25]
    next_url = re.search(r'<a href="([^"]+)" [^>]*rel="next"', html).group(1).replace("&amp;", "&")
    assert listed(client.get(next_url).get_data(as_text=True)) == list(reversed(references))[25:]


def test_a_key_edited_by_hand_gives_the_first_page(app, client, staff):
    references = bulk(app, 3)
    sign_in(client, "clerk")
    for key in ("rusak", "20261399T990000000000.1", "2026"):
        response, html = get(client, setelah=key)
        assert response.status_code == 200 and listed(html) == references


# ---------------------------------------------------------------------------------------------------------
# htmx: the results block alone, and the URL


def test_htmx_gets_only_the_results_block(app, client, staff):
    references = bulk(app, 2, service_code="KTP_BARU")
    sign_in(client, "clerk")
    response = client.get("/petugas?layanan=KTP_BARU", headers={"HX-Request": "true", "HX-Target": "results"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html and "<form class=\"inbox" not in html
    assert listed(html) == references
    assert "HX-Target" in response.headers["Vary"]


def test_htmx_with_a_bad_filter_swaps_the_whole_inbox_so_the_message_sits_by_the_field(app, client, staff):
    sign_in(client, "clerk")
    response = client.get("/petugas?cari=123", headers={"HX-Request": "true", "HX-Target": "results"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#inbox"
    assert html.lstrip().startswith('<div id="inbox"') and 'id="cari-error"' in html


def test_the_filter_form_works_without_javascript_and_pushes_the_url_with_htmx(app, client, staff):
    sign_in(client, "clerk")
    _, html = get(client)
    form = re.search(r'<form class="inbox-filters"[^>]*>', html).group(0)
    assert 'method="get"' in form and 'action="/petugas"' in form
    assert 'data-hx-target="#results"' in form and 'data-hx-push-url="true"' in form


# ---------------------------------------------------------------------------------------------------------
# Take and release


def _review_or_inbox(app, reference: str) -> str:
    with app.test_request_context():
        from flask import url_for

        if "staff.review_page" in app.view_functions:
            return url_for("staff.review_page", reference=reference)
        return url_for("staff.home")


def test_take_opens_the_review_and_a_second_clerk_is_refused(app, client, staff):
    reference, _pin = make_application(app)
    sign_in(client, "clerk")
    response = client.post(f"/petugas/{reference}/ambil", data={"csrf_token": csrf(client, "/petugas")})
    assert response.status_code == 303
    assert response.headers["Location"] == _review_or_inbox(app, reference)
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.reference == reference))
        assert application.state == "in_review" and application.assignee.username == "clerk"

    other = app.test_client()
    sign_in(other, "clerk2")
    response = other.post(f"/petugas/{reference.lower()}/ambil?layanan=KK_BARU",
                          data={"csrf_token": csrf(other, "/petugas")})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Sudah diambil oleh Petugas Satu." in html
    assert 'role="alert"' in html and 'value="KK_BARU" selected' in html  # the inbox as it was filtered
    with app.app_context():
        assert db.session.scalar(select(Application.assigned_to).where(Application.reference == reference)) \
            == user_id(app, "clerk")


def test_take_twice_by_the_same_clerk_is_harmless(app, client, staff):
    reference, _pin = make_application(app)
    sign_in(client, "clerk")
    token = csrf(client, "/petugas")
    assert client.post(f"/petugas/{reference}/ambil", data={"csrf_token": token}).status_code == 303
    assert client.post(f"/petugas/{reference}/ambil", data={"csrf_token": token}).status_code == 303


def test_taking_an_application_that_is_not_waiting_is_refused(app, client, staff):
    reference, _pin = make_application(app, state="approved")
    sign_in(client, "clerk2")
    response = client.post(f"/petugas/{reference}/ambil", data={"csrf_token": csrf(client, "/petugas")})
    assert response.status_code == 409
    assert "tidak lagi menunggu diperiksa (disetujui)" in response.get_data(as_text=True)


def test_supervisor_releases_anothers_review_back_to_the_queue(app, client, staff):
    reference, _pin = make_application(app, state="in_review")  # taken by "clerk"
    sign_in(client, "kabid")
    _, html = get(client, status="in_review")
    assert f'/petugas/{reference}/lepas?status=in_review' in html
    response = client.post(f"/petugas/{reference}/lepas?status=in_review",
                           data={"csrf_token": csrf(client, "/petugas")})
    assert response.status_code == 303
    assert response.headers["Location"] == "/petugas?status=in_review"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{reference} dilepas dari Petugas Satu dan kembali ke antrean." in page
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.reference == reference))
        assert application.state == "submitted" and application.assigned_to is None


def test_a_clerk_cannot_release_anothers_review(app, client, staff):
    reference, _pin = make_application(app, state="in_review")  # taken by "clerk"
    sign_in(client, "clerk2")
    _, html = get(client, status="in_review")
    assert f"/petugas/{reference}/lepas" not in html  # no button for it
    response = client.post(f"/petugas/{reference}/lepas", data={"csrf_token": csrf(client, "/petugas")})
    assert response.status_code == 409
    assert "Hanya petugas yang memeriksanya atau kepala bidang" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Application.state).where(Application.reference == reference)) == "in_review"


def test_a_clerk_may_release_their_own_review(app, client, staff):
    reference, _pin = make_application(app, state="in_review")
    sign_in(client, "clerk")
    response = client.post(f"/petugas/{reference}/lepas", data={"csrf_token": csrf(client, "/petugas")})
    assert response.status_code == 303
    assert f"{reference} kembali ke antrean." in client.get("/petugas").get_data(as_text=True)


def test_releasing_what_is_not_in_review_is_refused(app, client, staff):
    reference = bulk(app)[0]
    sign_in(client, "kabid")
    response = client.post(f"/petugas/{reference}/lepas", data={"csrf_token": csrf(client, "/petugas")})
    assert response.status_code == 409
    assert f"{reference} tidak sedang diperiksa, jadi tidak ada yang dilepas." in response.get_data(as_text=True)


@pytest.mark.parametrize("action", ["ambil", "lepas"])
def test_posts_need_the_csrf_token(app, client, staff, action):
    reference = bulk(app)[0]
    sign_in(client, "kabid")
    assert client.post(f"/petugas/{reference}/{action}").status_code == 400
    assert client.post(f"/petugas/{reference}/{action}", data={"csrf_token": "forged"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Application.state).where(Application.reference == reference)) == "submitted"


@pytest.mark.parametrize("action", ["ambil", "lepas"])
def test_unknown_references_and_drafts_are_not_found(app, client, staff, action):
    draft = bulk(app, state="draft", submitted_at=None)[0]
    sign_in(client, "kabid")
    token = csrf(client, "/petugas")
    assert client.post(f"/petugas/RBG-0000-0000/{action}", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/petugas/bukan-nomor/{action}", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/petugas/{draft}/{action}", data={"csrf_token": token}).status_code == 404


def test_times_are_shown_in_wib(app, client, staff):
    bulk(app, start=wib(2026, 12, 2, 23, 45).astimezone(timezone.utc))
    sign_in(client, "clerk")
    _, html = get(client)
    assert "2 Des 2026" in html and "23.45 WIB" in html


# ---------------------------------------------------------------------------------------------------------
# Village batches


def batch(app, number: str = "KOL-7K3M-Q9PX", state: str = "submitted", desa: str = SUMBER_DESA) -> int:
    """Insert a village batch of `desa`; return its id."""
    from portal.models import Batch

    with app.app_context():
        row = Batch(number=number, verification_token=new_reference("V"), region_code=desa, state=state,
                    created_by_name="Operator Ronggo Mulyo", created_at=NOW - timedelta(days=3),
                    submitted_at=NOW - timedelta(days=2) if state == "submitted" else None)
        db.session.add(row)
        db.session.commit()
        return row.id


def test_batch_filter_lists_the_batchs_applications_in_every_state(app, client, staff):
    batch_id = batch(app)
    other_id = batch(app, "KOL-AAAA-BBBB")
    inside = bulk(app, 2, channel="village", batch_id=batch_id)
    inside += bulk(app, state="in_review", assigned_to=user_id(app, "clerk2"), channel="village", batch_id=batch_id)
    elsewhere = bulk(app, channel="village", batch_id=other_id) + bulk(app)
    sign_in(client, "clerk")
    for typed in ("KOL-7K3M-Q9PX", "kol7k3mq9px", " KOL-7K3M-Q9PX "):
        response, html = get(client, berkas=typed)
        assert response.status_code == 200
        assert sorted(listed(html)) == sorted(inside), typed
        assert "Berkas kolektif KOL-7K3M-Q9PX" in html
        assert 'Menunggu diperiksa <span class="inbox-count">2</span>' in html
        assert 'Sedang diperiksa <span class="inbox-count">1</span>' in html
    _, html = get(client, berkas="KOL-7K3M-Q9PX", status="in_review")
    assert listed(html) == inside[2:]
    assert not set(elsewhere) & set(listed(get(client, berkas="KOL-7K3M-Q9PX")[1]))


def test_village_rows_show_their_batch_number_linking_to_the_filter(app, client, staff):
    batch_id = batch(app)
    village = bulk(app, channel="village", batch_id=batch_id)[0]
    resident = bulk(app)[0]
    sign_in(client, "clerk")
    _, html = get(client)
    assert sorted(listed(html)) == sorted([village, resident])
    row = html.split(village, 1)[1].split("</td>", 1)[0]
    assert '<a class="small inbox-batch" href="/petugas?berkas=KOL-7K3M-Q9PX"' in row
    assert html.count("inbox-batch") == 1  # the resident's row has none
    assert '<option value="KOL-7K3M-Q9PX" label="Desa Ronggo Mulyo, ' in html  # offered in the filter's list


def test_an_open_batch_is_not_the_offices_to_filter(app, client, staff):
    batch(app, state="open")
    sign_in(client, "clerk")
    response, html = get(client, berkas="KOL-7K3M-Q9PX")
    assert response.status_code == 422 and 'id="berkas-error"' in html
    assert 'value="KOL-7K3M-Q9PX" label' not in html


def test_review_page_names_the_batch_and_desa(app, client, staff):
    from portal.models import Application

    batch_id = batch(app)
    reference = make_application(app, filed_by="op.sumber")[0]
    with app.app_context():
        db.session.scalars(select(Application).where(Application.reference == reference)).one().batch_id = batch_id
        db.session.commit()
    sign_in(client, "clerk")
    html = client.get(f"/petugas/{reference}").get_data(as_text=True)
    assert 'Berkas kolektif <a class="nowrap" href="/petugas?berkas=KOL-7K3M-Q9PX">KOL-7K3M-Q9PX</a>' in html
    assert "dari Desa Ronggo Mulyo" in html


# ---------------------------------------------------------------------------------------------------------
# Valid HTML


def test_inbox_pages_are_valid_html(app, client, staff, tmp_path):
    clerk = user_id(app, "clerk")
    bulk(app, 30)
    bulk(app, 2, state="in_review", assigned_to=clerk)
    bulk(app, state="in_review", assigned_to=user_id(app, "clerk2"))
    sign_in(client, "kabid")
    taken = bulk(app, state="in_review", assigned_to=clerk)[0]
    bulk(app, 2, channel="village", batch_id=batch(app))
    pages = {
        "batch": client.get("/petugas?berkas=KOL-7K3M-Q9PX"),
        "queue": client.get("/petugas"),
        "all": client.get("/petugas?status=semua&layanan=KK_BARU&wilayah=33.17.01&urutan=terbaru"),
        "errors": client.get("/petugas?cari=12&dari=kemarin&sampai=2026-12-01"),
        "refusal": client.post(f"/petugas/{taken}/ambil", data={"csrf_token": csrf(client, "/petugas")}),
        "fragment": client.get("/petugas", headers={"HX-Request": "true", "HX-Target": "results"}),
    }
    assert [response.status_code for response in pages.values()] == [200, 200, 200, 422, 409, 200]
    fragment = pages["fragment"].get_data(as_text=True)  # a fragment is checked inside a minimal document
    pages["fragment"] = f'<!doctype html><html lang="id"><head><title>x</title></head><body>{fragment}</body></html>'
    nu_validate(tmp_path, pages)
