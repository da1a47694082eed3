"""Loket's ticket-issuing benchmark: online bookings per second under gunicorn with 4 workers, on SQLite and on
PostgreSQL, beside the bare Flask app's requests/s under the same settings.

Run from the repository root: `.venv/bin/python bench/tickets.py [--duration SECONDS | --quick]
[--postgres URL | --no-postgres]`.

In one run it
  1. serves the bare app of `bench/hello_app.py` under gunicorn and loads its `/` with wrk (the baseline);
  2. for each database — a fresh SQLite file in a temporary directory, then PostgreSQL — builds the schema
     and the seed (`flask db upgrade` + `flask seed`), sets a KTP quota that cannot run out on the first open
     day after today, serves the portal (`wsgi:app`) with the same gunicorn settings, opens the booking form
     once for a session cookie and CSRF token, and loads `POST /antrean/ambil` with wrk: every request books
     a ticket for a new NIK (a Lua script numbers them per wrk thread), the windows taken in turn;
  3. checks what was issued (tickets counted in the database, numbers 1..N without a gap) and prints
     tickets/s (bookings answered 303 per second), wrk's requests/s, p50 and p99 of the POST, and the ratio
     to the bare app's requests/s.

A successful booking answers 303 (wrk counts it as a success); a 409 (quota or NIK refused) or anything
else counts as an error. PostgreSQL: `--postgres URL` names a database the benchmark may empty (its `public`
schema is dropped); without it, as root on Debian, the local cluster is started and a fresh `loket_bench`
database made (`bench.common.local_postgres`); when neither works, PostgreSQL is skipped with the reason.

It is a report, not a test: the exit code is 0 when every figure was measured, 1 when something could not be
measured, 130 on Ctrl-C. The gunicorn processes are always stopped.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, so that `bench.*` imports

from bench.common import (BenchError, GunicornServer, exit_on_failure, http_get,  # noqa: E402
                          interrupt_on_sigterm, local_postgres, portal_environment, prepare_database)
from bench.burst import run_bursts  # noqa: E402
from bench.burst import table as burst_table  # noqa: E402
from bench.run import WrkResult, parse_wrk  # noqa: E402

WORKERS = 4
GUNICORN_SETTINGS = ("--workers", str(WORKERS), "--worker-class", "sync", "--backlog", "2048", "--timeout", "30",
                     "--graceful-timeout", "5", "--log-level", "warning")
HELLO_APP = "bench.hello_app:app"
PORTAL_APP = "wsgi:app"
WRK_THREADS = 2
WRK_CONNECTIONS = 32
WRK_TIMEOUT = "10s"  # wrk's default of 2 s counts a slow booking as failed; it is slow, and measured as such
PURPOSE = "KTP"
DAY_QUOTA = 1_000_000  # per window: the benchmark measures issuing, not refusals
# Each wrk run numbers its NIKs from its own offset, so no NIK books twice in the same day (see LUA).
RUN_OFFSET = 100_000_000

# One POST per request; `init` receives the form (without the NIK), the cookie, the windows and an offset.
# A NIK is 331701 (kecamatan 33.17.01) + DDMMYY (a real date, years 1930-1999) + a serial 0001-9999.
LUA = r"""
local counter, offset, base, windows = 0, 0, "", {}

function setup(thread)
  thread:set("id", (setup_count or 0))
  setup_count = (setup_count or 0) + 1
end

function init(args)
  offset = tonumber(args[1])
  base = args[2]
  wrk.headers["Cookie"] = args[3]
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  for window in string.gmatch(args[4], "[^,]+") do table.insert(windows, window) end
end

local function nik(n)
  local serial = n % 9999 + 1
  local rest = math.floor(n / 9999)
  local day = rest % 28 + 1
  local month = math.floor(rest / 28) % 12 + 1
  local year = math.floor(rest / 336) % 70 + 30
  return string.format("331701%02d%02d%02d%04d", day, month, year, serial)
end

request = function()
  counter = counter + 1
  local n = offset + id * 10000000 + counter
  local body = base .. "&jam=" .. windows[counter % #windows + 1] .. "&nik=" .. nik(n)
  return wrk.format("POST", "/antrean/ambil", nil, body)
end
"""

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')


@dataclass
class Row:
    """One line of the table: a target, what wrk measured and, for bookings, the tickets in the database."""

    label: str
    result: WrkResult
    issued: int | None = None  # tickets in the database after the run, warm-up included: numbered 1..issued

    @property
    def tickets_per_s(self) -> float | None:
        """Return the bookings answered per second (wrk's requests/s less its failures), None for the baseline."""
        if self.issued is None:
            return None
        return self.result.requests_per_s * (1 - self.result.errors / max(1, self.result.requests))


# --------------------------------------------------------------------------------------------------------
# Setting up a database


def portal_app(database_url: str):
    """Return a portal app on `database_url` for setting quotas and counting tickets from this process."""
    from portal import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "TESTING": False})


def empty_postgres(database_url: str) -> None:
    """Drop and recreate the `public` schema of `database_url` (everything in it goes). Raises BenchError."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except Exception as error:  # noqa: BLE001 -- any driver error means the database cannot be used
        raise BenchError(f"cannot empty {database_url}: {error}") from error
    finally:
        engine.dispose()


def booking_day(app) -> tuple[date, list[str]]:
    """Set a quota that cannot run out on every KTP window of the first open day after today (real time);
    return the day and its windows' starts ("08:00", ...). Raises BenchError when no such day is offered."""
    from portal.extensions import db
    from portal.services import calendar, queue, quotas

    with app.app_context():
        now = datetime.now(calendar.office_zone())
        purpose = queue.purpose(PURPOSE)
        today = queue.today(now)
        offer = next((offer for offer in queue.offers(purpose, now) if offer.day > today), None)
        if offer is None:
            raise BenchError(f"no open {PURPOSE} day after today is offered")
        quotas.set_quota(offer.day, PURPOSE, quota=DAY_QUOTA)
        db.session.remove()
        return offer.day, [f"{slot.window.start:%H:%M}" for slot in offer.slots]


def issued_numbers(app, day: date) -> list[int]:
    """Return the sorted numbers of the KTP tickets issued for `day`, once no more are being issued.

    wrk stops answering at the end of its run, but the requests gunicorn has already accepted are still
    served: the count is read until it stays the same for half a second (at most 30 s).
    """
    numbers, deadline = _numbers(app, day), time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.5)
        again = _numbers(app, day)
        if again == numbers:
            break
        numbers = again
    return numbers


def _numbers(app, day: date) -> list[int]:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import QueueTicket

    with app.app_context():
        numbers = sorted(db.session.scalars(select(QueueTicket.number).where(
            QueueTicket.day == day, QueueTicket.purpose_code == PURPOSE)))
        db.session.remove()
        return numbers


def session_and_token(server: GunicornServer, day: date, window: str) -> tuple[str, str]:
    """Open the booking form once; return its session cookie and CSRF token (one session posts every booking).

    Raises BenchError when the form does not answer 200 with both.
    """
    query = urlencode({"keperluan": PURPOSE, "hari": day.isoformat(), "jam": window})
    page = http_get(f"{server.base_url}/antrean/ambil?{query}")
    cookie = page.headers.get("set-cookie", "").split(";", 1)[0]
    tag = CSRF.search(page.raw_body.decode("utf-8", "replace"))
    if page.status != 200 or not cookie or not tag:
        raise BenchError(f"the booking form answered {page.status} without a session or CSRF token")
    return cookie, VALUE.search(tag[0])[1]


# --------------------------------------------------------------------------------------------------------
# Measuring


def wrk(url: str, duration: float, script: Path | None = None, args: list[str] = ()) -> WrkResult:
    """Return what `wrk -t2 -c32 -d<duration>s --timeout 10s --latency [-s script] url [-- args]` measures.

    Raises BenchError when wrk fails or prints something unreadable.
    """
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{duration:g}s", "--timeout", WRK_TIMEOUT,
               "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    if args:
        command += ["--", *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"wrk failed on {url}:\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


def measure_hello(env: dict[str, str], workdir: Path, duration: float, warmup: float, servers: ExitStack) -> Row:
    """Return the bare app's row: `/` under the same gunicorn settings, after a warm-up run."""
    hello = GunicornServer("hello", HELLO_APP, env, workdir, GUNICORN_SETTINGS)
    servers.callback(hello.stop)
    hello.start()
    print(f"  hello /                     warm-up {warmup:g} s, load {duration:g} s ...", flush=True)
    wrk(hello.base_url + "/", warmup)
    result = wrk(hello.base_url + "/", duration)
    hello.stop()
    return Row("hello / (bare Flask)", result)


def measure_bookings(name: str, env: dict[str, str], workdir: Path, duration: float, warmup: float,
                     servers: ExitStack) -> Row:
    """Return the booking row of the database named in `env`: prepare it, serve the portal, load the POST.

    Raises BenchError when a booking fails (a non-3xx answer) or the numbers issued are not 1..N.
    """
    prepare_database(env)
    app = portal_app(env["DATABASE_URL"])
    day, windows = booking_day(app)
    portal = GunicornServer(f"portal-{name}", PORTAL_APP, env, workdir, GUNICORN_SETTINGS)
    servers.callback(portal.stop)
    portal.start("/antrean")
    cookie, token = session_and_token(portal, day, windows[0])
    script = workdir / "book.lua"
    script.write_text(LUA)
    base = urlencode({"csrf_token": token, "keperluan": PURPOSE, "hari": day.isoformat(), "hp": "081210000001"})
    url = portal.base_url + "/antrean/ambil"
    print(f"  {name}: POST /antrean/ambil    warm-up {warmup:g} s, load {duration:g} s ...", flush=True)
    wrk(url, warmup, script, [str(0), base, cookie, ",".join(windows)])
    issued_numbers(app, day)  # the warm-up's last bookings are served before the measured run starts
    result = wrk(url, duration, script, [str(RUN_OFFSET), base, cookie, ",".join(windows)])
    numbers = issued_numbers(app, day)
    portal.stop()
    if result.errors:
        raise BenchError(f"{result.errors} bookings failed on {name} ({result.non_2xx_3xx} answered 4xx/5xx, "
                         f"socket errors {result.socket_errors}):\n{portal.log_tail()}")
    if numbers != list(range(1, len(numbers) + 1)):
        raise BenchError(f"{name}: the numbers issued are not 1..{len(numbers)} without a gap")
    return Row(f"{name}: POST /antrean/ambil", result, len(numbers))


def table(rows: list[Row], hello_rps: float) -> str:
    """Return the rows as a plain-text table, and under it what each database issued."""
    lines = [f"{'target':<34} {'tickets/s':>9} {'requests/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6} "
             f"{'errors':>6}"]
    for row in rows:
        tickets = "" if row.tickets_per_s is None else f"{row.tickets_per_s:.1f}"
        lines.append(f"{row.label:<34} {tickets:>9} {row.result.requests_per_s:>10.1f} {row.result.p50_ms:>7.1f} "
                     f"{row.result.p99_ms:>7.1f} {row.result.requests_per_s / hello_rps:>6.2f} "
                     f"{row.result.errors:>6}")
    for row in rows:
        if row.issued is not None:
            lines.append(f"{row.label.split(':')[0]}: {row.issued} tickets in the database (warm-up included), "
                         f"numbered 1..{row.issued} without a gap or a repeat")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------
# Running


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Return the options: `duration`, `warmup`, `postgres` (a URL, or None) and `no_postgres`."""
    parser = argparse.ArgumentParser(description="Loket's ticket-issuing benchmark (SQLite and PostgreSQL).")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per target (default 10)")
    parser.add_argument("--quick", action="store_true", help="3 s per target (overrides --duration)")
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("LOKET_BENCH_POSTGRES_URL"),
                        help="a PostgreSQL database the benchmark may empty (default: $LOKET_BENCH_POSTGRES_URL, "
                             "else a fresh loket_bench on the local cluster when run as root)")
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument("--burst-only", action="store_true", help="only the bursts of 500 at once (no wrk load)")
    parser.add_argument("--no-burst", action="store_true", help="only the wrk load (no bursts)")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = 3.0
    if args.duration <= 0:
        parser.error("--duration must be positive")
    args.warmup = 1.0 if args.duration < 10 else 2.0
    return args


def postgres_url(args: argparse.Namespace) -> str | None:
    """Return the PostgreSQL database to measure, emptied, or None (with the reason printed) to skip it."""
    if args.no_postgres:
        return None
    try:
        if args.postgres:
            empty_postgres(args.postgres)
            return args.postgres
        return local_postgres("loket_bench")
    except BenchError as error:
        print(f"PostgreSQL skipped: {error}", flush=True)
        return None


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 0 when everything was measured.

    Raises SystemExit(1) when something could not be measured and SystemExit(130) on Ctrl-C or SIGTERM.
    """
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk; or `bash scripts/system-deps.sh bench`)",
              file=sys.stderr)
        return 2
    interrupt_on_sigterm()
    with (exit_on_failure("\nbenchmark failed: ", "\ninterrupted; servers stopped"),
          tempfile.TemporaryDirectory(prefix="loket-bench-tickets-") as tmp, ExitStack() as servers):
        workdir = Path(tmp)
        env = portal_environment(workdir)
        env.update({"LOKET_QUEUE_LIMIT": "100000000 per minute", "LOKET_KIOSK_LIMIT": "100000000 per minute"})
        print(f"gunicorn {' '.join(GUNICORN_SETTINGS[:4])}; wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} "
              f"-d{args.duration:g}s, one target at a time", flush=True)
        rows: list[Row] = []
        if not args.burst_only:
            hello = measure_hello(env, workdir, args.duration, args.warmup, servers)
            rows.append(hello)
            print(f"SQLite: a fresh database in {workdir} (migrate + seed)", flush=True)
            rows.append(measure_bookings("SQLite", env, workdir, args.duration, args.warmup, servers))
        pg = postgres_url(args)
        if pg is not None and not args.burst_only:
            print("PostgreSQL: a fresh database (migrate + seed)", flush=True)
            rows.append(measure_bookings("PostgreSQL", {**env, "DATABASE_URL": pg}, workdir, args.duration,
                                         args.warmup, servers))
        bursts = []
        if not args.no_burst:
            print("Bursts: a fresh database each (migrate + seed)", flush=True)
            burst_env = {**env, "DATABASE_URL": f"sqlite:///{workdir / 'burst.db'}"}
            prepare_database(burst_env)
            bursts += run_bursts("SQLite", burst_env, workdir, GUNICORN_SETTINGS, servers, portal_app)
            if pg is not None:
                empty_postgres(pg)
                prepare_database({**env, "DATABASE_URL": pg})
                bursts += run_bursts("PostgreSQL", {**env, "DATABASE_URL": pg}, workdir, GUNICORN_SETTINGS,
                                     servers, portal_app)
    if rows:
        print(f"\nTicket issuing (gunicorn {WORKERS} sync workers; tickets/s = bookings answered per second; "
              f"ratio = requests/s ÷ the bare app's)")
        print(table(rows, rows[0].result.requests_per_s))
    if bursts:
        print(f"\nBursts (gunicorn {WORKERS} sync workers; seconds from sending to the end of the answer; "
              "refused = 409, issued = 303)")
        print(burst_table(bursts))
    return 0


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print(f"\n({time.monotonic() - started:.0f} s)")
    sys.exit(code)
