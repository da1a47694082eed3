"""`/admin/tempat` on a 360 px phone: every place's Ubah, Naik, Turun and Nonaktifkan are on screen without
scrolling the table sideways, the actions right under the place's name."""

from __future__ import annotations

import pytest

from tests.browser.helpers import sign_in
from tests.web.staff_helpers import create_staff

pytestmark = pytest.mark.browser


def test_place_actions_are_on_screen_on_a_phone(page, live_server, check_axe, regions):
    create_staff(regions)
    sign_in(page, "kabid")
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
