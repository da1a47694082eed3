"""CONCURRENCY: hundreds of residents press "Ambil tiket" at the same instant, served by gunicorn with four
worker processes on the run's database (SQLite or PostgreSQL, see `database_url`).

Every simulated resident first opens the booking form (their own session cookie and CSRF token); then all
the POSTs are released at once. Whatever the interleaving, the tickets must come out as if issued one by one:
no 5xx, numbers unique and contiguous from 1 for the prefix, no window over its quota, one ticket per NIK.

gunicorn cannot be handed the test clock, so the booking day is picked from the real "now": the first open
day after today, whose windows cannot end while the test runs; their quotas are set by the test.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import QueueTicket
from portal.services import calendar, queue, quotas

pytestmark = pytest.mark.concurrency

REPO = Path(__file__).resolve().parents[2]
WORKERS = 4
CROWD = 500  # distinct NIKs racing for one window
QUOTA = 300  # that window's quota: 200 of them must be refused as full
PAIRS = 20  # NIKs sent twice at once, for a second window with room to spare: one of each pair is refused
ROOMY_QUOTA = 1000
PURPOSE = "KTP"
START_TIMEOUT_S = 60  # four workers import the portal at once; slow on a busy machine
REQUEST_TIMEOUT_S = 60
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')
TICKET_PATH = re.compile(r"^(?:https?://[^/]+)?/antrean/(ANT-[A-Z0-9]{4}-[A-Z0-9]{4})$")
REFUSED = re.compile(r"^(?:https?://[^/]+)?/antrean/ambil\?.*\bditolak=(\w+)")


def nik(index: int) -> str:
    """Return a valid, distinct NIK of kecamatan 33.17.01 for `index` (0..9998): a real birth date, serial ≠ 0000."""
    day, month = 1 + index % 28, 1 + (index // 28) % 12
    return f"331701{day:02d}{month:02d}80{index + 1:04d}"


def phone(index: int) -> str:
    """Return a valid Indonesian mobile number for `index`."""
    return f"0812{10_000_000 + index}"


@dataclass
class Client:
    """One simulated resident: their session cookie and CSRF token, and what they will post."""

    cookie: str
    token: str
    fields: dict[str, str]


@dataclass
class Outcome:
    """What one POST answered: the status and the ticket code it redirected to (issued), or the refusal it
    redirected back to the booking form with (refused)."""

    fields: dict[str, str]
    status: int
    code: str | None
    refusal: str | None = None

    @property
    def outcome(self) -> str:
        """Return "issued", "refused" or "other"."""
        return "issued" if self.code else "refused" if self.refusal else "other"


class Gunicorn:
    """gunicorn serving `wsgi:app` with `workers` sync workers (WORKERS) on a free port, in its own process
    group."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = WORKERS) -> None:
        self.workers = workers
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn) if gunicorn.exists() else sys.executable, *([] if gunicorn.exists() else
                   ["-m", "gunicorn"]), "--workers", str(self.workers), "--worker-class", "sync", "--backlog", "2048",
                   "--timeout", "60", "--bind", f"127.0.0.1:{self.port}", "--error-logfile", str(self.log),
                   "wsgi:app"]
        self.process = subprocess.Popen(command, cwd=REPO, env=self.env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if self.request("GET", "/antrean")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        pytest.fail(f"gunicorn did not answer within {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def __exit__(self, *_exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        """Return (status, headers, body text) of one request; redirects are not followed."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S)
        try:
            connection.request(method, path, body, headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no gunicorn log)"


def open_form(server: Gunicorn, fields: dict[str, str]) -> Client:
    """GET the booking form for `fields`' purpose, day and window; return the client with its cookie and token."""
    query = urlencode({key: fields[key] for key in ("keperluan", "hari", "jam")})
    status, headers, body = server.request("GET", f"/antrean/ambil?{query}")
    assert status == 200, f"the booking form answered {status}"
    cookie = "; ".join(value.split(";", 1)[0] for value in headers.get_all("Set-Cookie") or ())
    tag = CSRF.search(body)
    assert cookie and tag, "the booking form gave no session cookie or CSRF token"
    return Client(cookie, VALUE.search(tag[0])[1], fields)


def release_at_once(server: Gunicorn, clients: list[Client]) -> list[Outcome]:
    """POST every client's form from its own thread: each connects, waits at a barrier, and all send together.

    Returns the outcomes in the clients' order.
    """
    barrier = threading.Barrier(len(clients))
    outcomes: list[Outcome | BaseException | None] = [None] * len(clients)

    def post(index: int, client: Client) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=REQUEST_TIMEOUT_S)
        try:
            connection.connect()
            body = urlencode({"csrf_token": client.token, **client.fields})
            headers = {"Cookie": client.cookie, "Content-Type": "application/x-www-form-urlencoded"}
            barrier.wait(timeout=REQUEST_TIMEOUT_S)
            connection.request("POST", "/antrean/ambil", body, headers)
            response = connection.getresponse()
            response.read()
            location = response.headers.get("Location") or ""
            found, refused = TICKET_PATH.match(location), REFUSED.match(location)
            outcomes[index] = Outcome(client.fields, response.status, found[1] if found else None,
                                      refused[1] if refused else None)
        except BaseException as error:  # reported by the test, not lost in a thread
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(index, client), daemon=True)
               for index, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT_S * 2)
    failures = [outcome for outcome in outcomes if not isinstance(outcome, Outcome)]
    assert not failures, f"{len(failures)} requests failed on the client side, e.g. {failures[0]!r}"
    return outcomes  # type: ignore[return-value]


@pytest.fixture
def booking(app, clock):
    """Set the quotas of the first two windows of the first open KTP day after today (real time), committed;
    return (day, crowded window start, roomy window start)."""
    with app.app_context():
        clock.now = datetime.now(calendar.office_zone())
        purpose = queue.purpose(PURPOSE)
        today = queue.today(clock.now)
        offer = next(offer for offer in queue.offers(purpose, clock.now) if offer.day > today)
        crowded, roomy = (f"{slot.window.start:%H:%M}" for slot in offer.slots[:2])
        quotas.set_quota(offer.day, PURPOSE, window_start=crowded, quota=QUOTA)
        quotas.set_quota(offer.day, PURPOSE, window_start=roomy, quota=ROOMY_QUOTA)
        db.session.remove()
    return offer.day, crowded, roomy


def server_environment(database_url: str, redis_url: str) -> dict[str, str]:
    """Return the environment of the gunicorn under test: the run's database, rate limits shared through the
    run's Redis (gunicorn refuses several workers otherwise) under a key prefix of their own, generous queue
    limits, plain HTTP."""
    env = dict(os.environ)
    env.pop("FLASK_DEBUG", None)
    env.update({
        "DATABASE_URL": database_url,
        "SECRET_KEY": "concurrency-test",
        "LOKET_SECURE_COOKIES": "0",
        "LOKET_QUEUE_LIMIT": "100000 per minute",
        "LOKET_QUEUE_LOOKUP_LIMIT": "100000 per minute",
        "LOKET_KIOSK_LIMIT": "100000 per minute",
        "LOKET_RATELIMIT_STORAGE_URI": redis_url,
        "LOKET_RATELIMIT_KEY_PREFIX": secrets.token_hex(4),
        "PYTHONUNBUFFERED": "1",
    })
    return env


def test_simultaneous_bookings_never_share_a_number_or_overfill_a_window(app, booking, database_url, redis_url,
                                                                         tmp_path):
    day, crowded, roomy = booking
    base = {"keperluan": PURPOSE, "hari": day.isoformat()}
    crowd = [{**base, "jam": crowded, "nik": nik(index), "hp": phone(index)} for index in range(CROWD)]
    pairs = [{**base, "jam": roomy, "nik": nik(CROWD + index), "hp": phone(CROWD + index)} for index in range(PAIRS)]
    env = server_environment(database_url, redis_url)
    env["LOKET_STORAGE_URL"] = f"file://{tmp_path / 'files'}"

    with Gunicorn(env, tmp_path / "gunicorn.log") as server:
        with ThreadPoolExecutor(16) as pool:
            clients = list(pool.map(lambda fields: open_form(server, fields), crowd + pairs + pairs))
        outcomes = release_at_once(server, clients)
        log = server.log_tail()

    statuses = [outcome.status for outcome in outcomes]
    assert not [status for status in statuses if status >= 500], f"server errors:\n{log}"
    assert set(statuses) == {303}, sorted(set(statuses))  # issued, or refused back to the form: never in place
    assert {outcome.outcome for outcome in outcomes} == {"issued", "refused"}
    crowd_outcomes, pair_outcomes = outcomes[:CROWD], outcomes[CROWD:]
    assert sum(outcome.code is not None for outcome in crowd_outcomes) == min(QUOTA, CROWD)
    assert {outcome.refusal for outcome in crowd_outcomes if outcome.refusal} == {"full"}
    assert sum(outcome.code is not None for outcome in pair_outcomes) == PAIRS
    for index in range(PAIRS):  # exactly one of the two requests of each NIK got a ticket
        first, second = pair_outcomes[index], pair_outcomes[PAIRS + index]
        assert sorted((first.outcome, second.outcome)) == ["issued", "refused"]
        assert "duplicate" in (first.refusal, second.refusal)

    with app.app_context():
        tickets = db.session.scalars(select(QueueTicket).where(QueueTicket.day == day)).all()
    issued = min(QUOTA, CROWD) + PAIRS
    assert len(tickets) == issued
    assert sorted(ticket.number for ticket in tickets) == list(range(1, issued + 1))
    assert {ticket.prefix for ticket in tickets} == {"A"}
    in_crowded = [ticket for ticket in tickets if ticket.window_start == crowded]
    in_roomy = [ticket for ticket in tickets if ticket.window_start == roomy]
    assert len(in_crowded) == min(QUOTA, CROWD)  # never over quota
    assert len(in_roomy) == PAIRS
    for window in (in_crowded, in_roomy):  # each window's places in line handed out once each, from 1
        assert sorted(ticket.position for ticket in window) == list(range(1, len(window) + 1))
    assert len({ticket.nik for ticket in tickets}) == len(tickets)  # one ticket per NIK
    assert {ticket.code for ticket in tickets} == {outcome.code for outcome in outcomes if outcome.code}
    assert {ticket.nik: ticket.phone for ticket in tickets} == {
        outcome.fields["nik"]: "+62" + outcome.fields["hp"][1:] for outcome in outcomes if outcome.code}
