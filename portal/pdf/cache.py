"""Rendered documents kept in the app's storage (`receipts/`), so an unchanged receipt, ticket or pickup
receipt is rendered once, by whichever app server is asked first."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Callable

from ..storage import MissingObject, Storage, StorageError, current_storage

_KEY = re.compile(r"[A-Za-z0-9_-]+")
FOLDER = "receipts/"
PRACTICE_FOLDER = "latihan/"
KEEP = timedelta(days=7)  # a document rendered longer ago is deleted by the sweep, and rendered again if asked

log = logging.getLogger(__name__)


def document_cache() -> "ReceiptCache":
    """Return the cache of rendered documents in the app's storage (in practice mode, a folder of its own
    there, so a document marked "MODE LATIHAN" is never served as a real one). Needs an app context."""
    from flask import current_app

    return ReceiptCache(current_storage(), PRACTICE_FOLDER if current_app.config.get("PRACTICE") else FOLDER)


class ReceiptCache:
    """Rendered receipts kept in `storage`, one per key, so an unchanged receipt is rendered once.

    A key names everything the PDF depends on, e.g. f"{application_id}-v{version}-{size}-{lang}": a new
    version gets a new key, and `drop(f"{application_id}-")` forgets an application's receipts. A storage that
    fails only costs a render: the document is still served.
    """

    def __init__(self, storage: Storage, folder: str = FOLDER) -> None:
        self.storage = storage
        self.folder = folder

    def get_or_render(self, key: str, render: Callable[[], bytes]) -> bytes:
        """Return the cached bytes of `key`, or call `render`, store what it returns and return it.

        Raises ValueError when `key` holds anything but letters, digits, "_" and "-".
        """
        name = self._name(key)
        try:
            return self.storage.get(name)
        except MissingObject:
            pass
        except StorageError as error:
            log.warning("receipt cache unreadable, rendering %s: %s", key, error)
        body = render()
        try:
            self.storage.put(name, body)
        except StorageError as error:
            log.warning("receipt cache unwritable, %s not kept: %s", key, error)
        return body

    def drop(self, prefix: str) -> int:
        """Remove every cached receipt whose key starts with `prefix`; return how many were removed.

        Raises ValueError when `prefix` is empty or holds anything but letters, digits, "_" and "-", and
        StorageError when the storage fails.
        """
        _check_key(prefix)
        return self._delete(self.storage.list(self.folder + prefix))

    def drop_older_than(self, cutoff: datetime) -> int:
        """Remove every cached document stored before `cutoff` (aware); return how many were removed.

        Old versions are never served again, and a current one is rendered again on its next download, so no
        copy of a resident's details outlives `KEEP` here. Raises StorageError when the storage fails.
        """
        return self._delete(stored for stored in self.storage.list(self.folder) if stored.modified < cutoff)

    def _delete(self, listed) -> int:
        """Delete the rendered documents (`.pdf`) among the StoredObjects `listed`; return how many."""
        found = [stored.key for stored in listed if stored.key.endswith(".pdf")]
        for key in found:
            self.storage.delete(key)
        return len(found)

    def _name(self, key: str) -> str:
        _check_key(key)
        return f"{self.folder}{key}.pdf"


def sweep_rendered(storage: Storage, now: datetime) -> int:
    """Delete the documents rendered more than `KEEP` before `now` (the real time, aware), real and practice
    ones; return how many. Raises StorageError when the storage fails."""
    return sum(ReceiptCache(storage, folder).drop_older_than(now - KEEP) for folder in (FOLDER, PRACTICE_FOLDER))


def _check_key(key: str) -> None:
    """Raise ValueError unless `key` is one or more of [A-Za-z0-9_-] (so it cannot leave the cache folder)."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError(f"a receipt cache key may hold only letters, digits, '_' and '-': {key!r}")
