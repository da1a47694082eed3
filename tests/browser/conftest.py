"""Browser fixtures: the test app served on a free local port, the system Chromium, and a phone-sized page.

Every browser test runs twice, with JavaScript on and off (the `javascript` fixture); a test that only makes
sense with JavaScript narrows it with `@pytest.mark.parametrize("javascript", [True], ids=["js"])`.
`check_axe(page)` runs axe-core on the page as the visitor sees it, with or without JavaScript.
Chromium is never downloaded: the system one is launched (`LOKET_CHROMIUM`, default `/usr/bin/chromium`), and
a missing or broken browser fails every browser test with a message saying so — it is never skipped.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from werkzeug.serving import make_server

from tests.browser.helpers import watch_console

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 640}


@pytest.fixture
def live_server(app, catalogue) -> Iterator[str]:
    """Serve the test app (with the seeded catalogue) on a free 127.0.0.1 port; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Launch the system Chromium once per run (headless); fail loudly when it is missing or cannot start."""
    from playwright.sync_api import Error, sync_playwright

    executable = os.environ.get("LOKET_CHROMIUM", "/usr/bin/chromium")
    if not os.path.isfile(executable) or not os.access(executable, os.X_OK):
        pytest.fail(f"Chromium not found at {executable!r}: install the system `chromium` package "
                    "(scripts/system-deps.sh) or point LOKET_CHROMIUM at a Chromium binary. "
                    "Browser tests are never skipped.", pytrace=False)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except Error as error:
            pytest.fail(f"Chromium at {executable!r} could not be started: {error}", pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def javascript(request) -> bool:
    """Return whether the page runs JavaScript (each browser test runs with it on and off)."""
    return request.param


@pytest.fixture
def page(browser, live_server, javascript):
    """Return a fresh 360×640 page whose relative URLs go to the live server.

    `page.console_errors` collects `(text, url)` of every console error (CSP violations included) and
    uncaught page error.
    """
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript, viewport=PHONE,
                                  locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(10_000)
    yield watch_console(context.new_page())
    context.close()


@pytest.fixture(scope="session")
def axe() -> Axe:
    """Return axe-core's runner (it reads its 570 KB script once)."""
    return Axe()


@pytest.fixture(scope="session")
def axe_copy_page(browser):
    """Return a page, JavaScript on and no site script allowed, into which `check_axe` loads copies of pages
    seen without JavaScript (see there). One page serves the whole run: a new context and renderer for each
    check cost about a quarter second, and its engine keeps axe-core compiled between checks."""
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    page.copy_of = {}  # the URL and HTML the next navigation serves

    def serve(route):
        request = route.request
        if request.url == page.copy_of.get("url") and request.resource_type == "document":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=page.copy_of["html"])
        elif request.resource_type == "script":
            route.abort()
        else:
            route.continue_()

    page.route("**/*", serve)
    yield page
    context.close()


@pytest.fixture
def check_axe(axe, axe_copy_page, javascript):
    """Return `check(page)`: run axe-core on what `page` shows and fail with a readable report of violations.

    Chromium runs no timers in a page whose JavaScript is off, and axe-core works asynchronously, so it
    cannot run there. For such a page, axe runs on an exact copy of its DOM (`page.content()`), served at
    the same URL into a page where JavaScript is on but no script of the site may load, and `<noscript>`
    wrappers are dropped so that their content is checked as a visitor without JavaScript reads it.
    """

    def check(page, disabled_rules: tuple[str, ...] = ()) -> None:
        """`disabled_rules` names axe rules a page breaks on purpose (e.g. a kiosk's timed `meta-refresh`)."""
        options = {"resultTypes": ["violations"], "rules": {rule: {"enabled": False} for rule in disabled_rules}}
        page.wait_for_load_state()  # a click's navigation may have begun and left an empty document for now
        if javascript:
            results = axe.run(page, options=options)
        else:
            results = _axe_on_copy(axe, axe_copy_page, page, options)
        assert results.violations_count == 0, f"axe on {page.url}:\n{results.generate_report()}"

    return check


def _axe_on_copy(axe: Axe, copy, page, options):
    """Return axe's results for `copy` (the `axe_copy_page`) showing `page`'s current DOM, no site script run,
    at `page`'s size."""
    copy.copy_of = {"url": page.url.partition("#")[0],  # the document's request carries no fragment
                    "html": re.sub(r"</?noscript\b[^>]*>", "", page.content(), flags=re.IGNORECASE)}
    copy.set_viewport_size(page.viewport_size)
    copy.goto("about:blank")  # so that a URL differing only by its fragment still loads the new copy
    copy.goto(page.url)
    return axe.run(copy, options=options)


@pytest.fixture
def photo_path(tmp_path):
    """Return a 1200×1600 JPEG that reads like a phone photo of a document, to upload."""
    path = tmp_path / "foto-dokumen.jpg"
    Image.new("RGB", (1200, 1600), (200, 200, 190)).save(path, "JPEG", quality=80)
    return path
