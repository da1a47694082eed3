"""Storage: `UploadStore` keeps clean files under random names in a private folder, outside `static/`."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from .errors import CleanFile

_STORED_NAME = re.compile(r"[A-Za-z0-9_-]{32}\.(?:jpg|pdf)")
_TEMP_PREFIX = ".incoming-"


class UploadStore:
    """Clean files in one private folder (mode 0700), each under a random name (mode 0600)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.root.chmod(0o700)  # mkdir's mode is reduced by the umask

    def save(self, clean: CleanFile) -> str:
        """Write `clean.data` under a new random name and return the name.

        The bytes go to a temporary file in the same folder first and are renamed into place, so a reader
        never sees half a file; on any error the temporary file is removed and the error re-raised.
        Raises ValueError for an extension the store does not keep.
        """
        if clean.extension not in {"jpg", "pdf"}:
            raise ValueError(f"not a stored extension: {clean.extension!r}")
        name = f"{secrets.token_urlsafe(24)}.{clean.extension}"
        handle, temporary = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.root)  # created with mode 0600
        try:
            with os.fdopen(handle, "wb") as output:
                output.write(clean.data)
                output.flush()
                os.fsync(output.fileno())
            os.replace(temporary, self.root / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._sync_folder()
        return name

    def path(self, name: str) -> Path:
        """Return the path of the stored file `name`.

        Raises ValueError unless `name` is one this store generates (no folders, no "..", no other names).
        """
        if not isinstance(name, str) or not _STORED_NAME.fullmatch(name):
            raise ValueError(f"not a stored file name: {name!r}")
        return self.root / name

    def read(self, name: str) -> bytes:
        """Return the bytes of the stored file `name`.

        Raises ValueError for a name this store does not generate, FileNotFoundError when it is missing.
        """
        handle = os.open(self.path(name), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(handle, "rb") as stored:
            return stored.read()

    def delete(self, name: str) -> None:
        """Delete the stored file `name`; a missing file is fine. Raises ValueError for a foreign name."""
        self.path(name).unlink(missing_ok=True)

    def sweep_temporary(self, older_than: float = 3600.0) -> int:
        """Delete temporary files left by a crash during `save` more than `older_than` seconds ago.

        Returns how many were deleted. (They hold residents' scans, so the retention job should call it.)
        """
        deleted = 0
        limit = time.time() - older_than
        for leftover in self.root.glob(_TEMP_PREFIX + "*"):
            try:
                if leftover.stat().st_mtime < limit:
                    leftover.unlink()
                    deleted += 1
            except FileNotFoundError:
                continue
        return deleted

    def _sync_folder(self) -> None:
        """Flush the folder's entry for a renamed file to disk (where the system allows it)."""
        try:
            handle = os.open(self.root, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(handle)
        except OSError:
            pass
        finally:
            os.close(handle)
