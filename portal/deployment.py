"""Is this deployment set up right? The checks behind `flask doctor`, and the one gunicorn runs before it
starts workers (several workers need shared stores).

Each check returns `Finding`s: "ok", "warn" (works, but not as an office should run it) or "fail" (will not
work, or is unsafe), each in plain words with what to do.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask


@dataclass(frozen=True)
class Finding:
    level: str  # "ok", "warn" or "fail"
    what: str
    advice: str = ""


def worker_problems(config, workers: int) -> list[str]:
    """Return why `workers` processes cannot share this configuration (empty when they can)."""
    problems = []
    if workers > 1 and config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        problems.append(
            f"{workers} workers are configured, but rate limits (PIN guesses, sign-in, tickets) are counted in "
            "each process's memory (LOKET_RATELIMIT_STORAGE_URI=memory://), which would make every limit "
            f"{workers} times weaker. Set LOKET_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (a Redis every "
            "worker reaches), or run one worker with threads (WEB_CONCURRENCY=1, the default).")
    return problems


def _secret(app: Flask) -> Finding:
    from_file = Path(app.instance_path, "secret_key")
    if not os.environ.get("SECRET_KEY") and from_file.exists():
        return Finding("warn", "The secret key was made on this machine (instance/secret_key).",
                       "Fine for one app server; with several, set SECRET_KEY to the same long random value on each.")
    if len(app.config["SECRET_KEY"]) < 32:
        return Finding("fail", "The secret key is shorter than 32 characters.",
                       "Set SECRET_KEY to a long random value: python3 -c 'import secrets; print(secrets.token_hex(32))'.")
    return Finding("ok", "Secret key set.")


def _cookies(app: Flask) -> Finding:
    if not app.config["SESSION_COOKIE_SECURE"]:
        return Finding("fail", "Cookies are sent over plain HTTP too (LOKET_SECURE_COOKIES=0).",
                       "Serve the portal over HTTPS and unset LOKET_SECURE_COOKIES (it is on by default).")
    return Finding("ok", "Cookies are sent over HTTPS only.")


def _public_url(app: Flask) -> Finding:
    url = app.config["PUBLIC_URL"] or ""
    if not url:
        return Finding("warn", "LOKET_PUBLIC_URL is not set: QR codes and shared links use each request's address.",
                       "Set LOKET_PUBLIC_URL=https://<the portal's address>.")
    if urlsplit(url).scheme != "https":
        return Finding("fail", f"LOKET_PUBLIC_URL ({url}) is not an https:// address.",
                       "Printed QR codes would send residents to an unencrypted page: use https://.")
    return Finding("ok", f"Public address {url}.")


def _database(app: Flask) -> Finding:
    from .extensions import db
    from .services.health import schema_revision
    try:
        revision = schema_revision()
    except Exception as error:  # noqa: BLE001 - the kind of failure is the finding
        return Finding("fail", f"The database cannot be read ({type(error).__name__}).",
                       "Check DATABASE_URL and that the server runs; then `flask db upgrade`.")
    from alembic.script import ScriptDirectory
    head = ScriptDirectory(app.extensions["migrate"].directory).get_current_head()
    if revision != head:
        return Finding("fail", f"The database is at revision {revision}, the code expects {head}.",
                       "Run `flask db upgrade` (after a backup).")
    return Finding("ok", f"Database reachable, schema up to date ({db.engine.dialect.name}).")


def _storage() -> Finding:
    from .storage import StorageError, current_storage
    storage = current_storage()
    try:
        storage.check()
    except StorageError as error:
        return Finding("fail", f"Files cannot be stored in {storage.description}: {error}.",
                       "Check LOKET_STORAGE_URL, the folder's owner and mode, or the bucket and its credentials.")
    free = storage.free_bytes()
    if free is not None and free < 2 * 1024 ** 3:
        return Finding("warn", f"Only {free / 1024 ** 3:.1f} GB free in {storage.description}.",
                       "Residents' uploads will be refused (503) when it is full: make room or move to object storage.")
    return Finding("ok", f"Files are stored in {storage.description}.")


def _shared_stores(app: Flask, workers: int) -> list[Finding]:
    from .extensions import limiter
    problems = worker_problems(app.config, workers)
    if problems:
        return [Finding("fail", problem) for problem in problems]
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if uri.startswith("memory"):
        return [Finding("ok", "One worker: rate limits counted in its memory are exact.",
                        "With several workers or app servers, set LOKET_RATELIMIT_STORAGE_URI to a Redis.")]
    try:
        answering = limiter.storage.check()
    except Exception:  # noqa: BLE001
        answering = False
    if not answering:
        return [Finding("fail", "The rate-limit store (LOKET_RATELIMIT_STORAGE_URI) does not answer.",
                        "Start Redis, or fix the address; until then pages that count attempts answer 503.")]
    return [Finding("ok", f"Rate limits are shared through {uri.split('://', 1)[0]}.")]


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def _senders(app: Flask) -> list[Finding]:
    config = app.config
    senders = config["NOTIFY_SENDER"].split(",")
    if senders == ["none"]:
        return [Finding("warn", "No message sender is set: residents' messages wait in the outbox.",
                        "Set LOKET_NOTIFY_SENDER=sms (with LOKET_NOTIFY_SMS_URL) or smtp.")]
    findings = []
    if "sms" in senders:
        parts = urlsplit(config["NOTIFY_SMS_URL"])
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if not parts.hostname or not _reachable(parts.hostname, port):
            findings.append(Finding("fail", "The SMS gateway (LOKET_NOTIFY_SMS_URL) cannot be reached.",
                                    "Check the address and the network."))
        else:
            findings.append(Finding("ok", f"SMS gateway {parts.hostname} reachable."))
    if "smtp" in senders:
        host, port = config["NOTIFY_SMTP_HOST"], config["NOTIFY_SMTP_PORT"]
        if not host or not _reachable(host, port):
            findings.append(Finding("fail", f"The mail server {host or '(none)'}:{port} cannot be reached.",
                                    "Check LOKET_NOTIFY_SMTP_HOST and LOKET_NOTIFY_SMTP_PORT."))
        else:
            findings.append(Finding("ok", f"Mail server {host}:{port} reachable."))
    return findings


def _practice(app: Flask) -> list[Finding]:
    """Return a warning when this is practice mode: right for training, wrong for the live office."""
    if not app.config["PRACTICE"]:
        return []
    from sqlalchemy.engine import make_url
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
    return [Finding("warn", f"Practice mode is on (LOKET_PRACTICE=1), on its own database {database}: every "
                            "page and document says MODE LATIHAN, no message is sent, and /latihan moves the clock.",
                    "For the live office, unset LOKET_PRACTICE.")]


def examine(app: Flask, workers: int) -> list[Finding]:
    """Return every finding about `app`'s deployment served by `workers` processes. Needs an app context."""
    return [*_practice(app), _secret(app), _cookies(app), _public_url(app), _database(app), _storage(),
            *_shared_stores(app, workers), *_senders(app)]
