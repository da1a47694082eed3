"""Storage of clean uploads: `UploadStore` keeps them under random names in the app's storage, in the
`uploads/` folder (a private folder or bucket prefix, never served as static files)."""

from __future__ import annotations

import re
import secrets

from ..storage import Storage
from ..storage.lock import backup_running
from .errors import CleanFile

_STORED_NAME = re.compile(r"[A-Za-z0-9_-]{32}\.(?:jpg|pdf)")
FOLDER = "uploads/"


class UploadStore:
    """Clean files under random names (`<32 random characters>.jpg` or `.pdf`) in `storage`."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def save(self, clean: CleanFile) -> str:
        """Write `clean.data` under a new random name and return the name.

        The write is whole (see the backends). Raises ValueError for an extension the store does not keep and
        StorageError when the storage cannot take it.
        """
        if clean.extension not in {"jpg", "pdf"}:
            raise ValueError(f"not a stored extension: {clean.extension!r}")
        name = f"{secrets.token_urlsafe(24)}.{clean.extension}"
        self.storage.put(self.key(name), clean.data)
        return name

    @staticmethod
    def key(name: str) -> str:
        """Return the storage key of the stored file `name`.

        Raises ValueError unless `name` is one this store generates (no folders, no "..", no other names).
        """
        if not isinstance(name, str) or not _STORED_NAME.fullmatch(name):
            raise ValueError(f"not a stored file name: {name!r}")
        return FOLDER + name

    def read(self, name: str) -> bytes:
        """Return the bytes of the stored file `name`.

        Raises ValueError for a name this store does not generate, MissingObject when it is missing,
        StorageError when the storage fails.
        """
        return self.storage.get(self.key(name))

    def exists(self, name: str) -> bool:
        """Return whether the stored file `name` is there. Raises ValueError, StorageError."""
        return self.storage.exists(self.key(name))

    def delete(self, name: str) -> bool:
        """Delete the stored file `name` unless a backup is running (then `flask storage sweep` deletes it
        later, as no row refers to it); a missing file is fine. Call it only after the commit that made the
        file unreferenced, or for a file no commit ever referred to.

        Returns whether it was deleted now. Raises ValueError for a foreign name, StorageError on failure.
        """
        key = self.key(name)
        if backup_running(self.storage):
            return False
        self.storage.delete(key)
        return True
