"""An upload step in Chromium at 360×640 with JavaScript: a 12-megapixel phone photo is shrunk on the phone before
it is sent (turned upright, to what the server keeps), a PDF goes as it is, and the progress bar goes once an
upload has ended. Without JavaScript the file goes as it is and the step shows the stored photo's thumbnail
after the page reloads: the journeys of test_apply_journey.py and test_village_journey.py walk that.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.helpers import assert_no_console_errors
from tests.phone_photo import phone_photo
from tests.web.apply_helpers import GOOD_NIK
from tests.web.staff_helpers import signed_pdf

pytestmark = pytest.mark.browser

STEP = "/ajukan/kk_baru/dokumen-kk"


@pytest.fixture(scope="session")
def upright_phone_photo(tmp_path_factory):
    """Return a 4000 × 3000 JPEG of about 4 MB whose EXIF says to turn it upright (3000 × 4000), made once."""
    path = tmp_path_factory.mktemp("photos") / "20261207_081512.jpg"
    path.write_bytes(phone_photo(orientation=6))
    return path


def sent_to(page, path: str):
    """Return a context manager catching the next POST to `path`."""
    return page.expect_request(lambda request: request.method == "POST" and request.url.endswith(path))


def file_sent(page) -> dict:
    """Return the name, type and size of the file in the last form htmx sent (see `watch_files_sent`)."""
    return page.evaluate("() => window.fileSent")


def watch_files_sent(page) -> None:
    """Record in `window.fileSent` the file each htmx request carries as `document` (Chromium does not hand a
    large multipart body to Playwright)."""
    page.evaluate("""() => document.addEventListener("htmx:configRequest", event => {
        const file = event.detail.formData.get("document");
        window.fileSent = file && {name: file.name, type: file.type, size: file.size};
    })""")


@pytest.mark.parametrize("javascript", [True], ids=["js"])
def test_a_phone_photo_is_shrunk_before_it_is_sent_and_a_pdf_goes_as_it_is(page, javascript, check_axe, app,
                                                                          regions, upright_phone_photo, tmp_path):
    from portal.extensions import db
    from portal.models import ApplicationDocument

    page.goto("/ajukan/kk_baru/nik")
    page.get_by_label("Berapa NIK Anda?").fill(GOOD_NIK)
    page.get_by_role("button", name="Lanjut", exact=True).click()
    expect(page).to_have_url(re.compile(r"/ajukan/kk_baru/nama$"))
    page.goto(STEP)
    page.wait_for_function("() => window.htmx !== undefined && document.readyState === 'complete'")
    picker = page.get_by_label("Pilih foto atau PDF")
    watch_files_sent(page)

    with sent_to(page, STEP) as photo_post:
        picker.set_input_files(upright_phone_photo)
        page.get_by_role("button", name="Unggah dan lanjut").click()

    expect(page.get_by_role("status").filter(has_text="Dokumen diterima")).to_be_visible()
    original = upright_phone_photo.stat().st_size
    sent = int(photo_post.value.header_value("content-length"))
    assert sent < original / 4, (sent, original)  # about 0.6 of 4.2 MB
    assert file_sent(page) == {"name": "20261207_081512.jpg", "type": "image/jpeg", "size": file_sent(page)["size"]}
    assert sent - 1000 < file_sent(page)["size"] < sent, (sent, file_sent(page))  # the body is the shrunk photo and a few form fields
    with app.app_context():
        stored = db.session.scalars(select(ApplicationDocument)).one()
        assert (stored.width, stored.height) == (1500, 2000)  # upright, 2000 px on the long side
    preview = page.locator("#upload .preview img")
    page.wait_for_function("image => image.complete && image.naturalWidth === 600", arg=preview.element_handle())
    expect(preview).to_have_attribute("height", "2000")  # the page keeps room for the upright photo
    expect(page.locator("#upload progress")).to_be_hidden()
    check_axe(page)

    pdf = tmp_path / "kk.pdf"
    pdf.write_bytes(signed_pdf())
    with sent_to(page, STEP) as pdf_post:
        picker.set_input_files(pdf)
        page.get_by_role("button", name="Unggah yang baru").click()

    expect(page.get_by_role("link", name="PDF yang sudah diunggah (1 halaman)")).to_be_visible()
    assert file_sent(page) == {"name": "kk.pdf", "type": "application/pdf", "size": pdf.stat().st_size}
    assert int(pdf_post.value.header_value("content-length")) > pdf.stat().st_size
    expect(page.locator("#upload progress")).to_be_hidden()
    assert_no_console_errors(page)


def test_after_an_upload_the_photo_and_lanjut_fit_the_phones_screen(page, javascript, check_axe, regions,
                                                                   photo_path):
    """A portrait photo's preview used to push "Lanjut" below the fold at 360×640: the preview is now at most
    40 % of the screen's height, "Lanjut" sits right under it, and a plain upload returns to `#upload`."""
    page.goto("/ajukan/kk_baru/nik")
    page.get_by_label("Berapa NIK Anda?").fill(GOOD_NIK)
    page.get_by_role("button", name="Lanjut", exact=True).click()
    expect(page).to_have_url(re.compile(r"/ajukan/kk_baru/nama$"))
    page.goto(STEP)
    page.get_by_label("Pilih foto atau PDF").set_input_files(photo_path)
    page.get_by_role("button", name="Unggah dan lanjut").click()

    expect(page.get_by_role("status").filter(has_text="Dokumen diterima")).to_be_visible()
    if not javascript:
        expect(page).to_have_url(re.compile(r"\?diterima=1#upload$"))
    preview = page.locator("#upload .preview img")
    expect(preview).to_have_js_property("complete", True)  # not wait_for_function: it polls in the page, which
    assert preview.evaluate("image => image.naturalWidth") > 0  # runs no timers without JavaScript
    box = preview.bounding_box()
    assert box["height"] <= 0.4 * 640 + 1 and box["width"] <= 360, box
    expect(page.get_by_role("status").filter(has_text="Dokumen diterima")).to_be_in_viewport()
    expect(page.get_by_role("link", name="Lanjut", exact=True)).to_be_in_viewport()
    page.screenshot(path=f"/tmp/upload-step-{'js' if javascript else 'nojs'}.png")
    check_axe(page)
    page.get_by_role("link", name="Lanjut", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/dokumen-kk"))
    assert_no_console_errors(page)
