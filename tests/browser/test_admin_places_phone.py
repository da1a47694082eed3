"""`/admin/tempat` on a 360 px phone: every place's Ubah, Naik, Turun and Nonaktifkan are on screen without
scrolling the table sideways, the actions right under the place's name."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin_pages import regions  # noqa: F401 (the fixture)
from tests.web.staff_helpers import PASSWORD, create_staff

pytestmark = pytest.mark.browser


def test_place_actions_are_on_screen_on_a_phone(page, live_server, check_axe, regions):  # noqa: F811
    create_staff(regions)
    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill("kabid")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    page.goto("/admin/tempat")
    width = page.viewport_size["width"]
    assert page.evaluate("document.querySelector('.admin-places').scrollWidth") <= width
    for name in ("Ubah", "Naik", "Turun", "Nonaktifkan"):
        control = page.locator(f".places-table :is(a, button):has-text('{name}')").first
        box = control.bounding_box()
        assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= width, name
    row = page.locator(".places-table tbody tr").first
    name_box = row.locator("th").bounding_box()
    actions_box = row.locator("td.place-actions").bounding_box()
    address_box = row.locator("td").first.bounding_box()
    assert name_box["y"] < actions_box["y"] < address_box["y"]  # the actions come right after the name
    check_axe(page)
