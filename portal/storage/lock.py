"""The backup lock: while a backup runs, no scan is deleted, so the archive finds every file its database
refers to. Deletions skipped meanwhile are left to `flask storage sweep`.

The lock is an object in the storage itself (`locks/backup`, holding when it was taken), so every app
server sharing the storage sees it. A lock older than `STALE_AFTER` is a backup that died: it is ignored.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Iterator

from .base import MissingObject, Storage

KEY = "locks/backup"
STALE_AFTER = timedelta(hours=6)


def backup_running(storage: Storage, now: datetime | None = None) -> bool:
    """Return whether a backup holds the lock and took it less than STALE_AFTER ago. Raises StorageError."""
    try:
        taken = datetime.fromisoformat(storage.get(KEY).decode())
    except MissingObject:
        return False
    except ValueError:  # not a time: treat as held, a person should look
        return True
    return (now or datetime.now(timezone.utc)) - taken < STALE_AFTER


@contextmanager
def backup_lock(storage: Storage) -> Iterator[None]:
    """Hold the backup lock for the `with` block, and release it after, whatever happens. Raises StorageError
    when the lock cannot be written."""
    storage.put(KEY, datetime.now(timezone.utc).isoformat().encode())
    try:
        yield
    finally:
        storage.delete(KEY)
