"""Where Loket keeps files: residents' scans, signed PDFs and rendered documents, on a local folder or in
S3-compatible object storage, behind one small interface.

- `Storage` (in `base`): put, get, exists, delete and list by prefix, keyed by names such as
  `uploads/<random>.jpg` or `receipts/<key>.pdf`. Every backend raises `StorageError` when it cannot do
  what was asked (a full disk, an unreachable service) and `MissingObject` for a key it does not hold.
- `LocalStorage` (in `local`): one folder, the default (`instance/`, so scans stay in `instance/uploads`).
- `S3Storage` (in `s3`): a bucket and prefix of any S3-compatible service, through boto3.
- `storage_from_url` picks one from `LOKET_STORAGE_URL`; `current_storage` returns the app's, made once.

What is kept where, and when files may be deleted (never while a backup runs), is the services' business:
see `portal/services/storage.py`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

from .base import MissingObject, Storage, StorageError, StoredObject, check_key

__all__ = ["MissingObject", "Storage", "StorageError", "StoredObject", "check_key", "current_storage",
           "storage_from_url"]


def storage_from_url(url: str | None, default_folder: Path) -> Storage:
    """Return the storage that `url` names.

    `None` or "" means the local folder `default_folder`; `file:///srv/loket/files` a local folder;
    `s3://bucket/prefix?endpoint=https://s3.example.id&region=id-jkt-1` a bucket of an S3-compatible service
    (credentials from the usual `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`). Raises ValueError for any
    other URL.
    """
    if not url:
        from .local import LocalStorage
        return LocalStorage(default_folder)
    parts = urlsplit(url)
    if parts.scheme == "file" and parts.path:
        from .local import LocalStorage
        return LocalStorage(Path(unquote(parts.path)))
    if parts.scheme == "s3" and parts.netloc:
        from .s3 import S3Storage
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        unknown = set(query) - {"endpoint", "region"}
        if unknown:
            raise ValueError(f"LOKET_STORAGE_URL: unknown setting {', '.join(sorted(unknown))} (endpoint, region)")
        return S3Storage(parts.netloc, parts.path.strip("/"), endpoint=query.get("endpoint"),
                         region=query.get("region"))
    raise ValueError(f"LOKET_STORAGE_URL must be file:///folder or s3://bucket/prefix, not {url!r}")


def current_storage() -> Storage:
    """Return the app's storage, made from STORAGE_URL on first use. Needs an app context."""
    app = current_app._get_current_object()
    storage = app.extensions.get("loket.storage")
    if storage is None:
        storage = app.extensions["loket.storage"] = storage_from_url(app.config.get("STORAGE_URL"),
                                                                     Path(app.instance_path))
    return storage


