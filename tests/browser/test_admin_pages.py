"""Every settings page of `/admin` on a phone (360×640), with JavaScript on and off: it loads for a supervisor,
does not scroll sideways (wide tables scroll inside their own box), and passes axe-core. Supervisors mostly
work at a PC, but a head of section checking the office from a phone must be able to read every page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.web.staff_helpers import create_staff

pytestmark = pytest.mark.browser

PAGES = ("/admin", "/admin/hari", "/admin/jam", "/admin/pengumuman", "/admin/loket", "/admin/kuota", "/admin/layanan",
         "/admin/layanan/ktp_hilang", "/admin/tempat", "/admin/pengguna", "/admin/laporan")


def test_every_admin_page_fits_a_phone_and_passes_axe(page, live_server, check_axe, regions):
    create_staff(regions)
    sign_in(page, "kabid")
    for path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("h1")).to_be_visible()
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll_width <= 360, f"{path} scrolls sideways on a phone: {scroll_width} px wide"
        check_axe(page)
