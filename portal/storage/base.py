"""The storage interface every backend implements, its errors, and what a key may look like."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

# A key is a folder of lower-case letters, a slash, and a name of letters, digits, ".", "_" and "-" that
# does not start with a dot (the local backend's temporary files do).
_KEY = re.compile(r"[a-z]+/[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}")
_PREFIX = re.compile(r"[a-z]+/[A-Za-z0-9._-]{0,200}")


class StorageError(Exception):
    """The storage could not do what was asked: a full disk, a refused write, an unreachable service."""


class MissingObject(KeyError):
    """The storage holds nothing under this key."""


@dataclass(frozen=True)
class StoredObject:
    """One object as a listing shows it."""

    key: str
    size: int
    modified: datetime  # aware, UTC


def check_key(key: str) -> str:
    """Return `key` unchanged; raise ValueError unless it is `folder/name` as `_KEY` allows (so it can never
    leave its folder)."""
    if not isinstance(key, str) or not _KEY.fullmatch(key) or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


def check_prefix(prefix: str) -> str:
    """Return `prefix` unchanged; raise ValueError unless it is a folder and slash, maybe with a name's start."""
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix) or ".." in prefix:
        raise ValueError(f"not a storage prefix: {prefix!r}")
    return prefix


class Storage(ABC):
    """Objects under keys. Writes are whole: a reader sees all of an object or none of it."""

    #: shown to supervisors and by `flask doctor`, e.g. "folder /srv/loket" or "S3 bucket loket at …"
    description: str

    @abstractmethod
    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, replacing what was there. Raises StorageError when it cannot."""

    @abstractmethod
    def get(self, key: str) -> bytes:
        """Return the bytes under `key`. Raises MissingObject when there are none, StorageError on failure."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Return whether `key` holds an object. Raises StorageError when the storage cannot say."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove `key`; a missing key is fine. Raises StorageError when it cannot."""

    @abstractmethod
    def list(self, prefix: str) -> Iterator[StoredObject]:
        """Yield every object whose key starts with `prefix` (e.g. "uploads/"), in no set order.

        Raises StorageError when the storage cannot be listed."""

    @abstractmethod
    def check(self) -> None:
        """Return when the storage can be written; raise StorageError saying why not (cheap: for health checks)."""

    def free_bytes(self) -> int | None:
        """Return the free space in bytes where the backend knows it (a local disk), else None."""
        return None

    def sweep_partial(self, older_than_seconds: float) -> int:
        """Delete half-written leftovers of a crashed write older than that; return how many (none for most
        backends, whose writes are whole by design)."""
        return 0
