"""Loket's benchmark: server throughput against a bare Flask app, and page weight in Chromium.

Run from the repository root: `.venv/bin/python bench/run.py [--duration SECONDS] [--rounds N] | [--quick]` (or
`make bench`).

In one run it
  1. builds a fresh SQLite database in a temporary directory (`flask db upgrade` + `flask seed`);
  2. serves the portal (`wsgi:app`) and the bare Flask app of `bench/hello_app.py` under gunicorn with the
     same settings, each on a free port, and waits until each answers;
  3. loads the targets one after another with wrk (never two at once), with the hello app before the first
     and after every target, three rounds of it (`--rounds`), and reports each target's median round:
     requests/s, p50 and p99 against the budget of design/quality.md:
     >= 60 % of the requests/s of the hello runs on either side and p99 <= 50 ms at 32 connections; the
     hello app's `/form` (a form with Flask-WTF's CSRF token and Flask's session, first and returning
     visit) is shown as the floor of any form page;
  4. loads `/`, `/layanan` and `/jadwal` cold in Chromium at 360x640 and reports the critical path (HTML +
     blocking CSS, gzip, <= 14 KB) and the whole first visit (<= 35 KB);
  5. writes the figures to `bench/results/latest.json`.

It is a report, not a test: the exit code is 0 when every figure was measured, whether or not a budget
holds; it is non-zero only when something could not be measured (no wrk, a server that does not start...).
The gunicorn processes are always stopped, on Ctrl-C and SIGTERM too.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, so that `bench.common` imports

from bench.common import (REPO, BenchError, GunicornServer, exit_on_failure, http_get,  # noqa: E402
                          interrupt_on_sigterm, portal_environment, prepare_database)
from bench.queue_targets import LOOKUP_LIMIT, queue_targets  # noqa: E402

RESULTS_FILE = REPO / "bench" / "results" / "latest.json"

# Identical for both apps; only the application module differs.
GUNICORN_SETTINGS = ("--workers", "2", "--worker-class", "sync", "--backlog", "2048", "--timeout", "30",
                     "--graceful-timeout", "5", "--log-level", "warning")
HELLO_APP = "bench.hello_app:app"
PORTAL_APP = "wsgi:app"

WRK_THREADS = 2
WRK_CONNECTIONS = 32
# Sent to the hello app and the portal alike, so both pay for content negotiation on equal terms.
ACCEPT_ENCODING = "gzip, br"
PORTAL_TARGETS = ("/", "/api/status", "/layanan", "/jadwal", "/lacak", "/ajukan/ktp_baru")
WEIGHT_PAGES = ("/", "/layanan", "/jadwal", "/lacak", "/ajukan/ktp_baru/nik")

RATIO_BUDGET = 0.60
P99_BUDGET_MS = 50.0
CRITICAL_PATH_BUDGET = 14 * 1024
FIRST_VISIT_BUDGET = 35 * 1024

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 360, "height": 640}


# --------------------------------------------------------------------------------------------------------
# Throughput with wrk


@dataclass
class WrkResult:
    """What one wrk run measured."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: dict[str, int]

    @property
    def errors(self) -> int:
        """Return the number of failed requests: non-2xx/3xx responses plus socket errors of any kind."""
        return self.non_2xx_3xx + sum(self.socket_errors.values())


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def parse_wrk(output: str) -> WrkResult:
    """Return the figures in wrk's `--latency` output; raises BenchError if one is missing."""
    percentiles = {match[1]: float(match[2]) * _UNIT_MS[match[3]] for match in _PERCENTILE.finditer(output)}
    rps, total = _RPS.search(output), _TOTAL.search(output)
    if not rps or not total or set(percentiles) != {"50", "99"}:
        raise BenchError(f"could not read wrk's output:\n{output}")
    sockets = _SOCKET.search(output)
    non_2xx = _NON_2XX.search(output)
    return WrkResult(
        requests_per_s=float(rps[1]),
        p50_ms=percentiles["50"],
        p99_ms=percentiles["99"],
        requests=int(total[1]),
        non_2xx_3xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=dict(zip(("connect", "read", "write", "timeout"), map(int, sockets.groups())))
        if sockets else {},
    )


def run_wrk(url: str, duration: float, cookie: str | None = None) -> WrkResult:
    """Return what `wrk -t2 -c32 -d<duration>s --latency` measures on `url` with `ACCEPT_ENCODING`.

    With `cookie`, every request sends it (a returning visitor). Raises BenchError when wrk fails or prints
    something unreadable.
    """
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{duration:g}s", "--latency",
               "-H", f"Accept-Encoding: {ACCEPT_ENCODING}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(url)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"wrk failed on {url}:\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


@dataclass
class ThroughputRow:
    """One line of the throughput table; `ratio` is to the hello app's requests/s measured right before and
    right after it (their mean)."""

    target: str
    url: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    ratio: float
    baseline: bool
    failures: list[str] = field(default_factory=list)
    reference: bool = False  # a floor measured for comparison (hello /form), not held to the budget
    round_ratios: list[float] = field(default_factory=list)  # each round's ratio, lowest first (`ratio`: the median)

    @property
    def holds(self) -> bool:
        """Return True when the row meets every budget (the baseline row always does)."""
        return not self.failures


def throughput_row(target: str, url: str, result: WrkResult, hello_rps: float | None,
                   reference: bool = False) -> ThroughputRow:
    """Return the table row for `result`, judged against the budgets; `hello_rps` None marks the baseline, and
    a `reference` row (a floor shown for comparison) is judged only on failed requests."""
    baseline = hello_rps is None
    ratio = 1.0 if baseline else result.requests_per_s / hello_rps
    failures = []
    if not baseline and not reference and ratio < RATIO_BUDGET:
        failures.append(f"ratio {ratio:.2f} < {RATIO_BUDGET:.2f}")
    if not baseline and not reference and result.p99_ms > P99_BUDGET_MS:
        failures.append(f"p99 {result.p99_ms:.1f} ms > {P99_BUDGET_MS:g} ms")
    if result.errors:
        failures.append(f"{result.errors} failed requests")
    return ThroughputRow(target, url, result.requests_per_s, result.p50_ms, result.p99_ms, result.requests,
                         result.errors, ratio, baseline, failures, reference)


def measure_throughput(hello: GunicornServer, portal: GunicornServer, duration: float,
                       warmup: float, rounds: int = 1) -> list[ThroughputRow]:
    """Return the throughput rows: the hello app's `/` first (the baseline), then each target.

    Each target is judged against the hello runs on either side of it (hello, target, hello, target, ...,
    hello), so a machine that slows down or speeds up during the run moves a target and its baseline alike.
    With several `rounds` the whole sequence runs again and a target's row is its median round (by ratio),
    with every round's ratio beside it: a neighbour's burst of work on a shared machine moves one round, not
    the median. The baseline row shows the median of all hello runs. Each run is preceded by a short warm-up
    run that is thrown away; runs are strictly one after another.
    """
    hello_url = hello.base_url + "/"
    # The floor of any form page: Flask-WTF's token and Flask's session on the bare app (first and returning).
    targets = [("hello /form (floor)", hello.base_url + "/form", None),
               ("hello /form (returning)", hello.base_url + "/form", _session_cookie(hello.base_url + "/form"))]
    targets += [(f"portal {path}", portal.base_url + path, None) for path in PORTAL_TARGETS]
    # A form page hands a first-time visitor a session and a CSRF token; a returning visitor brings them.
    targets.append(("portal /lacak (returning)", portal.base_url + "/lacak", _session_cookie(portal.base_url + "/lacak")))
    targets += queue_targets(portal.base_url)
    for _label, url, _cookie in [("hello /", hello_url, None), *targets]:
        status = http_get(url, ACCEPT_ENCODING).status
        if status != 200:
            raise BenchError(f"{url} answers {status}, not 200; nothing to measure")

    def load(label: str, url: str, cookie: str | None) -> WrkResult:
        print(f"  {label:<26} warm-up {warmup:g} s, load {duration:g} s ...", flush=True)
        run_wrk(url, warmup, cookie)
        return run_wrk(url, duration, cookie)

    every_hello: list[WrkResult] = []
    measured: list[list[tuple[float, WrkResult, float]]] = [[] for _ in targets]  # per target: (ratio, run, hello)
    for number in range(1, rounds + 1):
        if rounds > 1:
            print(f"  round {number} of {rounds}", flush=True)
        hellos = [load("hello /", hello_url, None)]
        for index, (label, url, cookie) in enumerate(targets):
            result = load(label, url, cookie)
            hellos.append(load("hello /", hello_url, None))
            around = (hellos[-2].requests_per_s + hellos[-1].requests_per_s) / 2
            measured[index].append((result.requests_per_s / around, result, around))
        every_hello += hellos
    middle = sorted(every_hello, key=lambda result: result.requests_per_s)[len(every_hello) // 2]
    rows = [throughput_row("hello /", hello_url, middle, None)]
    for (label, url, _cookie), runs in zip(targets, measured):
        runs.sort(key=lambda run: run[0])
        _ratio, result, around = runs[len(runs) // 2]
        row = throughput_row(label, url, result, around, reference=label.startswith("hello /form"))
        row.round_ratios = [run[0] for run in runs]
        failed_elsewhere = sum(run[1].errors for run in runs) - result.errors
        if failed_elsewhere:
            row.failures.append(f"{failed_elsewhere} failed requests in the other rounds")
        rows.append(row)
    if any(hello_result.errors for hello_result in every_hello):
        rows[0].failures.append(f"{sum(r.errors for r in every_hello)} failed requests in the hello runs")
    spread = (max(r.requests_per_s for r in every_hello) / min(r.requests_per_s for r in every_hello) - 1) * 100
    print(f"  hello / ran {len(every_hello)} times; fastest {spread:.0f} % above slowest", flush=True)
    return rows


def _session_cookie(url: str) -> str | None:
    """Return the `name=value` of the session cookie a first visit to `url` is given, or None."""
    return http_get(url, ACCEPT_ENCODING).headers.get("set-cookie", "").split(";")[0] or None


# --------------------------------------------------------------------------------------------------------
# Page weight


class _BlockingStylesheets(HTMLParser):
    """Collects the `href` of every render-blocking `<link rel="stylesheet">` of a document.

    Blocking means: not an alternate stylesheet, not disabled, and no `media` that is print-only.
    """

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag != "link":
            return
        attributes = dict(attrs)
        rel = (attributes.get("rel") or "").lower().split()
        media = (attributes.get("media") or "all").strip().lower()
        if ("stylesheet" in rel and "alternate" not in rel and "disabled" not in attributes
                and media not in {"print", "not all"} and attributes.get("href")):
            self.hrefs.append(attributes["href"])


def blocking_stylesheets(html: str, base_url: str) -> list[str]:
    """Return the absolute URLs of the render-blocking stylesheets of `html`, in document order."""
    parser = _BlockingStylesheets()
    parser.feed(html)
    return [urljoin(base_url, href) for href in parser.hrefs]


@dataclass
class CriticalPart:
    """One file of the critical path: its URL, gzip bytes, and whether the server or the bench gzipped it."""

    url: str
    gzip_bytes: int
    compressed_by: str


def gzip_size(url: str) -> tuple[int, bytes, str]:
    """Return (bytes on the wire with `Accept-Encoding: gzip`, the decoded body, who compressed it).

    A body the server sent uncompressed is counted as `gzip -6` of it, i.e. what it would cost compressed.
    Raises BenchError on a status other than 200.
    """
    response = http_get(url, "gzip")
    if response.status != 200:
        raise BenchError(f"{url} answers {response.status}, not 200")
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding == "gzip":
        return len(response.raw_body), gzip.decompress(response.raw_body), "server"
    if encoding not in ("", "identity"):
        raise BenchError(f"{url} sent Content-Encoding {encoding!r} although only gzip was accepted")
    return len(gzip.compress(response.raw_body, 6)), response.raw_body, "bench (gzip -6)"


def critical_path(url: str) -> list[CriticalPart]:
    """Return the document at `url` and its blocking stylesheets, each with its gzip size."""
    size, body, compressed_by = gzip_size(url)
    parts = [CriticalPart(url, size, compressed_by)]
    for sheet in blocking_stylesheets(body.decode("utf-8", errors="replace"), url):
        sheet_size, _body, sheet_by = gzip_size(sheet)
        parts.append(CriticalPart(sheet, sheet_size, sheet_by))
    return parts


@dataclass
class Transfer:
    """One request of a page load: URL, status, Content-Encoding and bytes received (headers + body)."""

    url: str
    status: int | None
    encoding: str
    bytes: int


def first_visit(browser, url: str) -> list[Transfer]:
    """Return every request of a cold load of `url` in a fresh browser context, with its bytes.

    Bytes are Chromium's own count from CDP `Network.loadingFinished.encodedDataLength` (what DevTools
    shows as "transferred"): response headers plus the body as it came over the wire, still compressed.
    A redirect's bytes come from the `redirectResponse` of the follow-up request. The context asks for
    `Accept-Encoding: gzip` only, because the budget is stated in gzip (on localhost Chromium would
    otherwise negotiate brotli, which is smaller).
    """
    context = browser.new_context(viewport=VIEWPORT, extra_http_headers={"Accept-Encoding": "gzip"})
    try:
        page = context.new_page()
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        responses: dict[str, dict] = {}
        transfers: list[Transfer] = []

        def on_request(event: dict) -> None:
            redirect = event.get("redirectResponse")
            if redirect:
                transfers.append(Transfer(redirect["url"], redirect.get("status"),
                                          _header(redirect, "content-encoding"),
                                          int(redirect.get("encodedDataLength", 0))))

        def on_response(event: dict) -> None:
            responses[event["requestId"]] = event["response"]

        def on_finished(event: dict) -> None:
            response = responses.get(event["requestId"], {})
            transfers.append(Transfer(response.get("url", "?"), response.get("status"),
                                      _header(response, "content-encoding"), int(event["encodedDataLength"])))

        def on_failed(event: dict) -> None:
            response = responses.get(event["requestId"], {})
            transfers.append(Transfer(response.get("url", "?"), None, f"failed: {event.get('errorText')}", 0))

        session.on("Network.requestWillBeSent", on_request)
        session.on("Network.responseReceived", on_response)
        session.on("Network.loadingFinished", on_finished)
        session.on("Network.loadingFailed", on_failed)
        page.goto(url, wait_until="networkidle", timeout=30_000)
        return transfers
    finally:
        context.close()


def _header(response: dict, name: str) -> str:
    """Return header `name` of a CDP response (names compared case-insensitively), or ""."""
    for key, value in (response.get("headers") or {}).items():
        if key.lower() == name:
            return value
    return ""


@dataclass
class WeightRow:
    """One page's weight: the critical path and the whole first visit, with what each consists of."""

    page: str
    critical_bytes: int
    critical_parts: list[CriticalPart]
    first_visit_bytes: int
    first_visit_requests: list[Transfer]
    failures: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        """Return True when both page-weight budgets hold."""
        return not self.failures


def measure_page_weight(portal: GunicornServer) -> list[WeightRow]:
    """Return the weight rows of `WEIGHT_PAGES`, each from a fresh, cold Chromium context.

    Raises BenchError when Playwright or Chromium is missing.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise BenchError("Playwright is not installed (pip install -r requirements-dev.txt)") from error
    executable = os.environ.get("LOKET_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        raise BenchError(f"no Chromium at {executable} (set LOKET_CHROMIUM)")
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            for path in WEIGHT_PAGES:
                url = portal.base_url + path
                parts = critical_path(url)
                transfers = first_visit(browser, url)
                critical = sum(part.gzip_bytes for part in parts)
                total = sum(transfer.bytes for transfer in transfers)
                failures = []
                if critical > CRITICAL_PATH_BUDGET:
                    failures.append(f"critical path {kb(critical)} > {kb(CRITICAL_PATH_BUDGET)}")
                if total > FIRST_VISIT_BUDGET:
                    failures.append(f"first visit {kb(total)} > {kb(FIRST_VISIT_BUDGET)}")
                failed = [t.url for t in transfers if t.status is None or t.status >= 400]
                if failed:
                    failures.append(f"failed requests: {', '.join(failed)}")
                rows.append(WeightRow(path, critical, parts, total, transfers, failures))
        finally:
            browser.close()
    return rows


# --------------------------------------------------------------------------------------------------------
# Report


def kb(size: int) -> str:
    """Return `size` bytes as "12.3 KB" (1 KB = 1024 bytes)."""
    return f"{size / 1024:.1f} KB"


def table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    """Return a plain-text table; the columns whose index is in `right` are right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]

    def line(cells):
        return "  ".join(str(cell).rjust(width) if index in right else str(cell).ljust(width)
                         for index, (cell, width) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(headers), line(["-" * width for width in widths]), *map(line, rows)])


def throughput_table(rows: list[ThroughputRow]) -> str:
    """Return the throughput table as text; with several rounds, a column lists each round's ratio."""
    several = any(len(row.round_ratios) > 1 for row in rows)
    body = [[row.target, f"{row.requests_per_s:,.0f}", f"{row.p50_ms:.2f}", f"{row.p99_ms:.2f}",
             f"{row.ratio:.2f}", *([" ".join(f"{ratio:.2f}" for ratio in row.round_ratios)] if several else []),
             "baseline" if row.baseline and row.holds else
             ("floor, no budget" if row.reference and row.holds else
              "ok" if row.holds else "FAIL: " + "; ".join(row.failures))] for row in rows]
    headers = ["target", "requests/s", "p50 ms", "p99 ms", "ratio" + (" (median)" if several else ""),
               *(["rounds"] if several else []), "budget (ratio >= 0.60, p99 <= 50 ms)"]
    return table(headers, body, right={1, 2, 3, 4})


def weight_table(rows: list[WeightRow]) -> str:
    """Return the page-weight table as text."""
    body = [[row.page, kb(row.critical_bytes), kb(row.first_visit_bytes), str(len(row.first_visit_requests)),
             "ok" if row.holds else "FAIL: " + "; ".join(row.failures)] for row in rows]
    return table(["page", "critical path (gzip)", "first visit", "requests",
                  f"budget (critical <= {kb(CRITICAL_PATH_BUDGET)}, first visit <= {kb(FIRST_VISIT_BUDGET)})"],
                 body, right={1, 2, 3})


def write_results(path: Path, settings: dict, throughput: list[ThroughputRow], weight: list[WeightRow]) -> None:
    """Write every figure of the run as JSON to `path` (its folder is created); return nothing."""
    failed = [f"{row.target}: {failure}" for row in throughput for failure in row.failures]
    failed += [f"page {row.page}: {failure}" for row in weight for failure in row.failures]
    document = {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "settings": settings,
        "budgets": {"ratio_min": RATIO_BUDGET, "p99_max_ms": P99_BUDGET_MS,
                    "critical_path_max_bytes": CRITICAL_PATH_BUDGET, "first_visit_max_bytes": FIRST_VISIT_BUDGET},
        "throughput": [asdict(row) | {"holds": row.holds} for row in throughput],
        "page_weight": [asdict(row) | {"holds": row.holds} for row in weight],
        "failed_budgets": failed,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Return the command-line options: `duration` (seconds per target), `warmup` (seconds) and `rounds`."""
    parser = argparse.ArgumentParser(description="Loket's throughput and page-weight benchmark.")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per target (default 5)")
    parser.add_argument("--quick", action="store_true", help="3 s per target, one round (overrides both)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times the whole throughput sequence runs; a row is its median round (default 3)")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.rounds = 3.0, 1
    if args.duration <= 0:
        parser.error("--duration must be positive")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    args.warmup = 1.0 if args.duration < 10 else 2.0
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the whole benchmark; return the exit code (0 when measured, whatever the budgets say).

    Raises SystemExit(1) when something could not be measured and SystemExit(130) on Ctrl-C or SIGTERM.
    """
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk; or `bash scripts/system-deps.sh bench`)",
              file=sys.stderr)
        return 2
    interrupt_on_sigterm()
    settings = {
        "gunicorn": list(GUNICORN_SETTINGS),
        "wrk": {"threads": WRK_THREADS, "connections": WRK_CONNECTIONS, "duration_s": args.duration,
                "warmup_s": args.warmup, "accept_encoding": ACCEPT_ENCODING, "rounds": args.rounds},
        "viewport": VIEWPORT,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }
    with (exit_on_failure("\nbenchmark failed: ", "\ninterrupted; servers stopped"),
          tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp, ExitStack() as servers):
        workdir = Path(tmp)
        env = {**portal_environment(workdir), "LOKET_QUEUE_LOOKUP_LIMIT": LOOKUP_LIMIT}
        print(f"Database: fresh SQLite in {workdir} (migrate + seed)", flush=True)
        prepare_database(env)
        hello = GunicornServer("hello", HELLO_APP, env, workdir, GUNICORN_SETTINGS)
        portal = GunicornServer("portal", PORTAL_APP, env, workdir, GUNICORN_SETTINGS)
        for server in (hello, portal):
            servers.callback(server.stop)
            server.start()
            print(f"Started {server.name} ({server.app_spec}) on {server.base_url}", flush=True)
        print(f"Throughput: wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{args.duration:g}s, "
              f"one target at a time, {args.rounds} round(s)", flush=True)
        throughput = measure_throughput(hello, portal, args.duration, args.warmup, args.rounds)
        print("Page weight: Chromium, 360x640, a cold context per page", flush=True)
        weight = measure_page_weight(portal)

    write_results(RESULTS_FILE, settings, throughput, weight)
    print(f"\nThroughput (gunicorn {' '.join(GUNICORN_SETTINGS[:4])}; ratio = requests/s / the hello runs on either side)")
    print(throughput_table(throughput))
    print("\nPage weight (gzip; first visit = Chromium's encodedDataLength, headers included)")
    print(weight_table(weight))
    failed = [row for row in throughput if not row.holds] + [row for row in weight if not row.holds]
    print(f"\nResults written to {RESULTS_FILE.relative_to(REPO)}")
    print(f"BUDGETS FAILED: {len(failed)} row(s) above marked FAIL (this is a report; exit code stays 0)."
          if failed else "All budgets hold.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
