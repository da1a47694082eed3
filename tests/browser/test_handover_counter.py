"""The handover at the counter in Chromium (issue 19), with JavaScript on and off, on a phone (360×640) and on
the office PC (1280×800): the USB scanner types the receipt's QR and Enter, the clerk types the last 4 digits
of the NIK and presses Enter — three actions, each landing the focus where the next one types, counted here.
A wrong NIK or a missing reason keeps what was typed and says why. Every page passes axe-core with a clean
console; screenshots go to $LOKET_SHOTS (when set) for a person to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_console_errors, sign_in, watch_console, wider_than_the_screen
from tests.conftest import wib
from tests.web.staff_helpers import create_staff, make_application

pytestmark = pytest.mark.browser

SIZES = {"phone": {"width": 360, "height": 640}, "desk": {"width": 1280, "height": 800}}


@pytest.fixture(params=list(SIZES))
def counter(request, browser, live_server, javascript):
    """Return a page of the given size (the clerk's screen), JavaScript on or off, its console watched."""
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript,
                                  viewport=SIZES[request.param], locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(10_000)
    page = watch_console(context.new_page())
    page.size_name = request.param
    yield page
    context.close()


def _shot(page, name: str, javascript: bool) -> None:
    """Save a full-page screenshot to $LOKET_SHOTS, named by page, size and JavaScript, when that is set."""
    folder = os.environ.get("LOKET_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        # caret="initial": hiding the caret leaves style="" on inputs, which htmx would copy while settling a swap
        # (blocked by the CSP, so logged as a console error that the page itself never causes)
        page.screenshot(path=f"{folder}/{name}-{page.size_name}-{'js' if javascript else 'nojs'}.png", full_page=True,
                        caret="initial")


class Actions:
    """The clerk's keyboard (the USB scanner is one) and mouse, counting every scan, typing, key and click."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def scan(self, content: str) -> None:
        """The scanner types `content` and Enter into the focused field: one action for the clerk."""
        self.page.keyboard.type(content + "\n")
        self.count += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += 1

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1


def _ready(app, clock, name="Siti Wulandari"):
    """Make a KTP-el ready (due Tuesday 8 December) and return (reference, the URL its receipt's QR holds)."""
    from portal.extensions import db
    from portal.models import Application

    reference = make_application(app, "KTP_BARU", state="ready", name=name)[0]
    with app.app_context():
        token = db.session.scalar(db.select(Application.verification_token).where(Application.reference == reference))
    return reference, f"http://localhost/verifikasi/{token}"


def test_the_usual_handover_is_three_actions(counter, live_server, javascript, check_axe, regions, clock):
    page = counter
    create_staff(regions)
    reference, scanned = _ready(regions, clock)
    clock.now = wib(2026, 12, 8, 9, 30)  # the pickup day, in pickup hours
    sign_in(page, "clerk")
    page.goto("/petugas/serah")
    expect(page.locator("#kode")).to_be_focused()
    check_axe(page)
    _shot(page, "serah-kosong", javascript)

    actions = Actions(page)
    actions.scan(scanned)
    expect(page.locator("main")).to_contain_text("Siti Wulandari")
    expect(page.locator("#nik_digits")).to_be_focused()
    expect(page.get_by_label("Alasan diserahkan di luar jadwal")).to_have_count(0)
    check_axe(page)
    _shot(page, "serah-ditemukan", javascript)
    actions.type("0001")
    actions.press("Enter")
    expect(page.get_by_role("heading", name="Dokumen sudah diserahkan")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Siti Wulandari (pemohon sendiri)")
    assert actions.count == 3, actions.count
    expect(page.get_by_role("link", name=re.compile("Cetak bukti \\(80 mm\\)"))).to_be_focused()  # Enter prints
    check_axe(page)
    _shot(page, "serah-selesai", javascript)
    assert wider_than_the_screen(page) == []
    assert_no_console_errors(page)


def test_a_wrong_nik_and_an_early_handover_say_why_and_keep_what_was_typed(counter, live_server, javascript,
                                                                          check_axe, regions, clock):
    page = counter
    create_staff(regions)
    reference, scanned = _ready(regions, clock)
    clock.now = wib(2026, 12, 7, 5, 21)  # Monday before the office opens, for a document due on Tuesday
    sign_in(page, "clerk")
    page.goto("/petugas/serah")
    expect(page.locator("#kode")).to_be_focused()  # the scanner types into the page once it is there
    actions = Actions(page)
    actions.scan(reference.lower())
    expect(page.locator(".warning-box")).to_contain_text("Jadwal pengambilannya Selasa, 8 Desember 2026")
    expect(page.locator(".warning-box")).to_contain_text("Sekarang di luar jam pengambilan.")
    expect(page.locator("#nik_digits")).to_be_focused()
    check_axe(page)
    _shot(page, "serah-di-luar-jadwal", javascript)
    actions.type("0002")
    page.keyboard.press("Tab")
    page.keyboard.type("Pemohon bidan jaga pagi")
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_contain_text("NIK ini tidak cocok dengan NIK pemohon")
    expect(page.locator("#nik_digits")).to_be_focused()
    expect(page.locator("#nik_digits")).to_have_value("")
    expect(page.get_by_label("Alasan diserahkan di luar jadwal")).to_have_value("Pemohon bidan jaga pagi")
    check_axe(page)
    _shot(page, "serah-nik-salah", javascript)
    page.keyboard.type("0001")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dokumen sudah diserahkan")).to_be_visible()
    assert_no_console_errors(page, allowed=((422, f"/petugas/serah/{reference}"),))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_representative_ticks_the_letter_on_a_phone(page, live_server, javascript, check_axe, regions, clock):
    create_staff(regions)
    reference, _scanned = _ready(regions, clock)
    clock.now = wib(2026, 12, 8, 9, 30)
    sign_in(page, "clerk")
    page.goto(f"/petugas/serah?kode={reference}")
    page.get_by_role("radio", name="Orang yang diberi kuasa").check()
    page.get_by_label("Nama orang yang diberi kuasa").fill("Budi Santoso")
    page.get_by_label("Hubungan dengan pemohon").fill("suami")
    page.get_by_label("NIK orang yang diberi kuasa").fill("3317010502850003")
    page.get_by_role("button", name="Serahkan dokumen").click()
    expect(page.locator(".error-summary")).to_contain_text("Layanan ini mewajibkan surat kuasa")
    expect(page.get_by_label("Nama orang yang diberi kuasa")).to_have_value("Budi Santoso")
    check_axe(page)
    page.size_name = "phone"
    _shot(page, "serah-surat-kuasa", javascript)
    page.get_by_label("Surat kuasa bertanda tangan pemohon sudah saya periksa").check()
    page.get_by_role("button", name="Serahkan dokumen").click()
    expect(page.locator("main")).to_contain_text("Budi Santoso (diberi kuasa, suami, NIK 331701******0003)")
    assert wider_than_the_screen(page) == []
    assert_no_console_errors(page, allowed=((422, f"/petugas/serah/{reference}"),))
