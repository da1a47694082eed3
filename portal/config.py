"""Settings: defaults here, then `instance/config.py`, then the environment.

Every setting a deployment may change is listed in `SETTINGS` with the environment variable that sets it,
so that the README table and the code cannot drift apart (a test compares them).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .hashing import STRONG_METHOD, require_strong

# The office's weekly hours, per activity: weekday (mon..sun) -> list of "HH:MM-HH:MM" windows,
# start inclusive, end exclusive. A weekday that is missing is closed.
DEFAULT_OFFICE_HOURS = {
    "submission": {
        "mon": ["08:00-12:00"],
        "tue": ["08:00-12:00"],
        "wed": ["08:00-12:00"],
        "thu": ["08:00-12:00"],
        "fri": ["08:00-10:00"],
    },
    "pickup": {
        "mon": ["08:00-14:00"],
        "tue": ["08:00-14:00"],
        "wed": ["08:00-14:00"],
        "thu": ["08:00-14:00"],
        "fri": ["08:00-10:00"],
    },
}

# Counters on duty per queue purpose on a usual day (half the staff work from home).
DEFAULT_QUEUE_COUNTERS = {"KTP": 2, "KK": 1, "AKTA": 1, "KIA": 1, "PINDAH": 1, "PICKUP": 1}


def _bool(text: str) -> bool:
    """Return the truth of an environment value; raises ValueError on anything but yes/no words."""
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a yes/no value: {text!r}")


def _senders(text: str) -> str:
    """Return a list of notification senders ("sms,smtp") normalised; raises ValueError for an unknown one."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()] or ["none"]
    unknown = [name for name in names if name not in ("none", "sms", "smtp")]
    if unknown:
        raise ValueError(f"unknown sender {', '.join(unknown)} (use none, sms, smtp or sms,smtp)")
    return ",".join(names)


@dataclass(frozen=True)
class Setting:
    """One configurable value: the config key, the environment variable, how to parse it, what it does."""

    key: str
    env: str
    parse: Callable[[str], Any]
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", "SECRET_KEY", str, None,
            "Signs sessions and CSRF tokens. Unset: a random key is made once and kept in `instance/secret_key`."),
    Setting("SQLALCHEMY_DATABASE_URI", "DATABASE_URL", str, None,
            "Database URL. Unset: SQLite in `instance/loket.db`. PostgreSQL: `postgresql+psycopg://user:pass@host/db`."),
    Setting("REGION_CODE", "LOKET_REGION_CODE", str, "33.17",
            "Kemendagri code of the regency the office serves (its kecamatan and desa are seeded from it)."),
    Setting("OFFICE_NAME", "LOKET_OFFICE_NAME", str,
            "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Rembang", "Full name of the office."),
    Setting("OFFICE_SHORT_NAME", "LOKET_OFFICE_SHORT_NAME", str, "Dindukcapil Rembang",
            "Short name shown in the header and page titles."),
    Setting("OFFICE_ADDRESS", "LOKET_OFFICE_ADDRESS", str, "Jl. Pemuda Km 3, Rembang",
            "Street address shown in the footer."),
    Setting("OFFICE_TIMEZONE", "LOKET_TIMEZONE", str, "Asia/Jakarta",
            "IANA time zone every rule is decided in (Asia/Jakarta = WIB, Asia/Makassar = WITA, Asia/Jayapura = WIT)."),
    Setting("OFFICE_HOURS", "LOKET_OFFICE_HOURS", json.loads, DEFAULT_OFFICE_HOURS,
            'Weekly windows per activity as JSON, e.g. `{"submission": {"mon": ["08:00-12:00"]}, "pickup": {...}}`.'),
    Setting("CLOSING_SOON_MINUTES", "LOKET_CLOSING_SOON_MINUTES", int, 30,
            "How many minutes before closing the banner starts counting down."),
    Setting("BANNER_REFRESH_SECONDS", "LOKET_BANNER_REFRESH_SECONDS", int, 60,
            "How often the banner refreshes itself in a browser with JavaScript."),
    Setting("RATELIMIT_STORAGE_URI", "LOKET_RATELIMIT_STORAGE_URI", str, "memory://",
            "Where rate-limit counters live. `memory://` is per process; use `redis://host:6379` with several workers."),
    Setting("RATELIMIT_KEY_PREFIX", "LOKET_RATELIMIT_KEY_PREFIX", str, "loket",
            "What every rate-limit counter's name starts with in the shared store, so one Redis can serve several "
            "portals (or test runs) without their counters meeting."),
    Setting("LOG_LEVEL", "LOKET_LOG_LEVEL", str, "INFO",
            "How much the portal logs: `INFO` writes one line per request (method, path, status, duration, request "
            "id); `WARNING` only problems."),
    Setting("PROXIES", "LOKET_PROXIES", int, 0,
            "How many reverse proxies stand in front of the portal (e.g. 1 behind nginx): their X-Forwarded-For and "
            "-Proto headers are trusted, so rate limits see the real client and HTTPS is recognised (HSTS)."),
    Setting("SESSION_COOKIE_SECURE", "LOKET_SECURE_COOKIES", _bool, True,
            "Send cookies over HTTPS only. `make run` turns it off for http://127.0.0.1."),
    Setting("PAGE_CACHE_SIZE", "LOKET_PAGE_CACHE_SIZE", int, 256,
            "How many rendered public pages each worker keeps (per path, language and minute); 0 turns it off."),
    Setting("REVISION_CHECK_SECONDS", "LOKET_REVISION_CHECK_SECONDS", float, 1.0,
            "How often a worker checks whether the office changed its data; another worker's change shows within it."),
    Setting("REFERENCE_PREFIX", "LOKET_REFERENCE_PREFIX", str, "RBG",
            "Letters before every application reference (`RBG-7K3M-Q9PX`)."),
    Setting("DRAFT_DAYS", "LOKET_DRAFT_DAYS", int, 14,
            "Days an unfinished application is kept after its last change; `flask drafts purge` deletes older ones."),
    Setting("STORAGE_URL", "LOKET_STORAGE_URL", str, None,
            "Where scans, signed PDFs and rendered receipts are kept: `file:///srv/loket/files` (a folder) or "
            "`s3://bucket/prefix?endpoint=https://…&region=…` (S3-compatible object storage; credentials in "
            "`AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`). Unset: the `instance/` folder "
            "(`instance/uploads`, `instance/receipts`)."),
    Setting("SCAN_RETENTION_DAYS", "LOKET_SCAN_RETENTION_DAYS", int, 90,
            "Days after an application ends (collected, rejected, cancelled) before `flask scans purge` deletes its "
            "scans; the application and its history stay."),
    Setting("UPLOAD_MAX_MB", "LOKET_UPLOAD_MAX_MB", int, 10, "Largest photo or PDF a resident may upload, in MB."),
    Setting("UPLOAD_LIMIT", "LOKET_UPLOAD_LIMIT", str, "30 per 10 minutes;150 per day",
            "How many uploads one client may send (each is decoded and re-encoded), refused ones included."),
    Setting("UPLOAD_APPLICATION_LIMIT", "LOKET_UPLOAD_APPLICATION_LIMIT", str, "20 per 10 minutes;60 per day",
            "How many uploads one application accepts, from every client together."),
    Setting("PUBLIC_URL", "LOKET_PUBLIC_URL", str, None,
            "The portal's public address (e.g. `https://loket.example.go.id`) for QR codes and shared links. "
            "Unset: the address of the request."),
    Setting("TRACK_LIMIT", "LOKET_TRACK_LIMIT", str, "10 per minute;60 per hour",
            "How many reference + PIN lookups one client may try."),
    Setting("TRACK_REFERENCE_LIMIT", "LOKET_TRACK_REFERENCE_LIMIT", str, "5 per 15 minutes;20 per day",
            "How many PIN attempts one client may make for one reference, on any page that asks for its PIN "
            "(`/lacak`, the kiosk, cancelling): one budget. A stranger who spends it does not spend the owner's."),
    Setting("TRACK_REFERENCE_TOTAL_LIMIT", "LOKET_TRACK_REFERENCE_TOTAL_LIMIT", str, "100 per day",
            "How many PIN attempts one reference accepts from all clients together: the best rate of an attacker "
            "with many addresses (at 100 a day, 5,000 days on average to find a 6-digit PIN)."),
    Setting("HANDOVER_NIK_LIMIT", "LOKET_HANDOVER_NIK_LIMIT", str, "5 per day",
            "How many times the counter may check a collector's NIK (its last 4 digits, or all 16) against one "
            "application's, from every clerk together, before handing it to the applicant waits (a wrong try is "
            "also in the audit log). 5 a day leaves someone guessing 4 digits 1 chance in 2,000 a day."),
    Setting("STAFF_IDLE_MINUTES", "LOKET_STAFF_IDLE_MINUTES", int, 30,
            "A signed-in clerk or operator is signed out after this many minutes without a request (shared PCs)."),
    Setting("SIGN_IN_ACCOUNT_LIMIT", "LOKET_SIGN_IN_ACCOUNT_LIMIT", str, "5 per 15 minutes",
            "Wrong passwords for one username from one client before that client must wait; other clients, the "
            "owner's among them, are not held up. Unknown usernames count the same, so the answer reveals nothing."),
    Setting("SIGN_IN_LIMIT", "LOKET_SIGN_IN_LIMIT", str, "10 per minute;50 per hour",
            "How many sign-in attempts one client may make, whatever the account."),
    Setting("PICKUP_LEAD_DAYS", "LOKET_PICKUP_LEAD_DAYS", int, 3,
            "A document marked ready is proposed for pickup on the first pickup window at least this many pickup "
            "days ahead (weekends, holidays and closures do not count); the clerk may change it."),
    Setting("QUEUE_PURPOSES", "LOKET_QUEUE_PURPOSES", json.loads, None,
            "Queue purposes as a JSON list of `{code, prefix, activity (submission/pickup), minutes_per_visit, "
            "label_id, label_en}`. Unset: `A` KTP-el, `B` KK, `C` certificates, `D` KIA, `E` moving, `P` pickup."),
    Setting("QUEUE_COUNTERS", "LOKET_QUEUE_COUNTERS", json.loads, DEFAULT_QUEUE_COUNTERS,
            "Counters on duty per purpose on a usual day, as JSON (`{\"KTP\": 2, ...}`); a window's quota is the "
            "counters × the window's minutes ÷ the purpose's minutes per visit. `flask quota set` changes a date."),
    Setting("QUEUE_BOOKING_DAYS", "LOKET_QUEUE_BOOKING_DAYS", int, 10,
            "How many open days ahead (today included) a resident may book a ticket for."),
    Setting("QUEUE_LIMIT", "LOKET_QUEUE_LIMIT", str, "10 per hour;30 per day",
            "How many tickets one client may take online (a household books for its members)."),
    Setting("QUEUE_LOOKUP_LIMIT", "LOKET_QUEUE_LOOKUP_LIMIT", str, "20 per minute;100 per hour",
            "How many looks at tickets by their code one client may take: finding one, its page, its cancel page "
            "and its PDF share the budget."),
    Setting("KIOSK_LIMIT", "LOKET_KIOSK_LIMIT", str, "30 per minute",
            "How many walk-in tickets one kiosk (one client address) may print."),
    Setting("KIOSK_IDLE_SECONDS", "LOKET_KIOSK_IDLE_SECONDS", int, 30,
            "The kiosk goes back to its start page, forgetting what was entered, after this many seconds untouched."),
    Setting("BOARD_REFRESH_SECONDS", "LOKET_BOARD_REFRESH_SECONDS", int, 5,
            "How often the lobby board `/papan` refreshes."),
    Setting("BABEL_DEFAULT_LOCALE", "LOKET_DEFAULT_LANGUAGE", str, "id",
            "Language for visitors who have not chosen one: `id` or `en`."),
    Setting("NOTIFY_SENDER", "LOKET_NOTIFY_SENDER", _senders, "none",
            "How residents hear of their application's changes: `sms` (the HTTP gateway below), `smtp` (email), both "
            "as `sms,smtp`, or `none`: messages wait in the outbox, unsent, until a sender is set."),
    Setting("NOTIFY_SMS_URL", "LOKET_NOTIFY_SMS_URL", str, "",
            "The SMS gateway's address; `flask notifications send` POSTs each message to it (a 2xx answer is success)."),
    Setting("NOTIFY_SMS_TEMPLATE", "LOKET_NOTIFY_SMS_TEMPLATE", str, '{"to": "{phone}", "text": "{message}"}',
            "The POST body, with `{phone}` (+62…) and `{message}` filled in: escaped for JSON when it starts with `{` "
            "(sent as application/json), else URL-encoded (sent as a form)."),
    Setting("NOTIFY_SMS_AUTHORIZATION", "LOKET_NOTIFY_SMS_AUTHORIZATION", str, "",
            "Value of the Authorization header sent to the gateway (e.g. `Bearer <token>`); empty sends none."),
    Setting("NOTIFY_SMTP_HOST", "LOKET_NOTIFY_SMTP_HOST", str, "", "Mail server for the `smtp` sender."),
    Setting("NOTIFY_SMTP_PORT", "LOKET_NOTIFY_SMTP_PORT", int, 587, "Its port."),
    Setting("NOTIFY_SMTP_SECURITY", "LOKET_NOTIFY_SMTP_SECURITY", str, "starttls",
            "`starttls` (port 587), `ssl` (port 465) or `none` (a relay on the same machine)."),
    Setting("NOTIFY_SMTP_USER", "LOKET_NOTIFY_SMTP_USER", str, "", "User name on the mail server; empty: no login."),
    Setting("NOTIFY_SMTP_PASSWORD", "LOKET_NOTIFY_SMTP_PASSWORD", str, "", "Its password."),
    Setting("NOTIFY_SMTP_FROM", "LOKET_NOTIFY_SMTP_FROM", str, "loket@localhost", "Sender address of the emails."),
    Setting("NOTIFY_EMAIL_TO", "LOKET_NOTIFY_EMAIL_TO", str, "",
            "Where the `smtp` sender's emails go (applications hold no email address): `{phone}@gateway` for an "
            "email-to-SMS gateway, or one office mailbox that keeps a copy of every message. Empty: no emails."),
    Setting("NOTIFY_MAX_ATTEMPTS", "LOKET_NOTIFY_MAX_ATTEMPTS", int, 8,
            "Attempts to deliver one message before it is given up (marked failed, its last error kept)."),
    Setting("NOTIFY_BACKOFF_SECONDS", "LOKET_NOTIFY_BACKOFF_SECONDS", int, 60,
            "Wait after a first failed attempt; it doubles with every further failure (60 s, 2, 4, 8 min …)."),
    Setting("PRACTICE", "LOKET_PRACTICE", _bool, False,
            "Practice mode (`make practice`): demo data in a database of its own, a clock set from `/latihan`, "
            "\"MODE LATIHAN\" on every page and printed document, and no message sent to anyone."),
    Setting("PRACTICE_DATABASE_URL", "LOKET_PRACTICE_DATABASE_URL", str, None,
            "The practice database. Unset: SQLite in `instance/practice.db`. Practice mode refuses to start when "
            "`DATABASE_URL` is set and this is not, or when both name the same database."),
    Setting("PRACTICE_STORAGE_URL", "LOKET_PRACTICE_STORAGE_URL", str, None,
            "Where practice mode keeps its scans and receipts (like `LOKET_STORAGE_URL`). Unset: the "
            "`instance/practice/` folder. Never the live storage."),
)


# Settings an earlier version read, and what replaced them: a deployment that still sets one is stopped
# rather than silently keeping its files somewhere else.
RETIRED = {
    "LOKET_UPLOAD_DIR": "set LOKET_STORAGE_URL=file:///<the folder above the uploads folder> instead "
                        "(scans are kept in its uploads/ folder)",
    "LOKET_RECEIPT_DIR": "rendered receipts now live in LOKET_STORAGE_URL's receipts/ folder",
}


class Defaults:
    """Values that are not deployment choices, and the defaults of `SETTINGS`."""

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; stale forms are a common rural case
    WTF_CSRF_CHECK_DEFAULT = False  # checked on unsafe methods only, by `sessions.init_app`'s hook
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    LANGUAGES = ("id", "en")
    LANGUAGE_COOKIE = "bahasa"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_REGISTER = False  # registered by `create_app`, which skips responses already compressed
    COMPRESS_BR_LEVEL = 5
    COMPRESS_MIMETYPES = ["text/html", "text/css", "application/javascript", "text/javascript",
                          "application/json", "image/svg+xml"]
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600  # static URLs carry a content hash
    # How passwords and PINs are hashed (a Werkzeug method). Only tests may set a weaker one: see portal/hashing.py.
    PASSWORD_HASH_METHOD = STRONG_METHOD


def load_config(app, test_config: dict | None) -> None:
    """Fill `app.config`: defaults, then `instance/config.py`, then the environment, then `test_config`.

    Raises ValueError naming the variable when an environment value cannot be parsed, when a deployment
    (not TESTING) names a password hash weaker than scrypt's default, and when practice mode would use the live
    database or storage.
    """
    app.config.from_object(Defaults)
    for retired, successor in RETIRED.items():
        if os.environ.get(retired):
            raise ValueError(f"{retired} is no longer read: {successor}")
    for setting in SETTINGS:
        app.config[setting.key] = setting.default
    app.config.from_pyfile("config.py", silent=True)
    for setting in SETTINGS:
        raw = os.environ.get(setting.env)
        if raw is None:
            continue
        try:
            app.config[setting.key] = setting.parse(raw)
        except ValueError as error:
            raise ValueError(f"{setting.env}: {error}") from error
    if test_config:
        app.config.update(test_config)
    if not app.config.get("TESTING"):
        require_strong(app.config["PASSWORD_HASH_METHOD"])

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if app.config["PRACTICE"]:
        _use_practice_stores(app.config, instance)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'loket.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = _with_driver(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A server may drop idle connections; SQLite files cannot.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    # A request carries at most one upload. Files somewhat over the limit are read far enough to refuse them
    # with a message next to the field; only far larger bodies are cut off by the server.
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = 3 * app.config["UPLOAD_MAX_MB"] * 1024 * 1024
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")


def _use_practice_stores(config, instance: Path) -> None:
    """Point `config` at practice mode's own database, storage and session cookie.

    The practice database is `PRACTICE_DATABASE_URL`, else `instance/practice.db`; its storage
    `PRACTICE_STORAGE_URL`, else `instance/practice/`. Raises ValueError when `DATABASE_URL` is set without a
    practice database of its own (whoever set it may think they practise on it), or when the practice
    database or storage is the live one.
    """
    live_database = config["SQLALCHEMY_DATABASE_URI"]
    practice_database = config["PRACTICE_DATABASE_URL"]
    if not practice_database:
        if live_database:
            raise ValueError("LOKET_PRACTICE=1 never uses the live database, and DATABASE_URL is set: set "
                             "LOKET_PRACTICE_DATABASE_URL to a database of its own, or unset DATABASE_URL to "
                             "practise in instance/practice.db")
        practice_database = f"sqlite:///{instance / 'practice.db'}"
    if _same_database(practice_database, live_database or f"sqlite:///{instance / 'loket.db'}"):
        raise ValueError("LOKET_PRACTICE_DATABASE_URL names the live database: practice mode needs a database "
                         "of its own")
    practice_storage = config["PRACTICE_STORAGE_URL"] or f"file://{instance / 'practice'}"
    if _same_storage(practice_storage, config["STORAGE_URL"] or f"file://{instance}"):
        raise ValueError("LOKET_PRACTICE_STORAGE_URL names the live storage: practice mode needs storage of its own")
    config["SQLALCHEMY_DATABASE_URI"] = practice_database
    config["STORAGE_URL"] = practice_storage
    if config.get("SESSION_COOKIE_NAME", "session") == "session":
        # A practice server beside the live one on the same host (another port) must not share its cookie.
        config["SESSION_COOKIE_NAME"] = "latihan"


def _same_database(first: str, second: str) -> bool:
    """Return True when two database URLs name the same database (SQLite files compared by their real path)."""
    from sqlalchemy.engine import make_url

    a, b = make_url(_with_driver(first)), make_url(_with_driver(second))
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        return bool(a.database) and bool(b.database) and (
            Path(a.database).resolve() == Path(b.database).resolve())
    default_port = {"postgresql": 5432}.get(a.get_backend_name())
    return ((a.host or "localhost", a.port or default_port, a.database)
            == (b.host or "localhost", b.port or default_port, b.database))


def _same_storage(first: str, second: str) -> bool:
    """Return True when two storage URLs name the same place (folders compared by their real path)."""
    if first.startswith("file://") and second.startswith("file://"):
        return Path(first[len("file://"):]).resolve() == Path(second[len("file://"):]).resolve()
    return first.split("?")[0].rstrip("/") == second.split("?")[0].rstrip("/")


def _with_driver(url: str) -> str:
    """Return the URL with psycopg 3 named as driver for plain `postgres://`/`postgresql://` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(path: Path) -> str:
    """Return the secret kept in `path`, creating it (readable by the owner only) on first use."""
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
