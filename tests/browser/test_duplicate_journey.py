"""Duplicate applications per NIK and service (issue 19) in Chromium at 360×640, with JavaScript on and off:
the resident is warned on the check page and sends only with a reason, the clerk sees the flag in the inbox and
the links on the review page, and the supervisor the count in the reports. Every page passes axe-core, fits
the phone's width and logs no console error; screenshots go to /tmp/duplicate-shots/ for a human look.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_console_errors, sign_in
from tests.web.staff_helpers import create_staff, make_application

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/duplicate-shots")
REASON = "KTP-el saya hilang lagi setelah permohonan pertama dikirim"
FLAG = "NIK ini punya 2 permohonan terbuka untuk layanan ini"


def looked_at(page, javascript: bool, check_axe, name: str) -> None:
    """Check the page: axe-clean, no sideways scrolling at 360 px; save a full-page screenshot."""
    page.wait_for_load_state("load")
    check_axe(page)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"], page.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{'js' if javascript else 'nojs'}-{name}.png"), full_page=True,
                    caret="initial")


def test_a_resident_is_warned_on_the_check_page_and_sends_with_a_reason(page, javascript, check_axe, regions):
    create_staff(regions)
    other, _pin = make_application(regions, "KTP_HILANG")
    draft, pin = make_application(regions, "KTP_HILANG", state="draft")
    page.goto("/lacak")  # the saved draft, resumed with its reference and PIN
    page.get_by_label("Nomor permohonan").fill(draft)
    page.get_by_label("PIN", exact=True).fill(pin)
    page.get_by_role("button", name=re.compile("^Lacak")).click()
    expect(page).to_have_url(re.compile(rf"/lacak/{draft}$"))
    page.goto("/ajukan/ktp_hilang/periksa")
    warning = page.locator("#duplicate-warning")
    expect(warning).to_contain_text("NIK ini sudah punya permohonan KTP-el Hilang yang masih diproses")
    expect(warning.get_by_role("link", name="Lacak atau lanjutkan permohonan itu")).to_have_attribute("href", "/lacak")
    assert other not in page.content()
    looked_at(page, javascript, check_axe, "resident-check")

    page.get_by_label(re.compile(r"^Saya menyatakan data dan dokumen")).check()
    page.get_by_role("button", name="Kirim permohonan").click()
    expect(page.locator(".error-summary")).to_contain_text("Tulis alasan mengapa permohonan ini tetap perlu dikirim")
    expect(page.get_by_label(re.compile(r"^Saya menyatakan data dan dokumen"))).to_be_checked()
    looked_at(page, javascript, check_axe, "resident-check-refused")

    page.get_by_label("Alasan permohonan ini tetap dikirim").fill(REASON)
    page.get_by_role("button", name="Kirim permohonan").click()
    expect(page).to_have_url(re.compile(r"/ajukan/ktp_hilang/selesai$"))
    expect(page.locator("main")).to_contain_text(draft)
    assert_no_console_errors(page, allowed=((422, "/ajukan/ktp_hilang/periksa"),))


def test_the_clerk_sees_the_flag_and_the_links_and_the_supervisor_the_count(page, javascript, check_axe, regions):
    create_staff(regions)
    first, _pin = make_application(regions, "KTP_HILANG")
    second, _pin = make_application(regions, "KTP_HILANG", duplicate_reason=REASON)
    sign_in(page, "clerk")
    page.goto("/petugas")
    flag = page.get_by_role("link", name=FLAG).first
    expect(flag).to_be_visible()
    looked_at(page, javascript, check_axe, "clerk-inbox")
    flag.click()
    expect(page.locator("main")).to_contain_text(first)
    expect(page.locator("main")).to_contain_text(second)

    page.goto(f"/petugas/{second}")
    box = page.locator("#duplikat")
    expect(box).to_contain_text(FLAG)
    expect(box).to_contain_text(REASON)
    looked_at(page, javascript, check_axe, "clerk-review")
    box.get_by_role("link", name=first).click()
    expect(page).to_have_url(re.compile(rf"/petugas/{first}$"))
    expect(page.locator("#duplikat").get_by_role("link", name=second)).to_be_visible()
    assert_no_console_errors(page)

    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("button", name="Keluar")).to_have_count(0)  # signed out before signing in again
    sign_in(page, "kabid")
    page.goto("/admin/laporan")
    expect(page.locator("main")).to_contain_text("untuk layanan yang sama, dengan alasan): 1.")
    expect(page.get_by_role("heading", name="Permohonan ganda per layanan")).to_be_visible()
    looked_at(page, javascript, check_axe, "supervisor-reports")
    assert_no_console_errors(page)


def test_a_village_operator_is_warned_with_the_desas_own_application_linked(page, javascript, check_axe, regions):
    create_staff(regions)
    filed, _pin = make_application(regions, "KTP_HILANG", filed_by="op.sumber")
    draft, _pin = make_application(regions, "KTP_HILANG", state="draft", filed_by="op.sumber")
    sign_in(page, "op.sumber")
    page.goto(f"/desa/permohonan/{draft}")
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page).to_have_url(re.compile(r"/ajukan/ktp_hilang/periksa$"))
    warning = page.locator("#duplicate-warning")
    expect(warning.get_by_role("link", name=filed)).to_have_attribute("href", f"/desa/permohonan/{filed}")
    page.get_by_label("Alasan permohonan ini tetap dikirim").fill(REASON)
    looked_at(page, javascript, check_axe, "operator-check")
    page.get_by_label(re.compile(r"^Saya, operator desa")).check()
    page.get_by_role("button", name="Simpan ke berkas kolektif").click()
    expect(page).to_have_url(re.compile(rf"/desa/permohonan/{draft}/disimpan$"))
    assert_no_console_errors(page)
