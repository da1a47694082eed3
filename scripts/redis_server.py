"""Start Debian's `redis-server` on a free local port, keeping nothing on disk, for the tests' shared
rate-limit store.

As a script (scripts/test.sh): `python scripts/redis_server.py FOLDER` starts it in FOLDER, waits until it
answers PING, and prints "URL PID"; it runs until that PID is killed. From Python (tests/conftest.py):
`start(folder)` returns (url, process).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

START_SECONDS = 20


def start(folder: Path) -> tuple[str, subprocess.Popen]:
    """Start redis-server on a free port with its working folder `folder`; return (redis:// URL, process) once
    it answers. Raises RuntimeError when redis-server is missing (apt-get install redis-server) or silent."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0", start_on(folder, port)


def start_on(folder: Path, port: int) -> subprocess.Popen:
    """Start redis-server on `port` (e.g. again, after a restart); return the process once it answers."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise RuntimeError("redis-server is missing: apt-get install redis-server (scripts/system-deps.sh)")
    folder.mkdir(parents=True, exist_ok=True)
    log = open(folder / "redis.log", "ab")
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(folder), "--daemonize", "no"],
                               stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited ({process.returncode}); see {folder / 'redis.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                if connection.recv(16).startswith(b"+PONG"):
                    return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"redis-server did not answer within {START_SECONDS} s")


if __name__ == "__main__":
    url, server = start(Path(sys.argv[1]))
    print(url, server.pid)
