"""A supervisor closes the office tomorrow from `/admin/hari`, in Chromium with JavaScript on and off: the rule is
listed at once, the banner says so when tomorrow comes, `/api/status` for tomorrow morning carries the reason,
and every page passes axe-core.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import typed_and_refused, sign_in
from tests.conftest import wib
from tests.web.staff_helpers import create_staff

pytestmark = pytest.mark.browser

REASON = "Rapat koordinasi dinas"


def test_supervisor_closes_tomorrow(page, live_server, check_axe, regions, clock):
    create_staff(regions)
    page.set_viewport_size({"width": 1280, "height": 800})  # supervisors work at a PC
    sign_in(page, "kabid")

    page.goto("/admin")
    expect(page.locator("h1")).to_have_text("Pengaturan kantor")
    check_axe(page)
    page.get_by_role("link", name="Hari tutup dan hari buka khusus").click()
    expect(page.locator("h1")).to_have_text("Hari tutup dan hari buka khusus")

    # A closure without a reason is refused and what was typed stays.
    typed_and_refused(page, {"Tanggal": "2026-12-04"}, "Simpan", "Tulis alasan penutupan", check_axe)

    page.get_by_label("Alasan yang dibaca warga").fill(REASON)
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("main")).to_contain_text("Jumat, 4 Desember 2026 disimpan: tutup.")
    expect(page.locator("main table")).to_contain_text(REASON)
    check_axe(page)

    status = page.request.get("/api/status?at=2026-12-04T09:00:00%2B07:00").json()
    assert status["closure"]["reason"] == REASON
    assert status["submission"]["open"] is False and status["pickup"]["open"] is False

    # Tomorrow morning every visitor reads why the office is closed.
    clock.now = wib(2026, 12, 4, 9, 0)
    page.goto("/")
    expect(page.locator("#banner")).to_contain_text(f"Tutup — {REASON}")
    check_axe(page)
    # The refused form is served with 422, which Chromium logs; nothing else may be.
    refused = "Failed to load resource: the server responded with a status of 422"
    assert [error for error in page.console_errors
            if not (error[0].startswith(refused) and error[1].endswith("/admin/hari"))] == []
