"""`/admin/layanan/<code>` in a browser, with JavaScript on and off: a refused save of a part far down the long
edit page opens at that part, its error summary on screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.web.staff_helpers import create_staff

pytestmark = pytest.mark.browser


def test_a_refused_save_low_on_the_page_opens_at_its_part(page, live_server, regions):
    create_staff(regions)
    sign_in(page, "kabid")
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
