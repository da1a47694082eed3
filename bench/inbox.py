"""The clerk's inbox at 10 k and 1 M applications: p95 latency over HTTP for typical filters, and its growth.

Run from the repository root: `.venv/bin/python bench/inbox.py [--sizes 10000,1000000] [--requests 200]
[--no-postgres | --no-sqlite] [--analyze] [--proposed-indexes] [--plans]`.

For each database (SQLite, then PostgreSQL when available) it
  1. builds a fresh database per size (`flask db upgrade` + `flask seed`) and seeds the applications with
     `bench/seed_applications.py` (timed; SQLite by executemany, PostgreSQL by COPY, then VACUUM ANALYZE
     as autovacuum would; SQLite is analyzed only with --analyze, as a fresh deployment has no statistics);
  2. prints the query plan (EXPLAIN QUERY PLAN / EXPLAIN) of the page and count queries behind every
     target and flags a full scan of `application` (`--plans` prints every plan);
  3. serves every size at once, one gunicorn (one sync worker) each, signs a clerk in to each over HTTP
     (the sign-in form and its CSRF token, as a browser does) and times every target in rounds of one
     request per size after a warm-up, so that the other work on the machine slows every size alike;
  4. prints p50 and p95 per target and size, then the growth of p95 from the smallest to the largest size
     (budget in design/quality.md: <= 1.5x), and writes the figures to bench/results/inbox.json.

The targets are the inbox's typical uses: the default queue (and a page deep in it), "waiting, one service,
one kecamatan" (the first page, and a deep page when there is one), the same for collected applications (a
set that grows with the years), every status at once, and searches by reference, NIK and name.
`--proposed-indexes` adds the indexes this benchmark found missing (PROPOSED_INDEXES) to measure them
before a migration exists. A deep page is the one after the
row in the middle of the filter's results: the key its "Berikutnya" link would carry there.

PostgreSQL: as root on a machine with Debian's PostgreSQL, `bench.common.local_postgres` makes fresh
`loket_bench_inbox_<size>` databases; `--postgres URL` (one size) uses that database, emptied; otherwise
PostgreSQL is skipped. It is a report, not a test: exit code 0 when everything was measured, whatever the
figures.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, so that `bench.common` imports

from bench import common  # noqa: E402
from bench.common import (REPO, BenchError, GunicornServer, exit_on_failure, interrupt_on_sigterm,  # noqa: E402
                          portal_environment, prepare_database)
from bench.seed_applications import BENCH_PASSWORD, CLERKS  # noqa: E402

RESULTS_FILE = REPO / "bench" / "results" / "inbox.json"  # inbox-proposed.json with --proposed-indexes
GUNICORN_SETTINGS = ("--workers", "1", "--worker-class", "sync", "--timeout", "60", "--log-level", "warning")
SERVICE, KECAMATAN = "KTP_BARU", "33.17.07"  # the most asked-for service; Kecamatan Rembang (the town)
GROWTH_BUDGET = 1.5
WARMUP = 10
SLOW_MS, SLOW_REQUESTS = 150, 30  # a target slower than this (a missing index) is timed fewer times
PG_DATABASE = "loket_bench_inbox"
# Indexes this benchmark found missing (--proposed-indexes adds them after seeding; the migrations do not have
# them yet): counts under service and kecamatan filters read only the index; a name search has an index; the
# "all statuses" list walks the submission order.
PROPOSED_INDEXES = (
    "CREATE INDEX ix_application_inbox_counts ON application (state, service_code, region_code)",
    "CREATE INDEX ix_application_name ON application (lower(full_name))",
    "CREATE INDEX ix_application_submitted ON application (submitted_at, id)",
)


@dataclass
class Target:
    """One inbox URL to time, and the filter it stands for."""

    name: str
    params: dict[str, str]
    rows_in_filter: int | None = None  # how many applications the filter holds (None: not counted)


@dataclass
class Timing:
    """What the requests to one target measured, in milliseconds."""

    p50: float
    p95: float
    p99: float
    requests: int
    bytes: int


@dataclass
class SizeResult:
    """One database at one size: how long seeding took, the plans' warnings, and the timings per target."""

    database: str
    size: int
    seed_seconds: float
    rows_per_second: float
    plan_warnings: list[str] = field(default_factory=list)
    timings: dict[str, Timing] = field(default_factory=dict)
    targets: dict[str, dict] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------------
# Databases


def sqlite_url(workdir: Path, size: int) -> str:
    """Return the URL of a fresh SQLite file for `size` in `workdir` (any old one removed)."""
    path = workdir / f"inbox-{size}.db"
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def postgres_url(given: str | None, size: int) -> str:
    """Return the URL of an empty PostgreSQL database for `size`: `given` with its public schema dropped and made
    again (one size only), or a fresh local `loket_bench_inbox_<size>`. Raises BenchError when neither can be had."""
    if given:
        from sqlalchemy import create_engine, text

        engine = create_engine(given.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return given
    local = getattr(common, "local_postgres", None)
    if local is None:
        raise BenchError("no --postgres URL and bench.common has no local_postgres helper")
    return local(f"{PG_DATABASE}_{size}")


def seed(env: dict[str, str], size: int, analyze: bool) -> tuple[float, float]:
    """Seed `size` applications into env's database with bench/seed_applications.py; return (seconds, rows/s).

    Raises BenchError with the seeder's output when it fails.
    """
    command = [sys.executable, str(REPO / "bench" / "seed_applications.py"), "--count", str(size),
               "--database-url", env["DATABASE_URL"], *(["--analyze"] if analyze else [])]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"seeding failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    seconds = time.perf_counter() - started
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds, figures["rows_per_second"]


# --------------------------------------------------------------------------------------------------------
# Targets, deep keys and plans (in-process, on the same database)


def _app(env: dict[str, str]):
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    os.environ["SECRET_KEY"] = env["SECRET_KEY"]
    from portal import create_app

    return create_app()


def _close(app) -> None:
    """Close the in-process app's connections (PostgreSQL cannot drop a database someone is connected to)."""
    from portal.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def build_targets(app) -> list[Target]:
    """Return the targets, with the deep keys and search terms read from the seeded rows."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import Application
    from portal.staff import inbox

    def deep(params: dict[str, str], name: str) -> list[Target]:
        filters, errors = inbox.read_filter(params, inbox._services(), inbox._regions())
        assert not errors, errors
        ordered = inbox._narrowed(select(Application.submitted_at, Application.id), filters) \
            .where(inbox._state_clause(filters.states()))
        total = db.session.scalar(select(func.count()).select_from(ordered.subquery()))
        first = Target(name, params, total)
        if total <= inbox.PAGE_SIZE:
            return [first]
        middle = db.session.execute(ordered.order_by(Application.submitted_at, Application.id)
                                    .offset(total // 2).limit(1)).one()
        return [first, Target(f"{name}, deep page", {**params, "setelah": inbox.encode_key(tuple(middle))}, total)]

    with app.app_context(), app.test_request_context():
        sample = db.session.execute(select(Application.reference, Application.nik, Application.full_name)
                                    .where(Application.submitted_at.is_not(None)).order_by(Application.id.desc())
                                    .limit(1)).one()
        targets = [
            *deep({}, "queue (default)"),
            *deep({"status": "submitted", "layanan": SERVICE, "wilayah": KECAMATAN}, "waiting + service + kecamatan"),
            *deep({"status": "collected", "layanan": SERVICE, "wilayah": KECAMATAN},
                  "collected + service + kecamatan"),
            Target("all statuses", {"status": "semua"}),
            Target("search: reference", {"cari": sample.reference.lower()}),
            Target("search: NIK", {"cari": sample.nik}),
            Target("search: name", {"cari": sample.full_name.split()[0] + " " + (sample.full_name.split() + ["A"])[1][:2]}),
        ]
    return targets


def explain(app, targets: list[Target]) -> tuple[list[str], list[str]]:
    """Return (warnings, plans): the plan of every target's page and count queries, and a warning for each full
    scan or sort of `application` (an index is missing or not used)."""
    from sqlalchemy import event

    from portal.extensions import db
    from portal.staff import inbox

    warnings, plans = [], []
    with app.app_context(), app.test_request_context():
        engine = db.engine
        prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "

        def add_explain(conn, cursor, statement, parameters, context, executemany):
            return prefix + statement, parameters

        services, regions = inbox._services(), inbox._regions()
        for target in targets:
            filters, _errors = inbox.read_filter(target.params, services, regions)
            key = inbox.decode_key(target.params.get("setelah"))
            for label, query in (("page", inbox.page_query(filters, key)), ("counts", inbox.counts_query(filters))):
                event.listen(engine, "before_cursor_execute", add_explain, retval=True)
                try:
                    rows = [" | ".join(str(part) for part in row) for row in db.session.connection().execute(query)]
                finally:
                    event.remove(engine, "before_cursor_execute", add_explain)
                plans.append(f"-- {target.name}: {label}\n" + "\n".join(rows))
                warnings += [f"{target.name} ({label}): {row.strip()}" for row in rows if _bad(row)]
            db.session.rollback()
    return warnings, plans


def _bad(plan_line: str) -> bool:
    """Return True for a plan line that reads the whole `application` table (no index narrows it).

    A sort is not flagged: after an index lookup by NIK or reference it sorts a handful of rows. A scan that
    walks an index over every listed state (a name search) is not flagged either; the timings show it.
    """
    line = plan_line.upper()
    return ("SCAN APPLICATION" in line and "USING" not in line) or "SEQ SCAN ON APPLICATION" in line


# --------------------------------------------------------------------------------------------------------
# HTTP


class Browser:
    """A cookie-keeping HTTP client signed in as a clerk."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, bytes]:
        """Return (status, body) of GET `path`; HTTP errors are returned, not raised."""
        try:
            with self.opener.open(self.base_url + path, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def sign_in(self, username: str, password: str) -> None:
        """Sign in through the form. Raises BenchError when the inbox does not open afterwards."""
        _status, page = self.get("/masuk")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
        if token is None:
            raise BenchError("no CSRF token on /masuk")
        form = urllib.parse.urlencode({"csrf_token": token.group(1).decode(), "username": username,
                                       "password": password}).encode()
        try:
            self.opener.open(self.base_url + "/masuk", data=form, timeout=30).read()
        except urllib.error.HTTPError as error:
            raise BenchError(f"sign-in failed with {error.code}") from error
        status, page = self.get("/petugas")
        if status != 200 or b"Kotak masuk" not in page:
            raise BenchError(f"signed in, but /petugas answered {status}")


def _percentiles(samples: list[float], size: int) -> Timing:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return Timing(round(statistics.median(samples), 2), round(cuts[94], 2), round(cuts[98], 2), len(samples), size)


def _path(target: Target) -> str:
    return "/petugas" + ("?" + urllib.parse.urlencode(target.params) if target.params else "")


def time_interleaved(browsers: dict[int, Browser], targets: dict[int, Target], requests: int) -> dict[int, Timing]:
    """Return the latency of one target at every size: a warm-up, then `requests` rounds of one GET per size,
    so that whatever else the machine does slows every size alike (SLOW_REQUESTS rounds only when the warm-up
    is slower than SLOW_MS somewhere). Raises BenchError on a non-200."""
    samples: dict[int, list[float]] = {size: [] for size in browsers}
    sizes: dict[int, int] = {}
    round_number = 0
    while round_number < WARMUP + requests:
        for size, browser in browsers.items():
            started = time.perf_counter()
            status, body = browser.get(_path(targets[size]))
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                raise BenchError(f"{_path(targets[size])} answered {status} at {size:,}")
            samples[size].append(elapsed)
            sizes[size] = len(body)
        round_number += 1
        if round_number == WARMUP:
            if max(statistics.mean(values) for values in samples.values()) > SLOW_MS:
                requests = min(requests, SLOW_REQUESTS)
            samples = {size: [] for size in browsers}
    return {size: _percentiles(values, sizes[size]) for size, values in samples.items()}


# --------------------------------------------------------------------------------------------------------
# One database at every size


@dataclass
class Prepared:
    """A seeded database ready to serve: its environment, targets and figures so far."""

    env: dict[str, str]
    targets: dict[str, Target]
    result: SizeResult


def add_proposed_indexes(app, analyze: bool) -> float:
    """Create PROPOSED_INDEXES (and ANALYZE again where statistics are kept); return the seconds it took."""
    from portal.extensions import db

    started = time.perf_counter()
    with app.app_context():
        with db.engine.begin() as connection:
            for statement in PROPOSED_INDEXES:
                connection.exec_driver_sql(statement)
            if db.engine.dialect.name == "postgresql" or analyze:
                connection.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def prepare(database: str, url: str, size: int, workdir: Path, options) -> Prepared:
    """Build and seed one database at one size (with the proposed indexes when asked); read its targets and
    plans."""
    env = portal_environment(workdir)
    env["DATABASE_URL"] = url
    print(f"\n== {database}, {size:,} applications", flush=True)
    prepare_database(env)
    seconds, rate = seed(env, size, options.analyze)
    print(f"seeded in {seconds:.1f} s ({rate:,.0f} rows/s)", flush=True)
    app = _app(env)
    if options.proposed_indexes:
        print(f"proposed indexes added in {add_proposed_indexes(app, options.analyze):.1f} s", flush=True)
    targets = build_targets(app)
    warnings, plans = explain(app, targets)
    _close(app)
    if options.plans:
        print("\n".join(plans))
    for warning in warnings:
        print(f"  PLAN: {warning}")
    print("  targets: " + "; ".join(f"{t.name} ({t.rows_in_filter:,} rows)" for t in targets
                                    if t.rows_in_filter is not None and "deep" not in t.name))
    result = SizeResult(database, size, round(seconds, 1), rate, warnings,
                        targets={t.name: {"params": t.params, "rows_in_filter": t.rows_in_filter} for t in targets})
    return Prepared(env, {target.name: target for target in targets}, result)


def measure(database: str, prepared: dict[int, Prepared], workdir: Path, requests: int) -> None:
    """Serve every size at once (one gunicorn each), sign a clerk in to each, and time every target
    interleaved across the sizes; store the timings in each Prepared's result."""
    servers = {size: GunicornServer(f"inbox-{database}-{size}", "wsgi:app", ready.env, workdir, GUNICORN_SETTINGS)
               for size, ready in prepared.items()}
    try:
        browsers = {}
        for size, server in servers.items():
            server.start()
            browsers[size] = Browser(server.base_url)
            browsers[size].sign_in(CLERKS[0], BENCH_PASSWORD)
        names = [name for name in next(iter(prepared.values())).targets
                 if all(name in ready.targets for ready in prepared.values())]
        header = "".join(f"{f'p50 {size:,}':>16}{f'p95 {size:,}':>16}" for size in prepared)
        print(f"\n== {database}: milliseconds, {requests} requests per target and size, interleaved")
        print(f"{'target':42}{header}")
        for name in names:
            timings = time_interleaved(browsers, {size: ready.targets[name] for size, ready in prepared.items()},
                                       requests)
            for size, timing in timings.items():
                prepared[size].result.timings[name] = timing
            count = next(iter(timings.values())).requests
            print(f"{name:42}" + "".join(f"{timings[size].p50:16.1f}{timings[size].p95:16.1f}" for size in prepared)
                  + (f"   (n={count})" if count != requests else ""), flush=True)
    finally:
        for server in servers.values():
            server.stop()


def growth(results: list[SizeResult]) -> list[str]:
    """Return the lines of the growth table: p95 at the smallest and the largest size, and their ratio."""
    lines = []
    for database in dict.fromkeys(result.database for result in results):
        mine = sorted((result for result in results if result.database == database), key=lambda r: r.size)
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        lines.append(f"\n== {database}: p95 growth from {small.size:,} to {large.size:,} applications "
                     f"(budget <= {GROWTH_BUDGET}x)")
        lines.append(f"{'target':42} {'p95 small':>10} {'p95 large':>10} {'ratio':>7}")
        for name, timing in small.timings.items():
            if name not in large.timings:
                continue
            ratio = large.timings[name].p95 / timing.p95
            verdict = "ok" if ratio <= GROWTH_BUDGET else "FAIL"
            lines.append(f"{name:42} {timing.p95:10.1f} {large.timings[name].p95:10.1f} {ratio:6.2f}x {verdict}")
    return lines


def main() -> None:
    """Parse the options, measure every database at every size, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000", help="comma-separated sizes (default 10000,1000000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per target and size (default 200)")
    parser.add_argument("--postgres", help="a PostgreSQL URL to use (emptied; only with a single size)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE SQLite after seeding (PostgreSQL always is)")
    parser.add_argument("--plans", action="store_true", help="print every query plan in full")
    parser.add_argument("--proposed-indexes", action="store_true",
                        help="add PROPOSED_INDEXES after seeding (indexes the migrations do not have yet)")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    if options.postgres and len(sizes) > 1:
        parser.error("--postgres URL holds one size at a time; give --sizes with one size, or let the bench make "
                     "local databases")
    interrupt_on_sigterm()
    results: list[SizeResult] = []
    with exit_on_failure("inbox benchmark failed: ", "inbox benchmark interrupted"), \
            tempfile.TemporaryDirectory(prefix="loket-inbox-") as temporary:
        workdir = Path(temporary)
        databases = [] if options.no_sqlite else ["sqlite"]
        if not options.no_postgres:
            databases.append("postgresql")
        for database in databases:
            prepared = {}
            for size in sizes:
                if database == "sqlite":
                    url = sqlite_url(workdir, size)
                else:
                    try:
                        url = postgres_url(options.postgres, size)
                    except BenchError as error:
                        print(f"\nPostgreSQL skipped: {error}")
                        break
                prepared[size] = prepare(database, url, size, workdir, options)
            if prepared:
                measure(database, prepared, workdir, options.requests)
                results += [ready.result for ready in prepared.values()]
    lines = growth(results)
    print("\n".join(lines))
    results_file = RESULTS_FILE.with_stem("inbox-proposed") if options.proposed_indexes else RESULTS_FILE
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps([asdict(result) for result in results], indent=2))
    print(f"\nfigures written to {results_file.relative_to(REPO)}")


if __name__ == "__main__":
    main()
