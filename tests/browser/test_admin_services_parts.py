"""`/admin/layanan/<code>` in a browser, with JavaScript on and off: a refused save of a part far down the long
edit page opens at that part, its error summary on screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin_pages import regions  # noqa: F401 (the fixture)
from tests.web.staff_helpers import PASSWORD, create_staff

pytestmark = pytest.mark.browser


def test_a_refused_save_low_on_the_page_opens_at_its_part(page, live_server, regions):  # noqa: F811
    create_staff(regions)
    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill("kabid")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    page.goto("/admin/layanan/ktp_hilang")
    for box in page.locator("#places input[type=checkbox]").all():
        box.uncheck()
    page.get_by_role("button", name="Simpan tempat pengambilan").click()
    summary = page.locator("#tempat-errors")
    expect(summary).to_contain_text("Pilih paling sedikit satu tempat pengambilan.")
    assert page.url.endswith("/admin/layanan/ktp_hilang/tempat#tempat")
    assert page.evaluate("window.scrollY") > 1000  # not left at the top of the long page
    top = summary.bounding_box()["y"]
    assert 0 <= top < page.viewport_size["height"], top
