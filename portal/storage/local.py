"""`LocalStorage`: objects as files in one private folder (mode 0700 folders, 0600 files)."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from .base import MissingObject, Storage, StorageError, StoredObject, check_key, check_prefix

_PARTIAL = ".incoming-"


class LocalStorage(Storage):
    """Each key `folder/name` is the file `root/folder/name`. A write goes to a temporary file in the same
    folder, is flushed to disk and renamed into place, so a crash leaves either the whole file or a
    temporary one (`sweep_partial` removes those)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.description = f"folder {self.root}"

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _folder(self, key: str) -> Path:
        folder = self._path(key).parent
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder.chmod(0o700)  # mkdir's mode is reduced by the umask
        return folder

    def put(self, key: str, data: bytes) -> None:
        try:
            folder = self._folder(key)
            handle, temporary = tempfile.mkstemp(prefix=_PARTIAL, dir=folder)  # created with mode 0600
            try:
                with os.fdopen(handle, "wb") as output:
                    output.write(data)
                    output.flush()
                    os.fsync(output.fileno())
                os.replace(temporary, self._path(key))
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            _sync_folder(folder)
        except OSError as error:
            raise StorageError(_explain(error)) from error

    def get(self, key: str) -> bytes:
        try:
            handle = os.open(self._path(key), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(handle, "rb") as stored:
                return stored.read()
        except FileNotFoundError as error:
            raise MissingObject(key) from error
        except OSError as error:
            raise StorageError(_explain(error)) from error

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as error:
            raise StorageError(_explain(error)) from error

    def list(self, prefix: str) -> Iterator[StoredObject]:
        check_prefix(prefix)
        folder_name, _, start = prefix.partition("/")
        folder = self.root / folder_name
        if not folder.is_dir():
            return
        try:
            for entry in os.scandir(folder):
                if entry.name.startswith(".") or not entry.name.startswith(start) or not entry.is_file():
                    continue
                try:
                    status = entry.stat()
                except FileNotFoundError:  # deleted while listing
                    continue
                yield StoredObject(f"{folder_name}/{entry.name}", status.st_size,
                                   datetime.fromtimestamp(status.st_mtime, timezone.utc))
        except OSError as error:
            raise StorageError(_explain(error)) from error

    def check(self) -> None:
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(_explain(error)) from error
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageError("the folder cannot be written")

    def free_bytes(self) -> int | None:
        try:
            return shutil.disk_usage(self.root if self.root.exists() else self.root.parent).free
        except OSError:
            return None

    def sweep_partial(self, older_than_seconds: float) -> int:
        deleted = 0
        limit = time.time() - older_than_seconds
        for leftover in self.root.glob(f"*/{_PARTIAL}*"):
            try:
                if leftover.stat().st_mtime < limit:
                    leftover.unlink()
                    deleted += 1
            except FileNotFoundError:
                continue
        return deleted


def _explain(error: OSError) -> str:
    """Return a short English account of a file error for logs and the supervisor's page."""
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "the folder cannot be written"
    return f"{type(error).__name__}: {error.strerror or error}"


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for a renamed file to disk (where the system allows it)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
