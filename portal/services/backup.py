"""Back up and restore the database and the uploaded scans as one archive, which is a snapshot.

An archive `loket-backup-<UTC time>.tar.gz` holds `manifest.json`, the database (`database.sqlite`, taken with
SQLite's online backup API, or `database.dump` from `pg_dump --format=custom`) and `uploads/`, read from the
app's storage (a folder or an S3 bucket). Restoring replaces the database's contents and the stored uploads
with the archive's; the schema revision must match.

Why the archive holds every file its database refers to, even while residents upload and clerks replace
files: scans are never changed in place (a new file gets a new name, written before the row that refers to
it is committed), and while the backup holds the storage's backup lock no scan is deleted (see
`portal/storage/lock.py`). So every file referred to by the database as dumped still exists when the uploads
are listed and copied after the dump. Files written meanwhile may ride along; the sweep removes them after a
restore if no row refers to them.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ..extensions import db
from ..storage import MissingObject, current_storage
from ..storage.lock import backup_lock
from ..uploads.store import FOLDER

FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def _revision() -> str | None:
    """Return the database's Alembic revision, or None on a database that was never migrated."""
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - no table means no revision
        db.session.rollback()
        return None


def _pg_env() -> dict[str, str]:
    """Return the environment that points pg_dump/pg_restore at the app's database (no password on argv)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    env = dict(os.environ)
    env.update({name: str(value) for name, value in (
        ("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
        ("PGPASSWORD", url.password), ("PGDATABASE", url.database)) if value is not None})
    return env


def _sqlite_path() -> Path:
    """Return the file of the app's SQLite database; raises BackupError for an in-memory one."""
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(database)


def create_backup(destination: Path, now: datetime) -> Path:
    """Write a backup archive into `destination` and return its path.

    Raises BackupError when pg_dump fails, OSError when the archive cannot be written (a full disk) and
    StorageError when the storage fails; the partial archive is then removed.
    """
    destination.mkdir(parents=True, exist_ok=True)
    storage = current_storage()
    with backup_lock(storage):
        return _archive(destination, now, storage)


def _archive(destination: Path, now: datetime, storage) -> Path:
    """Dump the database, then copy every stored upload, into one archive; return its path (see create_backup)."""
    dialect = db.engine.dialect.name
    name = f"loket-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="loket-backup-") as work:
        folder = Path(work)
        if dialect == "sqlite":
            database_file = folder / "database.sqlite"
            source, target = sqlite3.connect(_sqlite_path()), sqlite3.connect(database_file)
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            database_file = folder / "database.dump"
            done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(database_file)],
                                  env=_pg_env(), capture_output=True, text=True)
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        db.session.rollback()  # the revision was read in a transaction of its own; end it
        # Listed after the dump, under the lock: a superset of the files the dumped rows refer to.
        listed = sorted(found.key[len(FOLDER):] for found in storage.list(FOLDER))
        manifest = {"format": FORMAT, "dialect": dialect, "revision": _revision(),
                    "created_at": now.isoformat(), "database": database_file.name, "uploads": []}
        archive = destination / name
        partial = destination / (name + ".part")
        # Only the owner may read it from the first byte (it holds the database and the scans), and a failed
        # run leaves nothing behind; a half-written archive never carries the final name.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                tar.add(database_file, database_file.name)
                for file_name in listed:
                    try:
                        body = storage.get(FOLDER + file_name)
                    except MissingObject:  # written and dropped by a failed commit meanwhile: no row refers to it
                        continue
                    _add_bytes(tar, f"uploads/{file_name}", body, now)
                    manifest["uploads"].append(file_name)
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode(), now)
            os.replace(partial, archive)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return archive


def _add_bytes(tar: tarfile.TarFile, name: str, body: bytes, now: datetime) -> None:
    """Add `body` to `tar` as the regular file `name` (mode 0600, dated `now`)."""
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(body), 0o600, int(now.timestamp())
    tar.addfile(info, io.BytesIO(body))


def restore_backup(archive: Path) -> dict:
    """Replace the database's contents and the uploads with those of `archive`; return its manifest.

    Raises BackupError for an unreadable archive, another format, dialect or schema revision, or a failed
    pg_restore.
    """
    try:
        with tarfile.open(archive, "r:gz") as tar:
            with tempfile.TemporaryDirectory(prefix="loket-restore-") as work:
                folder = Path(work)
                _extract(tar, folder)
                manifest = json.loads((folder / "manifest.json").read_text())
                _check_manifest(manifest)
                _restore_database(folder / manifest["database"], manifest["dialect"])
                _restore_uploads(folder / "uploads", manifest["uploads"])
    except (tarfile.TarError, OSError, KeyError, json.JSONDecodeError) as error:
        raise BackupError(f"not a readable Loket backup: {error}") from error
    return manifest


def _extract(tar: tarfile.TarFile, folder: Path) -> None:
    """Extract the archive's regular files into `folder`, refusing any name but the ones a backup writes."""
    (folder / "uploads").mkdir()
    for member in tar.getmembers():
        parts = member.name.split("/")
        allowed = (len(parts) == 1 and parts[0] in ("manifest.json", "database.sqlite", "database.dump")) or (
            len(parts) == 2 and parts[0] == "uploads" and parts[1] not in ("", ".", ".."))
        if not member.isfile() or not allowed:
            raise BackupError(f"unexpected entry in the archive: {member.name!r}")
        source = tar.extractfile(member)
        with open(folder / member.name, "wb") as target:
            shutil.copyfileobj(source, target)


def _check_manifest(manifest: dict) -> None:
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    if manifest.get("dialect") != db.engine.dialect.name:
        raise BackupError(f"a {manifest.get('dialect')} backup cannot be restored into {db.engine.dialect.name}")
    if manifest.get("revision") != _revision():
        raise BackupError(f"the backup's schema revision {manifest.get('revision')!r} differs from the "
                          f"database's {_revision()!r}: run `flask db upgrade` to match first")


def _restore_database(database_file: Path, dialect: str) -> None:
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the database while it is replaced
    if dialect == "sqlite":
        source, target = sqlite3.connect(database_file), sqlite3.connect(_sqlite_path())
        with target:
            source.backup(target)
        source.close()
        target.close()
        return
    done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                           "--dbname", _pg_env()["PGDATABASE"], str(database_file)],
                          env=_pg_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


def _restore_uploads(source: Path, names: list[str]) -> None:
    """Make the stored uploads exactly the archive's: put each of `names`, delete every other one."""
    storage = current_storage()
    keep = set(names)
    for name in names:
        storage.put(FOLDER + name, (source / name).read_bytes())
    for found in list(storage.list(FOLDER)):
        if found.key[len(FOLDER):] not in keep:
            storage.delete(found.key)
