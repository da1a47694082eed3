"""Journeys 3 and 6 in Chromium, with JavaScript on and off: a clerk reviews an application and asks for a
fix, the resident replaces the document from a phone and sends it back, the clerk approves it and marks it
ready, the resident downloads the pickup receipt, and the clerk hands the document over by typing the code a
USB scanner would type. Every page passes axe-core, and neither browser logs a console error (a CSP violation,
a script error, a failed request) on any page, the upload of the replacement and the handover included.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.helpers import assert_no_console_errors, sign_in, watch_console
from tests.web.staff_helpers import create_staff, make_application

pytestmark = pytest.mark.browser

REASON = "Foto surat kehilangan buram. Foto ulang seluruh halaman di tempat terang."
NOTE = "Mohon kirim ulang foto surat kehilangan."


def test_review_correction_ready_and_handover(browser, page, live_server, javascript, check_axe, regions,
                                              photo_path):
    create_staff(regions)
    reference, pin = make_application(regions, "KTP_HILANG")
    desk_context = browser.new_context(base_url=live_server, java_script_enabled=javascript,
                                       viewport={"width": 1280, "height": 800}, locale="id-ID")
    desk = watch_console(desk_context.new_page())

    # The clerk finds it in the inbox, takes it and asks for a better photo of the police letter.
    sign_in(desk, "clerk")
    expect(desk.locator("main")).to_contain_text(reference)
    check_axe(desk)
    desk.goto(f"/petugas/{reference}")
    desk.get_by_role("button", name=re.compile("^Ambil")).click()
    expect(desk.locator("main")).to_contain_text("Anda memeriksa permohonan ini")
    check_axe(desk)
    letter = desk.locator(".review-document", has_text="Surat kehilangan dari Polisi")
    letter.get_by_label("Bila perlu diperbaiki: apa yang salah?").fill(REASON)
    letter.get_by_role("button", name=re.compile("^Minta perbaikan")).click()
    expect(desk.locator(".review-document", has_text="Surat kehilangan dari Polisi")).to_contain_text(REASON)
    desk.get_by_label("Catatan untuk pemohon (tidak wajib)").fill(NOTE)
    desk.get_by_role("button", name="Kembalikan ke pemohon").click()
    expect(desk.locator("main")).to_contain_text("Perlu perbaikan")
    check_axe(desk)

    # The resident opens the application on a phone, reads the reason and sends a new photo.
    page.goto("/lacak")
    page.get_by_label("Nomor permohonan").fill(reference)
    page.get_by_label("PIN").fill(pin)
    page.get_by_role("button", name="Lacak").click()
    asked = page.locator("#perbaikan")  # the clerk's note, then what was asked about each document
    expect(asked.locator("p", has_text="Pesan petugas:")).to_have_text(f"Pesan petugas: {NOTE}")
    expect(asked.get_by_role("listitem")).to_have_text([f"Surat kehilangan dari Polisi: {REASON}"])
    expect(page.locator(".timeline")).to_contain_text(f"Petugas meminta perbaikan: {NOTE} {REASON}")
    expect(page.locator("main")).not_to_contain_text("Surat persetujuan warga")  # the operator's letter: not here
    check_axe(page)
    page.get_by_role("link", name=re.compile("Ganti dokumen")).first.click()
    expect(page.locator("#document")).to_be_attached()  # the new page has loaded before axe reads it
    check_axe(page)
    page.set_input_files("#document", str(photo_path))
    page.get_by_role("button", name="Unggah pengganti").click()
    expect(page.get_by_role("button", name="Kirim perbaikan")).to_be_visible()
    check_axe(page)
    page.get_by_role("button", name="Kirim perbaikan").click()
    expect(page.locator("main")).to_contain_text("Terkirim, menunggu diperiksa")
    expect(page.locator("main")).to_contain_text("Perbaikan dikirim")

    # The clerk takes it again, approves it and marks it ready with the proposed pickup day.
    desk.goto(f"/petugas/{reference}")
    desk.get_by_role("button", name=re.compile("^Ambil")).click()
    desk.get_by_role("button", name="Setujui permohonan").click()
    expect(desk.get_by_role("button", name="Tandai siap diambil")).to_be_visible()
    check_axe(desk)
    desk.get_by_role("button", name="Tandai siap diambil").click()
    expect(desk.locator("main")).to_contain_text("Siap")

    # The resident sees where and when, and downloads the pickup receipt.
    page.goto(f"/lacak/{reference}")
    expect(page.locator("main")).to_contain_text("Selasa, 8 Desember 2026")
    check_axe(page)
    receipt = page.request.get(f"/lacak/{reference}/tanda-terima.pdf?ukuran=a6")
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(receipt.body())).pages[0].extract_text()
    assert reference in text and "331701******0001" in text

    # At the counter the scanner types the reference and Enter; the clerk checks her NIK, says why it is
    # handed over before its day, confirms and gets the slip.
    desk.goto("/petugas/serah")
    check_axe(desk)
    desk.get_by_label(re.compile("Pindai QR tanda terima")).fill(reference.lower())
    desk.get_by_label(re.compile("Pindai QR tanda terima")).press("Enter")
    expect(desk.locator("main")).to_contain_text("Siti Wulandari")
    expect(desk.locator("#nik_digits")).to_be_focused()  # the found document is settled (htmx swap or page)
    desk.wait_for_load_state()
    check_axe(desk)
    desk.get_by_label("4 angka terakhir NIK pemohon").fill("0001")  # from her KTP-el
    desk.get_by_label("Alasan diserahkan di luar jadwal").fill("Pemohon datang sebelum jadwal")  # due on Tuesday
    desk.get_by_role("button", name="Serahkan dokumen").click()
    expect(desk.get_by_role("link", name=re.compile("Serahkan berikutnya"))).to_be_visible()
    check_axe(desk)
    desk_context.close()
    assert_no_console_errors(desk)

    page.goto(f"/lacak/{reference}")
    expect(page.locator("main")).to_contain_text("Selesai, sudah diambil")
    assert_no_console_errors(page)
