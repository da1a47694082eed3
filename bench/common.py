"""What the benchmarks share: a fresh portal database in a temporary folder, the portal under gunicorn, plain GETs.

`bench/run.py`, `bench/memory.py`, `bench/lighthouse/run.py`, `bench/profile_page.py` and `bench/tickets.py`
import it as `bench.common`; run as scripts, each first puts the repository root on `sys.path` for that.
`local_postgres` gives a fresh database on Debian's local PostgreSQL cluster for the benchmarks that measure both.

A benchmark typically does:

    env = portal_environment(workdir)          # a database, upload and receipt folders in `workdir`
    prepare_database(env)                       # flask db upgrade + flask seed
    server = GunicornServer("portal", "wsgi:app", env, workdir, ("--workers", "2"))
    try:
        server.start()                          # returns once `/` answers 200
        ...                                     # measure against server.base_url
    finally:
        server.stop()
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 30


class BenchError(RuntimeError):
    """Something a benchmark needs is missing or broke; its figures could not be measured."""


# --------------------------------------------------------------------------------------------------------
# The environment and the database


def venv_tool(name: str) -> list[str]:
    """Return the command for console script `name` of the running venv (`.venv/bin/NAME`), or `python -m NAME`.

    Raises nothing; whether the command works is found out when it runs.
    """
    script = Path(sys.executable).parent / name
    return [str(script)] if script.exists() else [sys.executable, "-m", name]


def portal_environment(workdir: Path) -> dict[str, str]:
    """Return the environment the portal runs with: this process's, plus a SQLite database and the upload and
    receipt folders in `workdir` (the portal creates the folders when it needs them), a throwaway secret and
    cookies without the Secure flag (the bench serves plain HTTP). FLASK_DEBUG is removed.

    Raises nothing and creates nothing.
    """
    env = dict(os.environ)
    env.update({
        "FLASK_APP": "wsgi",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",  # absolute path: sqlite:////tmp/.../bench.db
        "SECRET_KEY": secrets.token_hex(32),
        "LOKET_SECURE_COOKIES": "0",
        "LOKET_STORAGE_URL": f"file://{workdir / 'files'}",
        "LOKET_LOG_LEVEL": "WARNING",  # a log line per request would be the bench's own cost, not the portal's
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("FLASK_DEBUG", None)
    return env


def prepare_database(env: dict[str, str], seed_options: Sequence[str] = ()) -> None:
    """Create and fill the database named in `env`: `flask db upgrade`, then `flask seed [seed_options]`
    (e.g. `("--demo",)`), run in the repository root. Returns nothing.

    Raises BenchError, with the command's output, when either step fails.
    """
    for step in (["db", "upgrade"], ["seed", *seed_options]):
        done = subprocess.run([*venv_tool("flask"), *step], cwd=REPO, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"`flask {' '.join(step)}` failed:\n{done.stdout}{done.stderr}")


# --------------------------------------------------------------------------------------------------------
# HTTP


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now (another process may still take it later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class HttpResult:
    """One plain HTTP response: status, headers (lower-case names) and the body as received on the wire."""

    status: int
    headers: dict[str, str]
    raw_body: bytes


def http_get(url: str, accept_encoding: str | None = None, timeout: float = 5) -> HttpResult:
    """Return the response to GET `url` (redirects followed), its body read in full and not decoded, so
    `raw_body` is what the wire carried. `accept_encoding` None asks for `identity`.

    HTTP error statuses are returned, not raised; a connection failure or timeout raises OSError.
    """
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept_encoding or "identity"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return HttpResult(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return HttpResult(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


# --------------------------------------------------------------------------------------------------------
# gunicorn


class GunicornServer:
    """One gunicorn master serving `app_spec` (e.g. `wsgi:app`) on a free port of 127.0.0.1 with `options`
    (e.g. `("--workers", "2")`), in its own session, its error log in `log_dir`/gunicorn-NAME.log."""

    def __init__(self, name: str, app_spec: str, env: dict[str, str], log_dir: Path, options: Sequence[str] = ()):
        self.name = name
        self.app_spec = app_spec
        self.env = env
        self.options = tuple(options)
        self.port = free_port()
        self.log_path = log_dir / f"gunicorn-{name}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        """Return the server's root URL without a trailing slash, e.g. `http://127.0.0.1:40123`."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """Return the gunicorn command line (no access log: gunicorn writes none unless asked).

        The benchmarks state their own settings, so the deployment's gunicorn.conf.py is not read (its start
        hook would also refuse several workers whose rate limits sit in memory, which a benchmark of GET pages
        does not mind)."""
        return [*venv_tool("gunicorn"), "--config", os.devnull, *self.options, "--bind", f"127.0.0.1:{self.port}",
                "--error-logfile", str(self.log_path), self.app_spec]

    def start(self, ready_path: str = "/") -> None:
        """Start gunicorn in a session of its own (Ctrl-C reaches this process, which stops it, not gunicorn)
        and return once GET `ready_path` answers 200.

        Raises BenchError, with the end of gunicorn's log, when gunicorn exits or `ready_path` does not answer
        200 within START_TIMEOUT_S seconds.
        """
        self.process = subprocess.Popen(self.command(), cwd=REPO, env=self.env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn ({self.name}) exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if http_get(self.base_url + ready_path).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError(f"gunicorn ({self.name}) did not answer within {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the master and its workers: SIGTERM, then SIGKILL to its process group after 10 s.

        Returns nothing; does nothing when the server was never started or has already exited.
        """
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group gunicorn leads (start_new_session)
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 30) -> str:
        """Return the last `lines` lines of gunicorn's log, or "(no gunicorn log)" when it cannot be read."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no gunicorn log)"


# --------------------------------------------------------------------------------------------------------
# Ending a run


def _raise_interrupt(signum, _frame):
    """Raise KeyboardInterrupt for signal `signum`."""
    raise KeyboardInterrupt(f"signal {signum}")


def interrupt_on_sigterm() -> None:
    """Make SIGTERM raise KeyboardInterrupt, as Ctrl-C does, so that the `finally` blocks that stop the servers
    run on either. Returns nothing; call it from the main thread (signal.signal raises ValueError elsewhere)."""
    signal.signal(signal.SIGTERM, _raise_interrupt)


@contextmanager
def exit_on_failure(failed: str, interrupted: str) -> Iterator[None]:
    """Run the `with` block; turn a failure to measure and an interruption into an exit code with a message.

    On BenchError, prints `failed` followed by the error to stderr and raises SystemExit(1); on KeyboardInterrupt
    (Ctrl-C, or SIGTERM after interrupt_on_sigterm), prints `interrupted` to stderr and raises SystemExit(130).
    The block's own `finally` clauses and context managers have run by then. Anything else passes through.
    """
    try:
        yield
    except BenchError as error:
        print(f"{failed}{error}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        print(interrupted, file=sys.stderr)
        raise SystemExit(130) from None


# --------------------------------------------------------------------------------------------------------
# PostgreSQL


def local_postgres(database: str = "loket_bench") -> str:
    """Return the URL of a fresh, empty database `database` on Debian's local PostgreSQL cluster, owned by the
    role `loket` (password `loket`): the cluster is started if it is down (as `scripts/postgres.sh` does), the
    role created if missing, and the database dropped and created again.

    Needs root (the cluster's commands run as `postgres`). Raises BenchError when PostgreSQL is not installed,
    this is not root, or a step fails.
    """
    versions = sorted(Path("/usr/lib/postgresql").glob("*"), key=lambda path: [int(p) for p in path.name.split(".")
                                                                                 if p.isdigit()])
    if not versions:
        raise BenchError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    if os.geteuid() != 0:
        raise BenchError("starting the local PostgreSQL cluster needs root; pass a database URL instead")
    version = versions[-1].name

    def run(command: list[str], stdin: str | None = None) -> str:
        done = subprocess.run(command, input=stdin, capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"`{' '.join(command)}` failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    clusters = [line.split() for line in run(["pg_lsclusters", "-h"]).splitlines()]
    if not any(row[:2] == [version, "main"] for row in clusters):
        run(["pg_createcluster", version, "main"])
        clusters = [line.split() for line in run(["pg_lsclusters", "-h"]).splitlines()]
    if subprocess.run(["pg_ctlcluster", version, "main", "status"], capture_output=True).returncode != 0:
        run(["pg_ctlcluster", version, "main", "start"])
    port = next(row[2] for row in clusters if row[:2] == [version, "main"])
    for _ in range(30):
        if subprocess.run(["su", "postgres", "-c", f"pg_isready -q -p {port}"]).returncode == 0:
            break
        time.sleep(1)
    if not database.replace("_", "").isalnum():
        raise BenchError(f"not a plain database name: {database!r}")
    run(["su", "postgres", "-c", f"PGOPTIONS=--client-min-messages=warning psql -q -p {port} -v ON_ERROR_STOP=1"],
        stdin=f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'loket') THEN
    CREATE ROLE loket LOGIN PASSWORD 'loket';
  END IF;
END $$;
DROP DATABASE IF EXISTS {database};
CREATE DATABASE {database} OWNER loket;
""")
    return f"postgresql+psycopg://loket:loket@127.0.0.1:{port}/{database}"
