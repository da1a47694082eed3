"""Rendered documents kept as files, so an unchanged receipt, ticket or pickup receipt is rendered once."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Callable

from flask import current_app

_KEY = re.compile(r"[A-Za-z0-9_-]+")


def document_cache() -> "ReceiptCache":
    """Return the cache of rendered documents in RECEIPT_DIR (default `instance/receipts`). Needs an app
    context."""
    return ReceiptCache(Path(current_app.config["RECEIPT_DIR"] or Path(current_app.instance_path) / "receipts"))


class ReceiptCache:
    """Rendered receipts kept as files under `root`, one per key, so an unchanged receipt is rendered once.

    A key names everything the PDF depends on, e.g. f"{application_id}-v{version}-{size}-{lang}": a new
    version gets a new key, and `drop(f"{application_id}-")` forgets an application's receipts.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def get_or_render(self, key: str, render: Callable[[], bytes]) -> bytes:
        """Return the cached bytes of `key`, or call `render`, store what it returns (atomically) and return it.

        Raises ValueError when `key` holds anything but letters, digits, "_" and "-".
        """
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        body = render()
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(body)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return body

    def drop(self, prefix: str) -> int:
        """Remove every cached receipt whose key starts with `prefix`; return how many were removed.

        Raises ValueError when `prefix` is empty or holds anything but letters, digits, "_" and "-".
        """
        _check_key(prefix)
        removed = 0
        for path in self.root.glob(f"{prefix}*.pdf"):
            path.unlink(missing_ok=True)
            removed += 1
        for leftover in self.root.glob(f".{prefix}*.tmp"):  # from a process killed mid-write
            leftover.unlink(missing_ok=True)
        return removed

    def _path(self, key: str) -> Path:
        _check_key(key)
        return self.root / f"{key}.pdf"


def _check_key(key: str) -> None:
    """Raise ValueError unless `key` is one or more of [A-Za-z0-9_-] (so it cannot leave the cache folder)."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError(f"a receipt cache key may hold only letters, digits, '_' and '-': {key!r}")
