"""The burst half of `bench/tickets.py`: 500 residents press "Ambil tiket" at the same instant for one window
with 20 places, online (`POST /antrean/ambil`) and at the kiosk (`POST /kios/antrean`).

`run_bursts(env, workdir, servers)` serves the portal under gunicorn (4 sync workers, the ticket benchmark's
settings) with its clock set to an office hour (`bench/clocked_app.py`), so that walk-ins, which only take the
window open now, can be measured at any time of day. Per database and per kind it

  1. sets a quota of 20 on one window (the walk-ins' window is the one open at the clock's instant; the
     bookings' window is the next one of the same day);
  2. opens the form once per resident (500 sessions and CSRF tokens, as 500 phones would; a kiosk is one
     device, so the walk-ins share its session);
  3. opens 500 connections, then sends the 500 posts at once, and times each one from its send to the last
     byte of its answer;
  4. checks the database: exactly 20 tickets in the window (none oversold), numbers without a gap or a
     repeat, no NIK twice, and every press issued (303 to the ticket) or refused (a 303 back to the form, whose
     page is then fetched as a browser would, or a 409 at the kiosk).

It prints p50/p99/max of the POSTs' answers, p99 of the refusals and of the issued tickets apart, and p99 of
the page each press led to (a refused booking's redirect followed).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from bench.common import BenchError, GunicornServer, http_get

RESIDENTS = 500
PLACES = 20
PURPOSE = "KTP"
CONNECT_TIMEOUT_S = 30
ANSWER_TIMEOUT_S = 120
PREPARE_CONCURRENCY = 8
CLOCKED_APP = "bench.clocked_app:app"

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class Burst:
    """What one burst measured: each press's Answer, and what the database holds afterwards."""

    label: str
    answers: list
    in_window: int
    gaps_or_repeats: bool
    nik_twice: int

    def percentile(self, q: float, outcome: str | None = None, page: bool = False) -> float:
        """Return the `q` quantile (0..1), in seconds, of the POSTs (or, with `page`, of the pages they led to)
        whose outcome is `outcome` (all when None); nan when there are none."""
        values = sorted(answer.page_s if page else answer.post_s for answer in self.answers
                        if outcome is None or answer.outcome == outcome)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, max(0, round(q * len(values)) - 1))]

    def count(self, outcome: str) -> int:
        """Return how many presses ended `outcome` ("issued", "refused" or "other")."""
        return sum(answer.outcome == outcome for answer in self.answers)


# --------------------------------------------------------------------------------------------------------
# HTTP over raw sockets: 500 connections opened first, then every request written at once


@dataclass
class Answer:
    """One resident's press: what the POST answered, its seconds, and the seconds until the page it leads to
    (the POST, plus the GET a refused booking redirects to) was in."""

    status: int
    outcome: str  # "issued", "refused" or "other"
    post_s: float
    page_s: float


async def _exchange(host: str, port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_TIMEOUT_S)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), ANSWER_TIMEOUT_S)  # Connection: close: read to the end
    finally:
        writer.close()


def _head(answer: bytes) -> tuple[int, dict[str, str]]:
    """Return the status and the (lower-cased) headers of a raw HTTP answer; (0, {}) when it is not one."""
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1]) if lines[0].startswith("HTTP/") else 0
    except (IndexError, ValueError):
        return 0, {}
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return status, {name.lower(): value for name, value in headers.items()}


def _outcome(status: int, location: str) -> str:
    if status == 303 and ("/antrean/ANT-" in location or "/kios/antrean/" in location):
        return "issued"
    if status == 409 or (status == 303 and "ditolak=" in location):
        return "refused"
    return "other"


async def _send(host: str, port: int, request: bytes, cookie: str, start: asyncio.Event) -> Answer:
    """Return what one press got: its POST opened on a connection made before `start`, sent at `start`."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_TIMEOUT_S)
    await start.wait()
    began = time.perf_counter()
    try:
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), ANSWER_TIMEOUT_S)
        status, headers = _head(answer)
    except (OSError, asyncio.TimeoutError):
        status, headers = 0, {}
    finally:
        writer.close()
    posted = time.perf_counter() - began
    location = headers.get("location", "")
    outcome = _outcome(status, location)
    if outcome == "refused" and status == 303:  # the browser follows to the page that says why
        session = headers.get("set-cookie", "").split(";", 1)[0] or cookie
        follow = (f"GET {location} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {session}\r\n"
                  "Connection: close\r\n\r\n").encode()
        try:
            page_status, _ = _head(await _exchange(host, port, follow))
        except (OSError, asyncio.TimeoutError):
            page_status = 0
        if page_status not in (200, 409, 422):
            outcome = "other"
    return Answer(status, outcome, posted, time.perf_counter() - began)


async def _fire(host: str, port: int, requests: list[tuple[bytes, str]]) -> list[Answer]:
    start = asyncio.Event()
    tasks = [asyncio.create_task(_send(host, port, request, cookie, start)) for request, cookie in requests]
    await asyncio.sleep(0.5)  # every connection is open (the kernel's backlog holds what gunicorn has not taken)
    start.set()
    return await asyncio.gather(*tasks)


def fire(base_url: str, requests: list[tuple[bytes, str]]) -> list[Answer]:
    """Send every (request, cookie) at once on its own connection; return each press's Answer, in order."""
    host, port = base_url.removeprefix("http://").split(":")
    return asyncio.run(_fire(host, int(port), requests))


def post(path: str, form: dict[str, str], cookie: str) -> bytes:
    """Return the bytes of a form POST to `path` with `cookie`, closing the connection after the answer."""
    body = urlencode(form).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def open_form(url: str) -> tuple[str, str]:
    """Return the session cookie and CSRF token a form page at `url` hands out; raises BenchError otherwise."""
    page = http_get(url)
    cookie = page.headers.get("set-cookie", "").split(";", 1)[0]
    token = CSRF.search(page.raw_body.decode("utf-8", "replace"))
    if page.status != 200 or not cookie or not token:
        raise BenchError(f"{url} answered {page.status} without a session or CSRF token")
    return cookie, token[1] or token[2]


async def _open_forms(url: str, count: int) -> list[tuple[str, str]]:
    gate = asyncio.Semaphore(PREPARE_CONCURRENCY)

    async def one():
        async with gate:
            return await asyncio.to_thread(open_form, url)
    return await asyncio.gather(*(one() for _ in range(count)))


def nik(n: int) -> str:
    """Return a valid NIK of kecamatan 33.17.01 for serial `n` (distinct for n < 9999 × 28)."""
    return f"331701{n // 9999 % 28 + 1:02d}0585{n % 9999 + 1:04d}"


# --------------------------------------------------------------------------------------------------------
# The database: the clock's day, the quotas, what was issued


def office_instant() -> datetime:
    """Return 09:10 office time on the first weekday after today that is not an Indonesian holiday (real time)."""
    from zoneinfo import ZoneInfo

    import holidays

    zone = ZoneInfo("Asia/Jakarta")
    day = datetime.now(zone).date() + timedelta(days=1)
    off = holidays.Indonesia(years=[day.year, day.year + 1])
    while day.weekday() >= 5 or day in off:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 9, 10, tzinfo=zone)


def set_places(app, day: date, windows: list[str]) -> None:
    """Give each of `windows` on `day` a quota of PLACES."""
    from portal.extensions import db
    from portal.services import quotas

    with app.app_context():
        for start in windows:
            quotas.set_quota(day, PURPOSE, window_start=start, quota=PLACES)
        db.session.remove()


def window_tickets(app, day: date, start: str) -> tuple[int, bool, int]:
    """Return the window's counted tickets, whether the day's numbers have a gap or repeat, and how many NIKs
    hold more than one ticket of the day."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import QueueTicket

    with app.app_context():
        rows = db.session.execute(select(
            QueueTicket.number, QueueTicket.window_start, QueueTicket.nik, QueueTicket.state).where(
            QueueTicket.day == day, QueueTicket.purpose_code == PURPOSE)).all()
        db.session.remove()
    counted = sum(1 for row in rows if row.window_start == start and row.state != "cancelled")
    numbers = sorted(row.number for row in rows)
    niks = [row.nik for row in rows if row.nik]
    return counted, numbers != list(range(1, len(numbers) + 1)), len(niks) - len(set(niks))


# --------------------------------------------------------------------------------------------------------
# The two bursts


def booking_burst(name: str, app, server: GunicornServer, day: date, start: str) -> Burst:
    """Return the burst of RESIDENTS online bookings for the window `start` on `day`, each from its own session."""
    query = urlencode({"keperluan": PURPOSE, "hari": day.isoformat(), "jam": start})
    sessions = asyncio.run(_open_forms(f"{server.base_url}/antrean/ambil?{query}", RESIDENTS))
    requests = [(post("/antrean/ambil", {"csrf_token": token, "keperluan": PURPOSE, "hari": day.isoformat(),
                                         "jam": start, "nik": nik(n), "hp": "081210000001"}, cookie), cookie)
                for n, (cookie, token) in enumerate(sessions)]
    answers = fire(server.base_url, requests)
    return _burst(f"{name}: {RESIDENTS} bookings", app, day, start, answers)


def walk_in_burst(name: str, app, server: GunicornServer, day: date, start: str) -> Burst:
    """Return the burst of RESIDENTS walk-ins pressed at one kiosk for the window open now (`start`)."""
    cookie, token = open_form(f"{server.base_url}/kios/antrean")
    requests = [(post("/kios/antrean", {"csrf_token": token, "keperluan": PURPOSE}, cookie), cookie)] * RESIDENTS
    answers = fire(server.base_url, requests)
    return _burst(f"{name}: {RESIDENTS} walk-ins", app, day, start, answers)


def _burst(label: str, app, day: date, start: str, answers: list[Answer]) -> Burst:
    in_window, gaps, twice = window_tickets(app, day, start)
    return Burst(label, answers, in_window, gaps, twice)


def table(bursts: list[Burst]) -> str:
    """Return the bursts as a plain-text table (seconds), then what each database holds.

    "answer" is the POST's own answer; "page" adds the GET a refused booking redirects to (a refused walk-in,
    and every issued ticket, is answered by the POST alone)."""
    lines = [f"{'burst':<26} {'issued':>6} {'refused':>7} {'other':>5} {'answer p50':>10} {'p99':>5} {'max':>5} "
             f"{'refused p99':>11} {'issued p99':>10} {'page p99':>8} {'in window':>9}"]
    for burst in bursts:
        lines.append(
            f"{burst.label:<26} {burst.count('issued'):>6} {burst.count('refused'):>7} {burst.count('other'):>5} "
            f"{burst.percentile(0.5):>10.2f} {burst.percentile(0.99):>5.2f} {burst.percentile(1.0):>5.2f} "
            f"{burst.percentile(0.99, 'refused'):>11.2f} {burst.percentile(0.99, 'issued'):>10.2f} "
            f"{burst.percentile(0.99, page=True):>8.2f} {burst.in_window:>6}/{PLACES}")
    for burst in bursts:
        problems = [f"{burst.in_window - PLACES} oversold"] if burst.in_window > PLACES else []
        problems += ["numbers with a gap or repeat"] if burst.gaps_or_repeats else []
        problems += [f"{burst.nik_twice} NIKs twice"] if burst.nik_twice else []
        lines.append(f"{burst.label}: " + ("; ".join(problems) or
                                            "0 oversold, 0 duplicates, numbers without a gap or a repeat"))
    return "\n".join(lines)


def check(bursts: list[Burst]) -> None:
    """Raise BenchError when a burst oversold, duplicated, numbered wrongly or answered other than 303/409."""
    for burst in bursts:
        if burst.in_window > PLACES or burst.gaps_or_repeats or burst.nik_twice or burst.count("other"):
            raise BenchError(f"{burst.label} went wrong:\n{table([burst])}")
        if burst.count("issued") != PLACES:
            raise BenchError(f"{burst.label}: {burst.count('issued')} tickets issued for {PLACES} places")


def run_bursts(name: str, env: dict[str, str], workdir, settings, servers, app_factory) -> list[Burst]:
    """Serve the portal on the database of `env` with its clock at an office hour; return both bursts.

    `app_factory(database_url)` returns an app for setting quotas and reading tickets from this process.
    Raises BenchError when something could not be measured or the tickets are wrong.
    """
    now = office_instant()
    app = app_factory(env["DATABASE_URL"])
    walk_in_window, booking_window = f"{now:%H}:00", f"{now.hour + 1:02d}:00"
    set_places(app, now.date(), [walk_in_window, booking_window])
    server = GunicornServer(f"burst-{name}", CLOCKED_APP, {**env, "LOKET_BENCH_NOW": now.isoformat()}, workdir,
                            settings)
    servers.callback(server.stop)
    server.start("/antrean")
    print(f"  {name}: {RESIDENTS} bookings, then {RESIDENTS} walk-ins, at once, for {PLACES} places "
          f"(clock {now:%Y-%m-%d %H:%M} WIB) ...", flush=True)
    bursts = [booking_burst(name, app, server, now.date(), booking_window),
              walk_in_burst(name, app, server, now.date(), walk_in_window)]
    server.stop()
    check(bursts)
    return bursts
