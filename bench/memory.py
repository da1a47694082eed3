"""One worker's resident memory after start-up and after 10,000 mixed requests (quality.md: ≤ 150 MB, flat ± 5 %).

Run from the repository root: `.venv/bin/python bench/memory.py [--requests N]`. It builds a fresh SQLite
database in a temporary folder, starts the portal under gunicorn with ONE sync worker, reads the worker's RSS
from /proc after a warm-up, sends the mixed requests from a few client threads, reads the RSS again and prints
both with the growth. It is a report, not a test: it exits 0 whether the budget holds or not.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MB = 150
FLAT_PERCENT = 5
PATHS = ("/", "/layanan", "/layanan/ktp_baru", "/layanan/akta_lahir", "/jadwal", "/api/status",
         "/api/status?at=2026-12-25T09:00", "/lacak", "/ajukan", "/ajukan/kk_baru", "/masuk", "/tidak-ada",
         "/bahasa/en?next=/layanan")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
    """Return the status of GET `url` (errors included)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, br"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


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
    """Run the measurement and print the report; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loket-memory-") as folder:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench",
               "LOKET_SECURE_COOKIES": "0", "LOKET_UPLOAD_DIR": f"{folder}/uploads",
               "LOKET_RECEIPT_DIR": f"{folder}/receipts", "FLASK_APP": "wsgi"}
        flask = str(ROOT / ".venv/bin/flask")
        subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([flask, "seed"], cwd=ROOT, env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
                                   "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    fetch(base + "/api/status")
                    break
                except OSError:
                    time.sleep(0.1)
            worker = worker_pid(server.pid)
            at_start = rss_mb(worker)
            load(base, len(PATHS) * 20)  # warm every page's code path and caches once
            warm = rss_mb(worker)
            began = time.perf_counter()
            statuses = load(base, options.requests)
            seconds = time.perf_counter() - began
            after = rss_mb(worker)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
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
