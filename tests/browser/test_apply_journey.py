"""Journeys 1, 2 and 8 in Chromium at a phone viewport, with JavaScript on and off.

A resident applies for a replacement KTP-el from the home page (a wrong NIK first, then every step, two phone
photos, the check page, the declaration), reads the reference and PIN, downloads the receipt, opens the status
page and tracks it again from another device; another saves a draft and resumes it elsewhere; anyone opens the
receipt's QR page. Every page of the journey passes axe-core, and with JavaScript no console error is logged
except the one the browser itself writes for a form deliberately sent wrong (a 422 document).
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from tests.browser.conftest import PHONE
from tests.browser.helpers import assert_no_console_errors, watch_console

pytestmark = pytest.mark.browser

SERVICE = "ktp_hilang"
SERVICE_NAME = "KTP-el Hilang"
GOOD_NIK = "3317014101900001"  # a woman born 1 January 1990 in Kecamatan Sumber, Rembang
FULL_NAME = "Siti Wulandari"
POLICE_REPORT = "STPL/123/XI/2026/Reskrim"
KECAMATAN = "Lasem"
DESA = "Karangturi"  # a desa of Kecamatan Lasem (33.17.14.2004)
DESA_NO_JS = ("33.17.01.2001", "Ronggo Mulyo", "Sumber")  # a desa of Kecamatan Sumber
STREET = "Jl. Pemuda 12, RT 02/RW 03"
REFERENCE = re.compile(r"^RBG-[0-9A-Z]{4}-[0-9A-Z]{4}$")
NIK_FORMAT_ERROR = "NIK harus 16 angka. Periksa lagi di KTP-el atau Kartu Keluarga."



# --- helpers -------------------------------------------------------------------------------------------------


def no_axe(_page) -> None:
    """Stand in for `check_axe` where a journey is only the way to another page under test."""


def ready(page, javascript: bool) -> None:
    """Wait until the page is loaded (and, with JavaScript, htmx has started)."""
    page.wait_for_load_state("load")
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined && document.readyState === 'complete'")


def heading(page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def on_step(page, axe, slug: str, title: str) -> None:
    """Check that the form is at the step `slug` whose heading is `title`, and that axe finds nothing there."""
    expect(page).to_have_url(re.compile(rf"/ajukan/{SERVICE}/{slug}$"))
    heading(page, title)
    axe(page)


def next_button(page):
    return page.get_by_role("button", name="Lanjut", exact=True)


@contextmanager
def other_device(browser, live_server: str, javascript: bool):
    """Yield a page in a new browser context (another phone: no cookies shared), collecting console errors."""
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript, viewport=PHONE,
                                  locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(10_000)
    other = watch_console(context.new_page())
    try:
        yield other
    finally:
        context.close()


def start_application(page, javascript: bool, axe) -> None:
    """From the home page: "Ajukan permohonan" → "KTP-el Hilang" → "Mulai"; end on the NIK page."""
    page.goto("/")
    ready(page, javascript)
    axe(page)
    page.locator("ul.actions a.action", has_text="Ajukan permohonan").click()
    expect(page).to_have_url(re.compile(r"/ajukan$"))
    heading(page, "Ajukan permohonan")
    axe(page)
    page.get_by_role("link", name=SERVICE_NAME, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/ajukan/{SERVICE}$"))
    heading(page, SERVICE_NAME)
    axe(page)
    page.get_by_role("link", name="Mulai", exact=True).click()
    on_step(page, axe, "nik", "Berapa NIK Anda?")


def answer(page, label: str, value: str) -> None:
    """Type `value` into the field labelled `label` and press "Lanjut"."""
    page.get_by_label(label).fill(value)
    next_button(page).click()


def answer_nik(page, nik: str) -> None:
    answer(page, "Berapa NIK Anda?", nik)


def answer_name(page, axe) -> None:
    on_step(page, axe, "nama", "Siapa nama lengkap Anda?")
    answer(page, "Siapa nama lengkap Anda?", FULL_NAME)
    on_step(page, axe, "tanggal-lahir", "Kapan Anda lahir?")


def fill_date(page, day: str, month: str, year: str) -> None:
    page.get_by_label("Tanggal", exact=True).fill(day)
    page.get_by_label("Bulan", exact=True).fill(month)
    page.get_by_label("Tahun", exact=True).fill(year)


def answer_birth_to_address(page, javascript: bool, axe) -> None:
    """On the birth-date page: answer it, the phone, and the address (JS: kecamatan filter; no JS: grouped list)."""
    fill_date(page, "1", "1", "1990")
    next_button(page).click()
    on_step(page, axe, "telepon", "Berapa nomor HP Anda?")
    answer(page, "Berapa nomor HP Anda?", "0812 3456 7890")
    expect(page).to_have_url(re.compile(rf"/ajukan/{SERVICE}/alamat$"))
    heading(page, "Di mana Anda tinggal?")
    ready(page, javascript)
    axe(page)
    desa = page.get_by_label("Desa/kelurahan")
    kecamatan = page.get_by_label("Kecamatan", exact=True)
    groups = page.locator("#desa optgroup")
    if javascript:
        expect(kecamatan).to_be_visible()
        expect(groups).to_have_count(14)  # before a kecamatan is chosen, every desa is offered
        kecamatan.select_option(label=KECAMATAN)
        expect(groups).to_have_count(1)  # the htmx fragment lists only that kecamatan's desa
        expect(groups).to_have_attribute("label", f"Kecamatan {KECAMATAN}")
        expect(page.locator("#desa option")).to_have_count(1 + 20)
        expect(page.locator("#desa option", has_text="Ronggo Mulyo")).to_have_count(0)
        axe(page)
        desa.select_option(label=DESA)  # a locator: it finds the swapped-in select
    else:
        expect(kecamatan).to_be_hidden()  # the filter needs JavaScript; the grouped list does not
        expect(groups).to_have_count(14)
        code, name, district = DESA_NO_JS
        expect(page.locator(f'#desa optgroup[label="Kecamatan {district}"] option[value="{code}"]')).to_have_text(name)
        desa.select_option(value=code)
    answer(page, "Alamat (jalan, RT/RW)", STREET)


def answer_questions(page, axe) -> None:
    on_step(page, axe, "tanya-police-report-number", "Nomor surat kehilangan dari Polisi")
    answer(page, "Nomor surat kehilangan dari Polisi", POLICE_REPORT)
    on_step(page, axe, "tanya-police-report-date", "Tanggal surat kehilangan")
    fill_date(page, "28", "11", "2026")
    next_button(page).click()


def upload_documents(page, javascript: bool, axe, photo_path, busy_once: bool = False) -> None:
    """Upload the photo for both documents; end on the check page. With `busy_once` (JavaScript only), the
    first upload is answered 503 once, as a server whose storage is full would, and the page must say so."""
    for slug, name in (("dokumen-surat-kehilangan", "Surat kehilangan dari Polisi"),
                       ("dokumen-kk", "Kartu Keluarga (KK)")):
        expect(page).to_have_url(re.compile(rf"/ajukan/{SERVICE}/{slug}$"))
        heading(page, f"Unggah {name}")
        ready(page, javascript)
        axe(page)
        picker = page.get_by_label("Pilih foto atau PDF")
        box = picker.bounding_box()  # the whole upload area opens the picker, not a 107 x 26 px native button
        assert box["width"] >= 0.85 * PHONE["width"] and box["height"] >= 64, box
        picker.set_input_files(photo_path)
        if javascript and busy_once and slug == "dokumen-surat-kehilangan":
            page.route(f"**/ajukan/{SERVICE}/{slug}", lambda route: route.fulfill(
                status=503, headers={"Retry-After": "120"}, body="busy"), times=1)
            page.get_by_role("button", name="Unggah dan lanjut").click()
            expect(page.locator("#server-busy")).to_be_visible()
            expect(page.locator("#server-busy")).to_contain_text("Isian Anda tidak hilang")
            expect(page.locator("#connection-error")).to_be_hidden()
            expect(page.locator("#upload progress")).to_be_hidden()  # a failed upload leaves no full bar
        page.get_by_role("button", name="Unggah dan lanjut").click()
        # What arrived, on the same step: htmx swaps it in; without JavaScript the post returns to the step
        expect(page.get_by_role("status").filter(has_text="Dokumen diterima")).to_be_visible()
        preview = page.locator("#upload .preview img")
        expect(preview).to_be_visible()
        expect(preview).to_have_attribute("alt", f"Foto {name} yang sudah diunggah")
        if javascript:
            page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=preview.element_handle())
        else:  # a page without JavaScript runs no polling: its load event waits for the image instead
            page.wait_for_load_state("load")
            assert preview.evaluate("image => image.complete && image.naturalWidth > 0")
        expect(page).to_have_url(re.compile(rf"/ajukan/{SERVICE}/{slug}" + ("$" if javascript else r"\?diterima=1#upload$")))
        expect(page.locator("#upload progress")).to_be_hidden()
        axe(page)
        page.get_by_role("link", name="Lanjut", exact=True).click()


def fill_application(page, javascript: bool, axe, photo_path, busy_once: bool = False) -> None:
    """From the name page to the check page (see `upload_documents` for `busy_once`)."""
    answer_name(page, axe)
    answer_birth_to_address(page, javascript, axe)
    answer_questions(page, axe)
    upload_documents(page, javascript, axe, photo_path, busy_once)
    expect(page).to_have_url(re.compile(rf"/ajukan/{SERVICE}/periksa$"))
    heading(page, "Periksa jawaban Anda")


def submit_application(page, axe) -> tuple[str, str]:
    """On the check page: tick the declaration and send; return the reference and PIN of the confirmation."""
    page.get_by_label(re.compile(r"^Saya menyatakan data dan dokumen")).check()
    page.get_by_role("button", name="Kirim permohonan").click()
    on_step(page, axe, "selesai", "Permohonan terkirim")
    return read_reference_and_pin(page)


def read_reference_and_pin(page) -> tuple[str, str]:
    shown = page.locator(".panel strong.reference")
    expect(shown).to_have_count(2)
    reference, pin = (text.strip() for text in shown.all_inner_texts())
    assert REFERENCE.match(reference), reference
    assert re.fullmatch(r"\d{6}", pin), pin
    return reference, pin


def apply_and_submit(page, javascript: bool, axe, photo_path) -> tuple[str, str]:
    """Walk the whole journey from the home page to the confirmation; return the reference and PIN."""
    start_application(page, javascript, axe)
    answer_nik(page, GOOD_NIK)
    fill_application(page, javascript, axe, photo_path)
    return submit_application(page, axe)


def track_on(page, javascript: bool, axe, reference: str, pin: str) -> None:
    """Open /lacak, type the reference and PIN, and land on the application's page."""
    page.goto("/lacak")
    ready(page, javascript)
    heading(page, "Lacak permohonan")
    axe(page)
    page.get_by_label("Nomor permohonan").fill(reference)
    page.get_by_label("PIN", exact=True).fill(pin)
    page.get_by_role("button", name="Lacak", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/lacak/{reference}$"))
    axe(page)


def assert_submitted_status(page, reference: str) -> None:
    heading(page, SERVICE_NAME)
    expect(page.locator(".caption")).to_have_text(f"Permohonan {reference}")
    expect(page.locator(".status-label")).to_have_text("Terkirim, menunggu diperiksa")
    expect(page.locator(".facts")).to_contain_text("331701******0001")
    expect(page.locator("main")).not_to_contain_text(GOOD_NIK)
    timeline = page.locator("ul.timeline li")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(0)).to_contain_text("Permohonan dikirim")  # newest first
    expect(timeline.nth(1)).to_contain_text("Mulai diisi")
    expect(page.locator("ul.documents li")).to_have_count(2)


# --- tests ---------------------------------------------------------------------------------------------------


def test_resident_applies_with_a_photo_and_tracks_it(page, javascript, check_axe, browser, live_server, regions,
                                                       photo_path):
    start_application(page, javascript, check_axe)

    answer_nik(page, "3317")  # too short: the page comes back (422) with the error and the typed value

    expect(page).to_have_url(re.compile(rf"/ajukan/{SERVICE}/nik$"))
    expect(page).to_have_title(re.compile(r"^Kesalahan: Berapa NIK Anda\?"))
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=NIK_FORMAT_ERROR)).to_have_attribute("href", "#nik")
    expect(page.locator("#nik-error")).to_have_text(f"Kesalahan: {NIK_FORMAT_ERROR}")
    nik = page.get_by_label("Berapa NIK Anda?")
    expect(nik).to_have_value("3317")
    expect(nik).to_have_attribute("aria-describedby", re.compile(r"\bnik-error\b"))
    check_axe(page)

    answer_nik(page, GOOD_NIK)
    fill_application(page, javascript, check_axe, photo_path, busy_once=True)

    summary_rows = page.locator("dl.summary")
    for answer in (GOOD_NIK, FULL_NAME, "1 Januari 1990", STREET, POLICE_REPORT, "28 November 2026"):
        expect(summary_rows).to_contain_text(answer)
    desa_line = f"{DESA}, Kecamatan {KECAMATAN}" if javascript else f"{DESA_NO_JS[1]}, Kecamatan {DESA_NO_JS[2]}"
    expect(page.locator("#row-alamat")).to_contain_text(desa_line)
    expect(page.locator("#row-dokumen-kk")).to_contain_text("Foto")
    change = page.get_by_role("link", name="Ubah jawaban ini")
    expect(change).to_have_count(9)  # one per step
    expect(page.locator("#row-nama").get_by_role("link", name="Ubah jawaban ini")).to_have_attribute(
        "href", f"/ajukan/{SERVICE}/nama?kembali=periksa")
    check_axe(page)

    reference, pin = submit_application(page, check_axe)

    receipt_link = page.get_by_role("link", name="Unduh bukti (PDF A4)")
    expect(receipt_link).to_have_attribute("href", f"/lacak/{reference}/bukti.pdf?ukuran=a4")
    receipt = page.request.get(receipt_link.get_attribute("href"))
    assert receipt.status == 200
    assert receipt.headers["content-type"].startswith("application/pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.body())).pages)
    assert reference in text, text[:2000]
    assert "331701******0001" in text and GOOD_NIK not in text
    expect(page.get_by_role("link", name="Bagikan nomor permohonan lewat WhatsApp")).to_have_attribute(
        "href", re.compile(r"^https://wa\.me/\?text="))

    page.get_by_role("link", name="Lihat status permohonan").click()
    expect(page).to_have_url(re.compile(rf"/lacak/{reference}$"))
    assert_submitted_status(page, reference)
    check_axe(page)
    if javascript:
        assert_no_console_errors(page, allowed=((422, f"/ajukan/{SERVICE}/nik"),
                                                (503, f"/ajukan/{SERVICE}/dokumen-surat-kehilangan")))

    with other_device(browser, live_server, javascript) as other:
        other.goto(f"/lacak/{reference}")  # not unlocked on this device: the form, with the reference filled in
        expect(other).to_have_url(re.compile(r"/lacak\?nomor="))
        track_on(other, javascript, check_axe, reference, pin)
        assert_submitted_status(other, reference)
        if javascript:
            assert_no_console_errors(other)


def test_resident_saves_a_draft_and_resumes_it_elsewhere(page, javascript, check_axe, browser, live_server,
                                                         regions):
    page.goto(f"/ajukan/{SERVICE}")  # the home and service list pages are checked in the test above
    heading(page, SERVICE_NAME)
    check_axe(page)
    page.get_by_role("link", name="Mulai", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/ajukan/{SERVICE}/nik$"))
    check_axe(page)
    answer_nik(page, GOOD_NIK)
    answer_name(page, check_axe)

    page.get_by_role("button", name="Simpan dan lanjutkan nanti").click()

    expect(page).to_have_url(re.compile(rf"/ajukan/{SERVICE}/disimpan$"))
    heading(page, "Permohonan disimpan")
    expect(page.locator("main")).to_contain_text("disimpan sampai")
    check_axe(page)
    reference, pin = read_reference_and_pin(page)
    if javascript:
        assert_no_console_errors(page)

    with other_device(browser, live_server, javascript) as other:
        track_on(other, javascript, check_axe, reference, pin)
        expect(other.locator(".status-label")).to_have_text("Belum dikirim (draf)")
        other.get_by_role("link", name="Lanjutkan mengisi").click()
        expect(other).to_have_url(re.compile(rf"/ajukan/{SERVICE}$"))
        expect(other.locator(".notice-box").first).to_contain_text(reference)
        check_axe(other)
        other.locator(".notice-box").get_by_role("link", name="Lanjutkan mengisi").click()

        expect(other).to_have_url(re.compile(rf"/ajukan/{SERVICE}/tanggal-lahir$"))  # the first unanswered step
        heading(other, "Kapan Anda lahir?")
        check_axe(other)
        other.get_by_role("link", name="Kembali").click()
        expect(other).to_have_url(re.compile(rf"/ajukan/{SERVICE}/nama$"))
        expect(other.get_by_label("Siapa nama lengkap Anda?")).to_have_value(FULL_NAME)
        check_axe(other)
        if javascript:
            assert_no_console_errors(other)


def test_verification_page_from_the_receipt_qr(page, javascript, check_axe, browser, live_server, app, regions,
                                               photo_path):
    from portal.models import Application

    reference, _pin = apply_and_submit(page, javascript, no_axe, photo_path)  # axe runs on it in the test above
    with app.app_context():
        from portal.extensions import db
        token = db.session.scalars(select(Application.verification_token)
                                   .where(Application.reference == reference)).one()
    assert token

    with other_device(browser, live_server, javascript) as other:
        response = other.goto(f"/verifikasi/{token}")
        assert response is not None and response.status == 200
        heading(other, "Verifikasi dokumen")
        expect(other.locator(".status-label")).to_have_text(re.compile(r"^Asli: bukti ini diterbitkan oleh "))
        facts = other.locator("dl.facts")
        expect(facts).to_contain_text(SERVICE_NAME)
        expect(facts).to_contain_text("Terkirim, menunggu diperiksa")
        expect(facts).to_contain_text("S. W.")
        expect(facts).to_contain_text(f"{reference[:3]}-••••-{reference[-4:]}")
        main = other.locator("main")
        for private in (FULL_NAME, "Siti", "Wulandari", reference, GOOD_NIK, "331701******0001"):
            expect(main).not_to_contain_text(private)
        check_axe(other)

        forged = other.goto("/verifikasi/forged")
        assert forged is not None and forged.status == 404
        heading(other, "Verifikasi dokumen")
        expect(other.locator(".status-label")).to_have_text("Tidak ditemukan")
        expect(other.locator("main")).not_to_contain_text("Asli")
        check_axe(other)
        if javascript:  # the browser logs the 404 of the forged code's page itself: the page working as meant
            assert_no_console_errors(other, allowed=((404, "/verifikasi/forged"),))
    if javascript:
        assert_no_console_errors(page)
