"""Public pages in Chromium at a phone viewport, with JavaScript on and off (journey 7 and the page table).

Every page shows the open/closed banner without JavaScript, passes axe-core, and (with JavaScript) logs no
console error or CSP violation; the language switch is a plain link; with JavaScript the banner refreshes
itself as an htmx fragment.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from tests.browser.helpers import wider_than_the_screen
from tests.conftest import wib

pytestmark = pytest.mark.browser

ENGLISH_CATALOGUE = Path(__file__).resolve().parents[2] / "portal/translations/en/LC_MESSAGES/messages.po"

# The default test clock is Thursday 3 Dec 2026 09:00 WIB: both activities are open.
OPEN_HEADLINE = "Kantor buka"
OPEN_LINES = ("Pengajuan buka sampai 12.00 WIB", "Pengambilan buka sampai 14.00 WIB")

PAGES = [
    ("/", 200),
    ("/layanan", 200),
    ("/layanan/ktp_baru", 200),
    ("/jadwal", 200),
    ("/ajukan", 200),
    ("/lacak", 200),
    ("/antrean", 200),
    ("/masuk", 200),
    ("/tidak-ada-halaman-ini", 404),
]

# The three big actions of the home page: the link's title, where it leads, and that page's heading.
ACTIONS = [
    ("Ajukan permohonan", "/ajukan", "Ajukan permohonan"),
    ("Ambil nomor antrean", "/antrean", "Nomor antrean"),
    ("Lacak permohonan", "/lacak", "Lacak permohonan"),
]


@lru_cache(maxsize=None)
def _english_catalogue():
    with ENGLISH_CATALOGUE.open("rb") as handle:
        return read_po(handle)


def english(msgid: str) -> str | None:
    """Return the English translation of `msgid` in messages.po, or None while it is untranslated or fuzzy."""
    message = _english_catalogue().get(msgid)
    if message is None or not message.string or message.fuzzy:
        return None
    return message.string


def assert_no_browser_errors(page, document_status: int = 200) -> None:
    """Fail when the page logged a console error (CSP violations are console errors) or threw.

    A page served with an error status (the 404 page) makes Chromium log that status for the document
    itself; that one message, for that URL and status, is the page working as meant and is not counted.
    """
    expected = f"Failed to load resource: the server responded with a status of {document_status} "
    errors = [(text, url) for text, url in page.console_errors
              if not (document_status >= 400 and url == page.url and text.startswith(expected))]
    assert errors == [], "\n".join(f"{text} ({url})" for text, url in errors)


@pytest.mark.parametrize(("path", "status"), PAGES, ids=[path for path, _ in PAGES])
def test_page_shows_banner_and_passes_axe(page, javascript, check_axe, path, status):
    response = page.goto(path)

    assert response is not None and response.status == status
    banner = page.locator("#banner")
    expect(banner).to_be_visible()
    expect(banner.locator(".banner-head")).to_have_text(OPEN_HEADLINE)
    for line in OPEN_LINES:
        expect(banner).to_contain_text(line)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined && document.readyState === 'complete'")
    assert wider_than_the_screen(page) == []
    check_axe(page)
    if javascript:
        assert_no_browser_errors(page, document_status=status)


def test_language_switch_is_a_link_and_is_remembered(page, javascript):
    page.goto("/layanan")

    page.locator("header").get_by_role("link", name="English").click()

    expect(page).to_have_url(re.compile(r"/layanan$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("header").get_by_role("link", name="Bahasa Indonesia")).to_be_visible()
    headline = english(OPEN_HEADLINE)
    if headline:  # messages.po translates the banner: the page must read it (run `make translations`)
        expect(page.locator("#banner .banner-head")).to_have_text(headline)

    page.locator("footer a[href='/jadwal']").click()

    expect(page).to_have_url(re.compile(r"/jadwal$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("table.week tbody tr")).to_have_count(7)
    assert wider_than_the_screen(page) == []  # English words are longer: the week's table still fits
    if headline:
        expect(page.locator("#banner .banner-head")).to_have_text(headline)
        line = english("Pengajuan buka sampai %(time)s")
        if line:
            expect(page.locator("#banner")).to_contain_text(line % {"time": "12:00 WIB"})
    if javascript:
        assert_no_browser_errors(page)


@pytest.mark.parametrize(("title", "path", "heading"), ACTIONS, ids=[path for _, path, _ in ACTIONS])
def test_home_big_action_is_reachable_by_keyboard(page, javascript, title, path, heading):
    page.goto("/")
    expect(page.locator("ul.actions a.action")).to_have_count(len(ACTIONS))
    link = page.locator("ul.actions a.action", has_text=title)
    expect(link).to_be_visible()

    for _ in range(15):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail(f"{title!r} was not reached with the Tab key")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    if javascript:
        assert_no_browser_errors(page)


@pytest.mark.parametrize("javascript", [True], ids=["js"])
def test_banner_refreshes_itself_as_an_htmx_fragment(page, app, clock):
    app.config["BANNER_REFRESH_SECONDS"] = 1
    refreshes = []
    page.on("response", lambda response: refreshes.append(response)
            if response.request.headers.get("hx-target") == "banner" else None)
    page.goto("/layanan")
    banner = page.locator("#banner")
    expect(banner).to_contain_text(OPEN_LINES[0])
    expect(banner).to_have_attribute("data-hx-trigger", "every 1s")

    clock.now = wib(2026, 12, 3, 11, 45)

    expect(banner).to_contain_text("Pengajuan tutup 15 menit lagi", timeout=5_000)
    expect(banner.locator(".banner-head")).to_have_text("Segera tutup")
    expect(banner).to_have_class(re.compile(r"\bbanner-soon\b"))
    expect(page.locator("#banner")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith("/layanan")
    fresh = [response for response in refreshes if "15 menit lagi" in response.text()]
    assert fresh, f"no banner refresh carried the new text; refreshes seen: {len(refreshes)}"
    response = fresh[0]
    assert response.request.method == "GET"
    assert response.request.headers.get("hx-request") == "true"
    assert response.status == 200
    body = response.text().strip()
    assert body.startswith('<div id="banner"'), body[:200]
    assert body.endswith("</div>"), body[-200:]
    for whole_page_marker in ("<!doctype", "<html", "<head", "<main", "<footer"):
        assert whole_page_marker not in body.lower(), f"the refresh returned more than the banner: {body[:300]}"
    assert_no_browser_errors(page)
