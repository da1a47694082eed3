"""Booking a queue ticket online at `/antrean`: the steps, the rules, viewing, cancelling, verification."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from sqlalchemy import select

from portal.extensions import db
from portal.models import QueueTicket
from portal.services import queue, quotas
from tests.conftest import wib
from tests.web.apply_helpers import GOOD_NIK, csrf
from tests.web.storage_helpers import stored_names

FRIDAY = date(2026, 12, 4)
DETAILS = "/antrean/ambil?keperluan=KTP&hari=2026-12-04&jam=08:00"


def book(client, nik=GOOD_NIK, phone="0812 3456 7890", purpose="KTP", day="2026-12-04", start="08:00"):
    """Post the last booking step with a fresh CSRF token; return the response."""
    return client.post("/antrean/ambil", data={"csrf_token": csrf(client, "/lacak"), "keperluan": purpose,
                                               "hari": day, "jam": start, "nik": nik, "hp": phone})


def ticket_code(response) -> str:
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_the_steps_ask_purpose_then_day_then_window_then_details(client, catalogue):
    purpose = client.get("/antrean/ambil").get_data(as_text=True)
    assert "Apa keperluan Anda?" in purpose and "Pengambilan dokumen" in purpose
    empty = client.get("/antrean/ambil?langkah=keperluan")
    assert empty.status_code == 422 and "Pilih keperluan Anda." in empty.get_data(as_text=True)

    days = client.get("/antrean/ambil?keperluan=KTP").get_data(as_text=True)
    # Thursday 3 December at 09:00: today still has windows; Saturday and Sunday are not offered.
    assert "Kamis, 3 Desember 2026 (hari ini)" in days and "Jumat, 4 Desember 2026" in days
    assert "Sabtu" not in days and "sisa 24 tempat" in days  # Friday: 2 windows × 12

    windows = client.get("/antrean/ambil?keperluan=KTP&hari=2026-12-03").get_data(as_text=True)
    assert "08.00–09.00" in windows and "Sudah lewat" in windows
    assert re.search(r'value="08:00" disabled', windows) and not re.search(r'value="09:00" disabled', windows)

    details = client.get(DETAILS).get_data(as_text=True)
    assert "Untuk siapa tiket ini?" in details and "Jumat, 4 Desember 2026" in details
    assert "08.00–09.00 WIB" in details and 'name="nik"' in details


def test_booking_issues_a_ticket_and_shows_it(client, catalogue):
    response = book(client)
    assert response.status_code == 303
    code = ticket_code(response)
    assert re.fullmatch(r"ANT-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    page = client.get(f"/antrean/{code}")
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "A-001" in html and "Pengajuan KTP-el" in html and "Jumat, 4 Desember 2026" in html
    assert "08.00–09.00" in html and "Menunggu dipanggil" in html
    assert "331701******0001" in html and GOOD_NIK not in html
    assert 'src="data:image/svg+xml' in html
    second = book(client, nik="3317010101900002")
    assert client.get(second.headers["Location"]).get_data(as_text=True).count("A-002") >= 1


def test_a_typed_code_opens_the_ticket_and_an_unknown_one_is_refused(client, catalogue):
    code = ticket_code(book(client))
    typed = code.lower().replace("-", " ")
    response = client.get("/antrean/cari", query_string={"kode": typed})
    assert response.status_code == 303 and response.headers["Location"] == f"/antrean/{code}"
    unknown = client.get("/antrean/cari?kode=ANT-0000-0000")
    assert unknown.status_code == 422 and "Kode tiket tidak ditemukan" in unknown.get_data(as_text=True)
    assert 'value="ANT-0000-0000"' in unknown.get_data(as_text=True)  # what was typed is kept
    assert "Isi kode tiket." in client.get("/antrean/cari?kode=").get_data(as_text=True)
    assert client.get("/antrean/ANT-0000-0000").status_code == 404
    assert client.get(f"/antrean/{code.lower()}").status_code == 301


def refused(response, reason: str):
    """Return the page a refused booking redirects to (303 back to the form, never answered in place)."""
    assert response.status_code == 303, response.status_code
    location = response.headers["Location"]
    assert location.startswith("/antrean/ambil?") and f"ditolak={reason}" in location, location
    return location


def test_one_active_ticket_per_nik_day_and_purpose(client, catalogue):
    assert book(client).status_code == 303
    again = client.get(refused(book(client, start="09:00"), "duplicate"))
    html = again.get_data(as_text=True)
    assert again.status_code == 409 and "NIK ini sudah punya tiket" in html
    assert 'value="3317014101900001"' in html and 'value="0812 3456 7890"' in html  # what was typed is kept
    assert book(client, purpose="PICKUP").status_code == 303  # another purpose
    assert book(client, day="2026-12-07").status_code == 303  # another day


def test_a_full_window_and_a_full_day(client, app, catalogue):
    with app.test_request_context():
        quotas.set_quota(FRIDAY, "KTP", window_start="08:00", quota=1)
    assert book(client).status_code == 303
    full = client.get(refused(book(client, nik="3317010101900002"), "full"))
    assert full.status_code == 422 and "Jam ini sudah penuh. Pilih jam atau hari lain." in full.get_data(as_text=True)
    windows = client.get("/antrean/ambil?keperluan=KTP&hari=2026-12-04").get_data(as_text=True)
    assert re.search(r'value="08:00" disabled', windows) and "Penuh" in windows
    with app.test_request_context():
        quotas.set_quota(FRIDAY, "KTP", quota=0)  # the whole day: no window left
    days = client.get("/antrean/ambil?keperluan=KTP").get_data(as_text=True)
    assert re.search(r'value="2026-12-04" disabled', days)
    chosen = client.get("/antrean/ambil?keperluan=KTP&hari=2026-12-04")
    assert chosen.status_code == 422 and "Hari itu sudah penuh" in chosen.get_data(as_text=True)


def test_a_day_without_counters_is_not_served_rather_than_full(client, app, catalogue):
    with app.test_request_context():
        quotas.set_quota(date(2026, 12, 7), "KTP", counters=0)  # Monday: nobody at the KTP-el counters
    days = client.get("/antrean/ambil?keperluan=KTP").get_data(as_text=True)
    assert re.search(r'value="2026-12-07" disabled', days)
    monday = days[days.index('value="2026-12-07"'):][:600]
    assert "Tidak dilayani" in monday and "Penuh" not in monday
    chosen = client.get("/antrean/ambil?keperluan=KTP&hari=2026-12-07")
    assert chosen.status_code == 422
    assert "Hari itu tidak ada loket untuk keperluan ini" in chosen.get_data(as_text=True)


def test_closed_days_are_not_offered_and_cannot_be_forced(client, app, catalogue):
    christmas = client.get("/antrean/ambil?keperluan=KTP&hari=2026-12-25")
    assert christmas.status_code == 422 and "Hari itu tidak bisa dipilih" in christmas.get_data(as_text=True)
    forced = book(client, day="2026-12-25")
    assert forced.status_code == 303 and "/antrean/ambil" in forced.headers["Location"]
    sunday = book(client, day="2026-12-06")
    assert sunday.status_code == 303 and "/antrean/ambil" in sunday.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(QueueTicket.id)) is None


def test_a_window_that_has_passed_is_refused(client, catalogue):
    past = client.get(refused(book(client, day="2026-12-03", start="08:00"), "past"))
    assert past.status_code == 422 and "Jam ini sudah lewat" in past.get_data(as_text=True)


def test_bad_nik_and_phone_get_messages_and_keep_the_answers(client, catalogue):
    response = book(client, nik="12345", phone="021 555")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "NIK harus 16 angka." in html and 'value="12345"' in html
    assert "Nomor HP" in html and 'value="021 555"' in html
    empty = book(client, nik="", phone="")
    assert "Isi NIK." in empty.get_data(as_text=True) and "Isi nomor HP." in empty.get_data(as_text=True)


def test_cancel_frees_the_place_and_the_ticket_stays_visible(client, app, catalogue):
    with app.test_request_context():
        quotas.set_quota(FRIDAY, "KTP", window_start="08:00", quota=1)
    code = ticket_code(book(client))
    confirm = client.get(f"/antrean/{code}/batal").get_data(as_text=True)
    assert "Batalkan tiket A-001?" in confirm
    done = client.post(f"/antrean/{code}/batal", data={"csrf_token": csrf(client, f"/antrean/{code}/batal")})
    assert done.status_code == 303
    page = client.get(f"/antrean/{code}").get_data(as_text=True)
    assert "Dibatalkan" in page and "Batalkan tiket ini" not in page
    assert client.get(f"/antrean/{code}/batal").status_code == 409
    again = book(client)  # the same NIK may book again, and the freed place is there
    assert again.status_code == 303
    assert "A-002" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_called_ticket_cannot_be_cancelled(client, app, clock, catalogue):
    code = ticket_code(book(client, day="2026-12-03", start="10:00"))
    clock.now = wib(2026, 12, 3, 10, 5)
    with app.test_request_context():
        assert queue.call_next(1, ["KTP"], clock.now, None).code == code
    assert client.get(f"/antrean/{code}/batal").status_code == 409
    assert "Loket 1" in client.get(f"/antrean/{code}").get_data(as_text=True)


def test_verification_of_a_ticket_shows_no_personal_data(client, app, catalogue):
    code = ticket_code(book(client))
    with app.app_context():
        token = db.session.scalar(select(QueueTicket.verification_token).where(QueueTicket.code == code))
    html = client.get(f"/verifikasi/{token}").get_data(as_text=True)
    assert "Asli: tiket antrean ini" in html and "A-001" in html and "Jumat, 4 Desember 2026" in html
    assert GOOD_NIK not in html and "331701" not in html and "0812" not in html and code not in html


def test_booking_is_rate_limited_per_client(app, client, catalogue):
    app.config["QUEUE_LIMIT"] = "2 per hour"
    assert book(client).status_code == 303
    assert book(client, nik="3317010101900002").status_code == 303
    limited = book(client, nik="3317010101900003")
    assert limited.status_code == 429 and "Coba lagi dalam" in limited.get_data(as_text=True)
    assert "Retry-After" in limited.headers


def test_every_look_at_a_ticket_by_its_code_spends_one_lookup_budget(app, client, catalogue):
    """Its cancel page and its PDF used to have no limit at all, so codes could be tried there freely."""
    code = ticket_code(book(client))
    app.config["QUEUE_LOOKUP_LIMIT"] = "5 per minute;50 per hour"
    stranger = app.test_client()
    paths = [f"/antrean/cari?kode={code}", f"/antrean/{code}", f"/antrean/{code}/batal", f"/antrean/{code}/tiket.pdf",
             "/antrean/ZZZZZZ/batal"]
    assert [stranger.get(path).status_code for path in paths] == [303, 200, 200, 200, 404]
    for path in (f"/antrean/{code}/tiket.pdf", f"/antrean/{code}/batal", f"/antrean/{code}", "/antrean/cari?kode=X"):
        limited = stranger.get(path)
        assert limited.status_code == 429 and "Coba lagi dalam" in limited.get_data(as_text=True), path
        assert 0 < int(limited.headers["Retry-After"]) <= 61, path  # the minute's limit is the spent one
    owner = client.get(f"/antrean/{code}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert owner.status_code == 200  # the budget is the client's (its address), not the ticket's


def test_the_start_page_and_english(client, catalogue):
    start = client.get("/antrean")
    html = start.get_data(as_text=True)
    assert "Ambil nomor antrean" in html and 'action="/antrean/cari"' in html
    # Opening a ticket by its code is a lookup: a GET form, no token, so the page hands out no session.
    assert 'method="get" action="/antrean/cari"' in html and "csrf_token" not in html
    assert "Set-Cookie" not in start.headers
    client.set_cookie("bahasa", "en")
    english = client.get("/antrean/ambil?keperluan=KTP").get_data(as_text=True)
    assert "Friday, 4 December 2026" in english


def test_quota_commands(runner, app, catalogue):
    shown = runner.invoke(args=["quota", "show", "2026-12-04"])
    assert "A  KTP      08:00-09:00  quota  12  taken   0" in shown.output
    assert "P  PICKUP   09:00-10:00  quota  20  taken   0" in shown.output
    assert runner.invoke(args=["quota", "set", "2026-12-04", "ktp", "--counters", "1"]).exit_code == 0
    assert runner.invoke(args=["quota", "set", "2026-12-04", "KTP", "--window", "09:00", "--quota", "3"]).exit_code == 0
    shown = runner.invoke(args=["quota", "show", "2026-12-04"]).output
    assert "KTP      08:00-09:00  quota   6" in shown and "KTP      09:00-10:00  quota   3" in shown
    for bad in (["2026-12-04", "KTP"], ["2026-12-04", "XX", "--quota", "1"],
                ["2026-12-04", "KTP", "--quota", "1", "--counters", "1"],
                ["2026-12-04", "KTP", "--window", "13:00", "--quota", "1"], ["2026-13-01", "KTP", "--quota", "1"]):
        result = runner.invoke(args=["quota", "set", *bad])
        assert result.exit_code != 0, bad
    assert "Removed 2 quota rules" in runner.invoke(args=["quota", "clear", "2026-12-04"]).output
    assert "No queue windows on 2026-12-25" in runner.invoke(args=["quota", "show", "2026-12-25"]).output


def test_ticket_pdfs_for_each_size_are_rendered_once(client, app, catalogue):
    code = ticket_code(book(client))
    for size in ("58", "80", "a6"):
        response = client.get(f"/antrean/{code}/tiket.pdf?ukuran={size}")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
        assert "A-001" in text and code in text and GOOD_NIK not in text
    receipts = [name for name in stored_names(app, "receipts/") if name.startswith("ticket-")]
    assert len(receipts) == 3
    assert client.get(f"/antrean/{code}/tiket.pdf?ukuran=a4").status_code == 404


def test_a_ticket_page_comes_from_the_cache_until_the_ticket_or_the_line_ahead_moves(client, app, clock, catalogue):
    first = ticket_code(book(client, day="2026-12-03", start="10:00"))
    mine = ticket_code(book(client, nik="3317010101900002", day="2026-12-03", start="10:00"))
    clock.now = wib(2026, 12, 3, 10, 5)  # the same minute from here on: only the ticket's moves change the page
    page = client.get(f"/antrean/{mine}")
    assert page.headers["Cache-Control"] == "no-store" and page.headers["X-Robots-Tag"] == "noindex"
    assert re.search(r"Menunggu di depan Anda sekarang</dt><dd>1<", page.get_data(as_text=True))
    assert "Set-Cookie" not in client.get(f"/antrean/{mine}").headers  # nothing written for a look
    cached = client.get(f"/antrean/{mine}")
    assert cached.headers["X-Robots-Tag"] == "noindex" and cached.get_data() == page.get_data()
    with app.test_request_context():
        assert queue.call_next(1, ["KTP"], clock.now, None).code == first
    after_first = client.get(f"/antrean/{mine}").get_data(as_text=True)
    assert re.search(r"Menunggu di depan Anda sekarang</dt><dd>0<", after_first)
    with app.test_request_context():
        assert queue.call_next(1, ["KTP"], clock.now, None).code == mine
    assert "Loket 1" in client.get(f"/antrean/{mine}").get_data(as_text=True)
