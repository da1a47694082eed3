"""The storage interface, the same on both backends: a local folder and S3 object storage (SeaweedFS)."""

from __future__ import annotations

import socket
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from portal.storage import MissingObject, StorageError, storage_from_url
from portal.storage.local import LocalStorage
from portal.storage.lock import KEY as LOCK_KEY
from portal.storage.lock import backup_lock, backup_running
from portal.storage.s3 import S3Storage
from portal.uploads import UploadStore
from portal.uploads.errors import CleanFile
from tests.conftest import S3_BUCKET


@pytest.fixture
def storage(request, backend, tmp_path):
    """Return an empty storage of the backend under test."""
    if backend == "local":
        return LocalStorage(tmp_path / "files")
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3Storage(S3_BUCKET, uuid.uuid4().hex, endpoint=endpoint)


def test_put_get_exists_list_delete(storage):
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    storage.put("uploads/a.jpg", b"first")
    storage.put("uploads/a.jpg", b"second")  # replaced whole
    storage.put("uploads/b.pdf", b"%PDF")
    storage.put("receipts/a.pdf", b"%PDF-receipt")
    assert storage.get("uploads/a.jpg") == b"second"
    assert storage.exists("uploads/b.pdf") and not storage.exists("uploads/c.jpg")
    listed = sorted(storage.list("uploads/"), key=lambda found: found.key)
    assert [(found.key, found.size) for found in listed] == [("uploads/a.jpg", 6), ("uploads/b.pdf", 4)]
    assert all(before <= found.modified <= datetime.now(timezone.utc) + timedelta(seconds=5) for found in listed)
    assert [found.key for found in storage.list("receipts/a")] == ["receipts/a.pdf"]
    storage.delete("uploads/a.jpg")
    storage.delete("uploads/a.jpg")  # a missing key is fine
    with pytest.raises(MissingObject):
        storage.get("uploads/a.jpg")
    assert [found.key for found in storage.list("uploads/")] == ["uploads/b.pdf"]
    assert list(storage.list("nothing/")) == []


@pytest.mark.parametrize("key", ["../x.jpg", "uploads/../x.jpg", "uploads", "uploads/", "/uploads/a",
                                 "uploads/.incoming-1", "Uploads/a.jpg", "uploads/a/b.jpg", "uploads/a b.jpg"])
def test_keys_that_could_leave_their_folder_are_refused(storage, key):
    for use in (storage.get, storage.exists, storage.delete, lambda k: storage.put(k, b"x")):
        with pytest.raises(ValueError):
            use(key)


def test_the_backup_lock_defers_deletions_until_it_is_released(storage):
    store = UploadStore(storage)
    name = store.save(CleanFile(b"scan", "image/jpeg", "jpg", "image", 1, 1, None, "0" * 64))
    assert not backup_running(storage)
    with backup_lock(storage):
        assert backup_running(storage)
        assert store.delete(name) is False and store.exists(name)  # left for the sweep
    assert not backup_running(storage) and not storage.exists(LOCK_KEY)
    storage.put(LOCK_KEY, (datetime.now(timezone.utc) - timedelta(hours=7)).isoformat().encode())
    assert not backup_running(storage)  # a backup that died long ago holds nothing
    assert store.delete(name) is True and not store.exists(name)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_object_store_raises_storage_error(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "office")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    storage = S3Storage("loket", endpoint=f"http://127.0.0.1:{_closed_port()}")
    for use in (lambda: storage.put("uploads/a.jpg", b"x"), lambda: storage.get("uploads/a.jpg"),
                lambda: list(storage.list("uploads/")), lambda: storage.exists("uploads/a.jpg")):
        with pytest.raises(StorageError, match="S3 unreachable"):
            use()


def test_a_folder_that_cannot_be_written_raises_storage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError):
        LocalStorage(blocker).put("uploads/a.jpg", b"x")


def test_storage_urls(tmp_path):
    default = storage_from_url(None, tmp_path)
    assert isinstance(default, LocalStorage) and default.root == tmp_path
    chosen = storage_from_url("file:///srv/loket%20files", tmp_path)
    assert isinstance(chosen, LocalStorage) and chosen.root == Path("/srv/loket files")
    bucket = storage_from_url("s3://loket/kab-rembang?endpoint=http://127.0.0.1:9&region=id-1", tmp_path)
    assert isinstance(bucket, S3Storage) and (bucket.bucket, bucket.prefix) == ("loket", "kab-rembang/")
    assert "127.0.0.1:9" in bucket.description
    for wrong in ("ftp://x/y", "s3://", "s3://b/p?key=secret", "/srv/loket"):
        with pytest.raises(ValueError):
            storage_from_url(wrong, tmp_path)


def test_missing_credentials_are_named_as_such(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    storage = S3Storage("loket", endpoint=f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(StorageError, match="credentials missing: set AWS_ACCESS_KEY_ID"):
        storage.put("uploads/a.jpg", b"x")
