"""Loket's upload benchmark: what a 12-megapixel phone photo costs a resident on a slow mobile connection, sent as it
is and shrunk on the phone first.

Run from the repository root: `.venv/bin/python bench/upload.py [--down KBIT] [--up KBIT] [--latency MS]
[--cpu-slowdown N]`.

It serves the portal under gunicorn (one gthread worker, as deployed) on a fresh SQLite database, makes the stand-in
phone photo of `tests/phone_photo.py` (4000 × 3000, taken upright: EXIF orientation 6; about 4 MB, JPEG quality 92)
and, in Chromium at 360 × 640, starts an application and uploads the photo on its first document step three ways:

  1. the baseline: JavaScript on, the photo sent as it is (the step's `data-shrink` removed, as before shrinking);
  2. JavaScript on, the photo shrunk on the phone by loket.js;
  3. JavaScript off: the photo as it is (the bytes only; its time is the baseline's).

For 1 and 2 the network is throttled through CDP `Network.emulateNetworkConditions` (default: DevTools' old
"Slow 3G": 500 kbit/s down, 500 kbit/s up, 400 ms latency) and the CPU is slowed (`Emulation.setCPUThrottlingRate`,
default 4 ×, a low-end phone). It prints per way the bytes sent (the upload's Content-Length), the seconds from
pressing "Unggah dan lanjut" until "Dokumen diterima" shows, the bytes of the stored photo's preview, and the
shrunk way's figures as a ratio to the baseline measured in the same run. It is a report, not a test: no budget,
exit 0 when everything was measured.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, so that `bench.common` imports

from bench.common import (BenchError, GunicornServer, exit_on_failure, interrupt_on_sigterm,  # noqa: E402
                          portal_environment, prepare_database)
from tests.phone_photo import phone_photo  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"width": 360, "height": 640}
SERVICE = "kk_baru"
NIK = "3317014101900001"
STEP = f"/ajukan/{SERVICE}/dokumen-kk"


@dataclass
class Upload:
    """One way of sending the photo and what it cost."""

    way: str
    sent_bytes: int
    seconds: float | None  # None: not throttled, not timed
    preview_bytes: int


def upload_photo(browser, base_url: str, photo: Path, *, javascript: bool, shrink: bool,
                 network: dict | None, cpu_slowdown: float) -> Upload:
    """Return what uploading `photo` on a fresh draft's document step cost, in a new 360 × 640 context.

    Raises BenchError when the step does not say "Dokumen diterima" within 10 minutes.
    """
    context = browser.new_context(base_url=base_url, java_script_enabled=javascript, viewport=PHONE,
                                  locale="id-ID")
    context.set_default_timeout(600_000)
    try:
        page = context.new_page()
        page.goto(f"/ajukan/{SERVICE}/nik")
        page.get_by_label("Berapa NIK Anda?").fill(NIK)
        page.get_by_role("button", name="Lanjut", exact=True).click()
        page.wait_for_url(re.compile(rf"/ajukan/{SERVICE}/nama$"))
        page.goto(STEP)
        if javascript:
            page.wait_for_function("() => window.htmx !== undefined && document.readyState === 'complete'")
            if not shrink:
                page.evaluate("() => document.getElementById('document').removeAttribute('data-shrink')")
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        urls: dict[str, str] = {}  # request id -> URL
        finished: list[dict] = []  # CDP Network.loadingFinished events
        session.on("Network.responseReceived", lambda event: urls.update({event["requestId"]: event["response"]["url"]}))
        session.on("Network.loadingFinished", lambda event: finished.append(event))
        if network:
            session.send("Network.emulateNetworkConditions", {"offline": False, **network})
            session.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
        with page.expect_request(lambda request: request.method == "POST" and STEP in request.url) as posted:
            page.get_by_label("Pilih foto atau PDF").set_input_files(photo)
            started = time.perf_counter()  # the resident picks the photo and presses the button at once
            page.get_by_role("button", name="Unggah dan lanjut").click()
        page.get_by_role("status").filter(has_text="Dokumen diterima").wait_for()
        seconds = time.perf_counter() - started
        if javascript:  # the preview comes after the swap; without JavaScript the page's load waited for it
            preview = page.locator("#upload .preview img")
            page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=preview.element_handle())
        page.wait_for_load_state("networkidle")
        preview_bytes = sum(int(event["encodedDataLength"]) for event in finished
                            if "/ajukan/dokumen/" in urls.get(event["requestId"], ""))
        sent = int(posted.value.header_value("content-length") or 0)
        way = ("JavaScript on, shrunk on the phone" if shrink else
               "JavaScript on, as it is (before)" if javascript else "JavaScript off, as it is")
        return Upload(way, sent, seconds if network else None, preview_bytes)
    except Exception as error:  # Playwright's errors: say which way failed
        raise BenchError(f"uploading with javascript={javascript}, shrink={shrink} failed: {error}") from error
    finally:
        context.close()


def report(uploads: list[Upload], original: int, settings: str) -> str:
    """Return the table of `uploads`, with the shrunk way against the baseline (the first row)."""
    baseline = uploads[0]
    lines = [f"photo: 4000 x 3000 JPEG, {original:,} bytes; {settings}", ""]
    lines.append(f"{'way':<38} {'bytes sent':>12} {'vs before':>10} {'seconds':>8} {'vs before':>10} "
                 f"{'preview bytes':>14}")
    for upload in uploads:
        seconds = f"{upload.seconds:.1f}" if upload.seconds is not None else "-"
        time_ratio = (f"{upload.seconds / baseline.seconds:.2f} x"
                      if upload.seconds is not None and baseline.seconds else "-")
        lines.append(f"{upload.way:<38} {upload.sent_bytes:>12,} {upload.sent_bytes / baseline.sent_bytes:>8.2f} x "
                     f"{seconds:>8} {time_ratio:>10} {upload.preview_bytes:>14,}")
    return "\n".join(lines)


def main() -> int:
    """Run the benchmark and print its table; return the exit code (0 when everything was measured)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--down", type=int, default=500, help="download, kbit/s (default 500)")
    parser.add_argument("--up", type=int, default=500, help="upload, kbit/s (default 500)")
    parser.add_argument("--latency", type=int, default=400, help="added round-trip latency, ms (default 400)")
    parser.add_argument("--cpu-slowdown", type=float, default=4, help="CPU throttling rate (default 4)")
    arguments = parser.parse_args()
    network = {"latency": arguments.latency, "downloadThroughput": arguments.down * 1000 / 8,
               "uploadThroughput": arguments.up * 1000 / 8}
    settings = (f"network {arguments.down} kbit/s down, {arguments.up} kbit/s up, {arguments.latency} ms latency; "
                f"CPU {arguments.cpu_slowdown:g} x slower")
    interrupt_on_sigterm()
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("LOKET_CHROMIUM", "/usr/bin/chromium")
    with exit_on_failure("upload benchmark failed: ", "interrupted"), \
            tempfile.TemporaryDirectory(prefix="loket-bench-upload-") as folder:
        workdir = Path(folder)
        photo = workdir / "20261207_081512.jpg"
        photo.write_bytes(phone_photo(orientation=6))  # taken with the phone held upright
        env = portal_environment(workdir)
        prepare_database(env)
        server = GunicornServer("portal", "wsgi:app", env, workdir,
                                ("--workers", "1", "--worker-class", "gthread", "--threads", "4", "--timeout", "600"))
        try:
            server.start()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
                try:
                    uploads = [
                        upload_photo(browser, server.base_url, photo, javascript=True, shrink=False,
                                     network=network, cpu_slowdown=arguments.cpu_slowdown),
                        upload_photo(browser, server.base_url, photo, javascript=True, shrink=True,
                                     network=network, cpu_slowdown=arguments.cpu_slowdown),
                        upload_photo(browser, server.base_url, photo, javascript=False, shrink=False,
                                     network=None, cpu_slowdown=1),
                    ]
                finally:
                    browser.close()
        finally:
            server.stop()
        print(report(uploads, photo.stat().st_size, settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
