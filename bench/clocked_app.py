"""The portal with its clock set: `gunicorn bench.clocked_app:app` with `LOKET_BENCH_NOW` an ISO instant.

The app's clock (`CLOCK`, as the tests set it) starts at that instant when the worker starts and runs at real
speed from there, so a benchmark can issue walk-in tickets, which exist only while a window is open, at any hour.
Only `bench/burst.py` serves it; the portal itself always reads the real time.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta

from portal import create_app

_START = datetime.fromisoformat(os.environ["LOKET_BENCH_NOW"])
_STARTED = time.monotonic()


def _now() -> datetime:
    """Return the clock's instant: LOKET_BENCH_NOW plus the time since this worker started."""
    return _START + timedelta(seconds=time.monotonic() - _STARTED)


app = create_app({"CLOCK": _now})
