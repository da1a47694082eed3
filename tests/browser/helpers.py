"""What several browser journeys do the same way."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.staff_helpers import PASSWORD


def sign_in(page: Page, username: str) -> None:
    """Sign in at /masuk as `username` (made by `create_staff`, password PASSWORD) and return once the page
    offers "Keluar". Raises AssertionError (Playwright's) when it never does."""
    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
