"""What a load balancer asks of one app server: can it reach its database, its storage and its shared
rate-limit store? Each check says ok or not and how long it took; nothing about residents."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import text

from ..extensions import db, limiter
from ..storage import StorageError, current_storage


@dataclass
class Report:
    """The checks by name, each a dict with `ok` (bool), `ms` and, when not ok, `error` (a short reason)."""

    checks: dict[str, dict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(check["ok"] for check in self.checks.values())


def _timed(report: Report, name: str, probe) -> None:
    started = time.perf_counter()
    entry: dict = {"ok": True}
    try:
        extra = probe()
        if extra:
            entry.update(extra)
    except Exception as error:  # noqa: BLE001 - any failure is the answer, named by its kind only
        entry = {"ok": False, "error": _reason(error)}
    entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
    report.checks[name] = entry


def _reason(error: Exception) -> str:
    if isinstance(error, StorageError):
        return str(error)
    return type(error).__name__  # never a message that could carry a connection string


def _database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()


def _storage() -> dict:
    storage = current_storage()
    storage.check()
    free = storage.free_bytes()
    return {"free_bytes": free} if free is not None else {}


def _rate_limits() -> dict:
    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    backend = uri.split(":", 1)[0]
    if backend != "memory" and not limiter.storage.check():
        raise ConnectionError("the rate-limit store does not answer")
    return {"backend": backend}


def check() -> Report:
    """Return the report of every check (the database, the storage, the rate-limit store)."""
    report = Report()
    _timed(report, "database", _database)
    _timed(report, "storage", _storage)
    _timed(report, "rate_limits", _rate_limits)
    return report


def schema_revision() -> str | None:
    """Return the database's Alembic revision (None before the first migration). Raises the driver's error
    when the database cannot be reached; the session is rolled back either way."""
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        db.session.rollback()
