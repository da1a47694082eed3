"""Practice mode in Chromium at 360×640, with JavaScript on and off: at night the kiosk is closed; a clerk sets
the practice clock to the next office hour on /latihan (a wrong date first), and the kiosk then gives a
walk-in ticket, printed on one 80 mm page under "MODE LATIHAN". The mark tops every page, every page passes
axe-core, and the console stays clean."""

from __future__ import annotations

import re
import threading
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from werkzeug.serving import make_server

from portal.extensions import db
from tests.browser.conftest import PHONE
from tests.browser.helpers import assert_no_console_errors, watch_console
from tests.conftest import wib
from tests.web.staff_helpers import PASSWORD, create_staff
from tests.web.test_practice import practice_app

pytestmark = pytest.mark.browser

NIGHT = wib(2026, 12, 3, 22, 30)  # Thursday night
TIMED_REFRESH = ("meta-refresh",)  # the kiosk's idle reset without JavaScript is deliberate


@pytest.fixture
def practice_server(app, regions, clock, tmp_path):
    """Serve a practice-mode app on the test database (with the staff accounts) on a free port; yield its URL."""
    create_staff(app)
    practising = practice_app(app, clock, tmp_path)
    server = make_server("127.0.0.1", 0, practising, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="practice-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    with practising.app_context():
        db.engine.dispose()


def test_a_clerk_sets_the_practice_clock_and_the_kiosk_opens_at_night(browser, practice_server, javascript,
                                                                       check_axe, clock):
    clock.now = NIGHT
    context = browser.new_context(base_url=practice_server, java_script_enabled=javascript, viewport=PHONE,
                                  locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(10_000)
    page = watch_console(context.new_page())
    page.goto("/kios/antrean")
    expect(page.locator("#practice-mark")).to_contain_text("MODE LATIHAN")
    expect(page.get_by_role("button", name=re.compile("Pengajuan KTP-el"))).to_be_disabled()
    check_axe(page, TIMED_REFRESH)

    page.goto("/masuk")
    expect(page.locator("#practice-mark")).to_contain_text("Jam latihan: Kamis 22.30")
    page.get_by_label("Nama pengguna").fill("clerk")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.locator("#practice-mark").get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("Mode latihan")
    check_axe(page)

    page.get_by_label("Tanggal").fill("31-02-2026")
    page.get_by_role("button", name="Atur jam latihan").click()
    expect(page.locator(".error-summary")).to_contain_text("Tulis tanggal seperti 07-12-2026.")
    expect(page.get_by_label("Tanggal")).to_have_value("31-02-2026")
    check_axe(page)

    page.get_by_role("button", name=re.compile("Jam kantor berikutnya")).click()
    expect(page.locator(".success")).to_contain_text("Jam latihan diatur")
    expect(page.locator("#practice-now")).to_have_text("Jumat, 4 Desember 2026, 09.00 WIB")
    expect(page.locator("#practice-mark")).to_contain_text("Jam latihan: Jumat 09.00")
    check_axe(page)

    page.goto("/kios/antrean")
    page.get_by_role("button", name=re.compile("Pengajuan KTP-el")).click()
    expect(page.locator("body")).to_contain_text("A-001")
    expect(page.locator("#practice-mark")).to_contain_text("MODE LATIHAN")
    check_axe(page, TIMED_REFRESH)
    page.goto(page.url.split("?")[0])  # the same ticket without `cetak=1`, which has kiosk.js print it
    printed = PdfReader(BytesIO(page.pdf(prefer_css_page_size=True)))  # the 80 mm roll, as the kiosk prints it
    assert len(printed.pages) == 1 and printed.pages[0].extract_text().startswith("MODE LATIHAN\n")
    assert_no_console_errors(page, allowed=((422, "/latihan/jam"),))
    context.close()
