"""One worker's resident memory after start-up and after 10,000 mixed requests (quality.md: ≤ 150 MB, flat ± 5 %).

Run from the repository root: `.venv/bin/python bench/memory.py [--requests N]`. It builds a fresh SQLite
database in a temporary folder, starts the portal under gunicorn with ONE sync worker, reads the worker's RSS
from /proc after a warm-up, sends the mixed requests from a few client threads, reads the RSS again and prints
both with the growth. It is a report, not a test: it exits 0 whether the budget holds or not.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, so that `bench.common` imports

from bench.common import (GunicornServer, exit_on_failure, http_get, interrupt_on_sigterm,  # noqa: E402
                          portal_environment, prepare_database)

BUDGET_MB = 150
FLAT_PERCENT = 5
PATHS = ("/", "/layanan", "/layanan/ktp_baru", "/layanan/akta_lahir", "/jadwal", "/api/status",
         "/api/status?at=2026-12-25T09:00", "/lacak", "/ajukan", "/ajukan/kk_baru", "/masuk", "/tidak-ada",
         "/bahasa/en?next=/layanan")


def rss_mb(pid: int) -> float:
    """Return the resident set size of process `pid` in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def worker_pid(master: int) -> int:
    """Return the pid of the single gunicorn worker of `master`."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one worker, found {children}")
    return int(children[0])


def fetch(url: str) -> int:
    """Return the status of GET `url` (errors included), its body read in full; raises OSError when nothing answers."""
    return http_get(url, "gzip, br", timeout=10).status


def load(base: str, count: int, threads: int = 4) -> dict[int, int]:
    """Send `count` requests cycling through PATHS from `threads` threads; return a count per status."""
    paths = itertools.cycle(PATHS)
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    remaining = [count]

    def run() -> None:
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
                path = next(paths)
            status = fetch(base + path)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return statuses


def main() -> int:
    """Run the measurement and print the report; return 0, whether the budget holds or not.

    Raises SystemExit(1) when something could not be measured and SystemExit(130) on Ctrl-C or SIGTERM.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    options = parser.parse_args()
    interrupt_on_sigterm()  # the same clean-up as Ctrl-C
    with (exit_on_failure("could not measure: ", "interrupted; server stopped"),
          tempfile.TemporaryDirectory(prefix="loket-memory-") as folder):
        env = portal_environment(Path(folder))
        prepare_database(env)
        server = GunicornServer("portal", "wsgi:app", env, Path(folder),
                                ("--workers", "1", "--log-level", "warning"))
        try:
            server.start(ready_path="/api/status")
            base = server.base_url
            worker = worker_pid(server.process.pid)
            at_start = rss_mb(worker)
            load(base, len(PATHS) * 20)  # warm every page's code path and caches once
            warm = rss_mb(worker)
            began = time.perf_counter()
            statuses = load(base, options.requests)
            seconds = time.perf_counter() - began
            after = rss_mb(worker)
        finally:
            server.stop()
    growth = (after - warm) / warm * 100
    print(f"one gunicorn sync worker, {options.requests} mixed requests over {len(PATHS)} paths "
          f"in {seconds:.1f} s, statuses {dict(sorted(statuses.items()))}")
    print(f"{'moment':<28}{'RSS MB':>8}")
    for label, value in (("after start-up", at_start), ("after warm-up", warm), ("after the requests", after)):
        print(f"{label:<28}{value:>8.1f}")
    print(f"growth over the requests: {growth:+.1f} % (budget ± {FLAT_PERCENT} %)")
    holds = warm <= BUDGET_MB and after <= BUDGET_MB and abs(growth) <= FLAT_PERCENT
    print("budget holds" if holds else f"BUDGET FAILS: RSS must stay ≤ {BUDGET_MB} MB and flat within {FLAT_PERCENT} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
