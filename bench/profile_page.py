"""Where a portal request spends its time: cProfile around test-client requests on a fresh, seeded database.

Run from the repository root: `.venv/bin/python bench/profile_page.py [--path /] [--requests 200] [--top 10]`.
It prints the mean time per request and the top entries by cumulative and by own time. Use it when
`bench/run.py` reports a ratio below the budget. The profile runs in-process (no gunicorn, no sockets), so
it shows the app's own cost, with the same `Accept-Encoding` as the throughput benchmark.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for `portal` and `bench.common`

from bench.common import REPO, portal_environment, prepare_database  # noqa: E402
from run import ACCEPT_ENCODING  # noqa: E402  (bench/ is on sys.path)


def profile(path: str, requests: int, top: int) -> str:
    """Return the report: mean ms per request of GET `path`, then the `top` entries by cumulative and own time.

    Raises AssertionError when `path` does not answer 200.
    """
    with tempfile.TemporaryDirectory(prefix="loket-profile-") as tmp:
        env = portal_environment(Path(tmp))
        prepare_database(env)
        os.environ.update({key: env[key] for key in ("DATABASE_URL", "SECRET_KEY", "LOKET_SECURE_COOKIES")})
        os.chdir(REPO)
        from portal import create_app

        app = create_app()
        client = app.test_client()
        headers = {"Accept-Encoding": ACCEPT_ENCODING}
        for _ in range(50):  # warm: templates compiled, caches filled, connections open
            response = client.get(path, headers=headers)
            assert response.status_code == 200, f"{path} answers {response.status_code}"

        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(requests):
            client.get(path, headers=headers)
        profiler.disable()
        elapsed = time.perf_counter() - started

        out = io.StringIO()
        out.write(f"GET {path}: {requests} requests, {elapsed / requests * 1000:.2f} ms each under the profiler "
                  f"(content-encoding {response.headers.get('Content-Encoding', 'none')})\n")
        for order in ("cumulative", "tottime"):
            out.write(f"\n--- top {top} by {order} (times are totals over {requests} requests) ---\n")
            stats = pstats.Stats(profiler, stream=out)
            stats.strip_dirs().sort_stats(order).print_stats(top)
        return out.getvalue()


def main() -> int:
    """Parse the options, print the profile; return 0."""
    parser = argparse.ArgumentParser(description="Profile portal requests with cProfile.")
    parser.add_argument("--path", default="/", help="the page to request (default /)")
    parser.add_argument("--requests", type=int, default=200, help="profiled requests (default 200)")
    parser.add_argument("--top", type=int, default=10, help="entries per table (default 10)")
    args = parser.parse_args()
    print(profile(args.path, args.requests, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
