"""The queue pages `bench/run.py` loads: the start page, each booking step, a ticket, the kiosk and the board.

The booking steps need a day and a window that are open when the benchmark runs, and the ticket page a ticket:
`queue_targets(base_url)` asks the portal for the first bookable day and window, as a resident would, and
books one ticket (one POST) to have a code. The portal must run with `LOKET_QUEUE_LOOKUP_LIMIT` raised
(`LOOKUP_LIMIT`): wrk sends every request from one address, which a real office would refuse as guessing. The
limit is per second: the moving window keeps one entry per request in it, so a limit per minute would make the
benchmark's own address carry 60 times more entries than any real visitor's budget ever holds.
"""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import urlencode

from bench.burst import open_form
from bench.common import BenchError, http_get

LOOKUP_LIMIT = "1000000 per second"
NIK, PHONE = "3317014101900001", "081234567890"
_ENABLED = r'<input[^>]*name="{name}"[^>]*value="([^"]+)"(?![^>]*disabled)[^>]*>'


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _first_enabled(base_url: str, path: str, name: str) -> str:
    page = http_get(base_url + path)
    found = re.search(_ENABLED.format(name=name), page.raw_body.decode("utf-8", "replace"))
    if page.status != 200 or not found:
        raise BenchError(f"{path} answered {page.status} with no open {name!r} to choose")
    return found[1]


def book_one(base_url: str, details: str) -> str:
    """Book one ticket through the details step at `details`; return the ticket's path (`/antrean/ANT-…`).

    Raises BenchError when the form or the booking does not answer as a resident's would."""
    cookie, token = open_form(base_url + details)
    fields = dict(re.findall(r"(keperluan|hari|jam)=([^&]*)", details.split("?", 1)[1]))
    body = urlencode({**fields, "csrf_token": token, "nik": NIK, "hp": PHONE}).encode()
    request = urllib.request.Request(base_url + "/antrean/ambil", data=body, method="POST",
                                     headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.build_opener(_NoRedirect).open(request, timeout=10)
    except urllib.error.HTTPError as answer:  # the 303 arrives as an "error" once redirects are not followed
        location = answer.headers.get("Location", "")
        if answer.code == 303 and location.startswith("/antrean/ANT-"):
            return location
        raise BenchError(f"booking a ticket answered {answer.code} {location}") from None
    raise BenchError("booking a ticket answered 200 instead of redirecting to the ticket")


def queue_targets(base_url: str) -> list[tuple[str, str, str | None]]:
    """Return (label, url, cookie) for each queue page, the booking steps for the first open KTP day and window;
    the details step (a form) twice, for a first visit and for a returning visitor with their session cookie.

    Raises BenchError when no day or window is open, or the booking fails."""
    day = _first_enabled(base_url, "/antrean/ambil?keperluan=KTP", "hari")
    start = _first_enabled(base_url, f"/antrean/ambil?keperluan=KTP&hari={day}", "jam")
    steps = {
        "/antrean": "/antrean",
        "/antrean/ambil (purpose)": "/antrean/ambil",
        "/antrean/ambil (day)": "/antrean/ambil?keperluan=KTP",
        "/antrean/ambil (window)": f"/antrean/ambil?keperluan=KTP&hari={day}",
        "/antrean/ambil (details)": f"/antrean/ambil?keperluan=KTP&hari={day}&jam={start}",
    }
    ticket = book_one(base_url, steps["/antrean/ambil (details)"])
    steps["/antrean/<code>"] = ticket
    steps["/kios"] = "/kios"
    steps["/papan"] = "/papan"
    targets = [(f"portal {label}", base_url + path, None) for label, path in steps.items()]
    details = base_url + steps["/antrean/ambil (details)"]
    cookie = http_get(details).headers.get("set-cookie", "").split(";")[0] or None
    targets.insert(5, ("portal /antrean/ambil (details, returning)", details, cookie))
    return targets
