"""Journey 5 in Chromium, with JavaScript on and off: a resident books a ticket on a phone, a walk-in visitor
takes one at the kiosk, the clerk calls them at the counter and the lobby board shows who is being served.

The test clock stands at Thursday 3 December 2026 09:00 WIB, so submissions are open and the 09.00–10.00
window is the current one: the booked ticket is called before the walk-in. Every page passes axe-core; the
kiosk's and the board's timed refresh (their idle reset and their update without JavaScript) is deliberate,
so axe's `meta-refresh` rule is off for those two only.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in, typed_and_refused
from tests.web.staff_helpers import PASSWORD

pytestmark = pytest.mark.browser

GOOD_NIK = "3317014101900001"
TIMED_REFRESH = ("meta-refresh",)


@pytest.fixture
def clerk(app):
    from portal.services import accounts

    with app.app_context():
        accounts.create_user("clerk", "Petugas Satu", "clerk", PASSWORD)
    return "clerk"


def test_book_take_call_and_see_it_on_the_board(browser, page, live_server, javascript, check_axe, clerk):
    # A resident books the 09.00–10.00 window for today on a phone.
    page.goto("/")
    page.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nomor antrean")
    check_axe(page)
    page.get_by_role("link", name="Ambil nomor antrean").click()
    page.get_by_label(re.compile("Pengajuan KTP-el")).check()
    check_axe(page)
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_label(re.compile(r"Kamis, 3 Desember 2026 \(hari ini\)")).check()
    check_axe(page)
    page.get_by_role("button", name="Lanjut").click()
    expect(page.get_by_label(re.compile("08.00–09.00"))).to_be_disabled()  # already over
    page.get_by_label(re.compile("09.00–10.00")).check()
    check_axe(page)
    page.get_by_role("button", name="Lanjut").click()
    typed_and_refused(page, {"NIK": "12345", "Nomor HP": "0812 3456 7890"}, "Ambil tiket", "NIK harus 16 angka.",
                      check_axe)
    page.get_by_label("NIK").fill(GOOD_NIK)
    page.get_by_role("button", name="Ambil tiket").click()
    expect(page.locator(".ticket-number")).to_have_text("A-001")
    expect(page.locator(".ticket")).to_contain_text("09.00–10.00")
    check_axe(page)
    code = page.locator(".facts .reference").inner_text()
    assert re.fullmatch(r"ANT-[0-9A-Z]{4}-[0-9A-Z]{4}", code)

    # Booking a second ticket with the same NIK is refused. The refusal is a page of its own (the address is
    # no longer the form's post), with the reason and the NIK and phone still filled in; reloading it sends
    # nothing again.
    page.goto("/antrean/ambil?keperluan=KTP&hari=2026-12-03&jam=10:00")
    page.get_by_label("NIK").fill(GOOD_NIK)
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_role("button", name="Ambil tiket").click()
    expect(page.get_by_role("alert")).to_contain_text("NIK ini sudah punya tiket")
    assert "ditolak=duplicate" in page.url
    expect(page.get_by_label("NIK")).to_have_value(GOOD_NIK)
    expect(page.get_by_label("Nomor HP")).to_have_value("0812 3456 7890")
    check_axe(page)
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("NIK ini sudah punya tiket")

    # A walk-in visitor takes a ticket at the kiosk (a portrait touch screen).
    kiosk_context = browser.new_context(base_url=live_server, java_script_enabled=javascript,
                                        viewport={"width": 1080, "height": 1920}, locale="id-ID")
    kiosk = kiosk_context.new_page()
    kiosk.goto("/kios")
    check_axe(kiosk, TIMED_REFRESH)
    kiosk.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    expect(kiosk.get_by_role("button", name=re.compile("Pengajuan KTP-el"))).to_be_visible()
    check_axe(kiosk, TIMED_REFRESH)
    kiosk.get_by_role("button", name=re.compile("Pengajuan KTP-el")).click()
    expect(kiosk.locator("body")).to_contain_text("A-002")
    check_axe(kiosk, TIMED_REFRESH)
    kiosk_context.close()

    # The clerk opens counter 1 for KTP-el and calls: the booked ticket of this hour comes first.
    desk_context = browser.new_context(base_url=live_server, java_script_enabled=javascript,
                                       viewport={"width": 1280, "height": 800}, locale="id-ID")
    desk = desk_context.new_page()
    sign_in(desk, "clerk")
    desk.goto("/petugas/loket")
    desk.get_by_label("Nomor loket").select_option("1")
    desk.get_by_label(re.compile("Pengajuan KTP-el")).check()
    check_axe(desk)
    desk.get_by_role("button", name=re.compile("Simpan|Buka|Mulai")).click()
    expect(desk.locator("#call-next")).to_be_visible()
    check_axe(desk)
    desk.locator("#call-next").click()
    expect(desk.locator("#counter")).to_contain_text("A-001")
    check_axe(desk)

    # The lobby board (a TV) shows A-001 at counter 1 and one walk-in waiting.
    board_context = browser.new_context(base_url=live_server, java_script_enabled=javascript,
                                        viewport={"width": 1920, "height": 1080}, locale="id-ID")
    board = board_context.new_page()
    board.goto("/papan")
    expect(board.locator("body")).to_contain_text("A-001")
    expect(board.locator("body")).to_contain_text("Loket 1")
    check_axe(board, TIMED_REFRESH)

    # Next call: the walk-in; the board follows (by polling with JavaScript, by reloading without).
    desk.locator("#call-next").click()
    expect(desk.locator("#counter")).to_contain_text("A-002")
    if not javascript:
        board.reload()
    expect(board.locator("#board")).to_contain_text("A-002", timeout=15_000)

    # End of the shift: the clerk marks A-002 served and closes the counter, staying signed in.
    desk.locator("#served").click()
    expect(desk.locator("#counter")).to_contain_text("A-002 selesai dilayani.")
    desk.get_by_role("button", name="Tutup loket").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Pilih loket dan keperluan")
    expect(desk.get_by_role("status").filter(has_text="Loket 1 ditutup.")).to_be_visible()
    expect(desk.get_by_role("navigation", name="Menu petugas").get_by_role("button", name="Keluar")).to_be_visible()
    check_axe(desk)
    desk_context.close()
    board_context.close()

    # The resident's ticket now says it was served.
    page.goto(f"/antrean/{code}")
    expect(page.locator(".ticket")).to_contain_text("Sudah dilayani")
