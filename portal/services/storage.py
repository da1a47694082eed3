"""The app's files as the rest of Loket sees them: uploaded scans by name, what is stored but no row
refers to (swept), what a row refers to but is not stored (checked), and storage trouble for supervisors.

Crash safety comes from the order of the steps, the same everywhere:

1. a new file is written whole under a new random name before the row that refers to it is committed;
2. a file is deleted only after the commit that stopped referring to it, and never while a backup runs.

So a crash at any instant leaves at worst a file that no row refers to; `sweep` removes those once they are
older than a grace period (a file written for a commit still under way is young). No row ever refers to a
missing file, unless someone removed it behind Loket's back, which `check` reports.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Application, ApplicationDocument, AuditEntry
from ..pdf.cache import sweep_rendered
from ..storage import MissingObject, StorageError, current_storage
from ..storage.lock import backup_running
from ..uploads import UploadStore
from ..uploads.store import FOLDER
from . import audit

log = logging.getLogger(__name__)

SWEEP_GRACE = timedelta(minutes=60)  # an unreferenced file younger than this may belong to a commit under way


def upload_store() -> UploadStore:
    """Return the store of uploaded scans, in the app's storage (`uploads/`). Needs an app context."""
    return UploadStore(current_storage())


def stored_bytes(name: str | None) -> bytes | None:
    """Return the bytes of the stored upload `name`, or None when there is no such file (or no name).

    Raises StorageError when the storage fails (the error page says so, with a 503)."""
    if not name:
        return None
    try:
        return upload_store().read(name)
    except (MissingObject, ValueError):
        return None


def stored_exists(name: str | None) -> bool:
    """Return whether the stored upload `name` is there. Raises StorageError when the storage cannot say."""
    try:
        return bool(name) and upload_store().exists(name)
    except ValueError:
        return False


def discard(names) -> None:
    """Delete the stored uploads `names` after the commit that stopped referring to them, quietly: a file that
    cannot be deleted now (a backup runs, the storage fails) is left for `sweep`."""
    store = upload_store()
    for name in names:
        try:
            store.delete(name)
        except StorageError as error:
            log.warning("left %s for the sweep: %s", name, error)


def referenced_names() -> set[str]:
    """Return the names of every upload a row refers to: scans and signed PDFs."""
    names = set(db.session.scalars(select(ApplicationDocument.stored_name)))
    names.update(db.session.scalars(select(Application.output_stored_name)
                                    .where(Application.output_stored_name.is_not(None))))
    return names


@dataclass(frozen=True)
class Swept:
    """What a sweep did: `deleted` names, `kept_young` unreferenced files inside the grace period, `partial`
    half-written leftovers removed, `rendered` old rendered documents removed (receipts, tickets), and
    `skipped` True when a running backup held the lock (nothing was deleted)."""

    deleted: list[str]
    kept_young: int
    partial: int
    rendered: int = 0
    skipped: bool = False


def sweep(now: datetime, grace: timedelta = SWEEP_GRACE) -> Swept:
    """Delete stored uploads that no row refers to and that are older than `grace` at `now` (the real time,
    as the storage dates its files), half-written leftovers of crashed writes, and rendered documents older
    than `pdf.cache.KEEP`; return what was done. Does nothing while a backup runs.

    The listing is read before the rows, so a file written and committed during the sweep is either not
    listed or already referenced. Raises StorageError when the storage cannot be listed.
    """
    storage = current_storage()
    if backup_running(storage, now):
        return Swept([], 0, 0, skipped=True)
    listed = list(storage.list(FOLDER))
    referenced = referenced_names()
    db.session.rollback()  # end the read; nothing was written
    deleted, young = [], 0
    for found in listed:
        name = found.key[len(FOLDER):]
        if name in referenced:
            continue
        if now - found.modified < grace:
            young += 1
            continue
        storage.delete(found.key)
        deleted.append(name)
    partial = storage.sweep_partial(grace.total_seconds())
    return Swept(sorted(deleted), young, partial, sweep_rendered(storage, now))


def missing_files() -> list[tuple[str, str]]:
    """Return (reference, name) for each row whose stored file is missing, sorted. Raises StorageError."""
    storage = current_storage()
    present = {found.key[len(FOLDER):] for found in storage.list(FOLDER)}
    rows = db.session.execute(
        select(Application.reference, ApplicationDocument.stored_name).join(ApplicationDocument.application)
    ).all() + db.session.execute(
        select(Application.reference, Application.output_stored_name)
        .where(Application.output_stored_name.is_not(None))).all()
    db.session.rollback()
    return sorted((reference, name) for reference, name in rows if name not in present)


def record_failure(now: datetime, what: str, error: StorageError) -> None:
    """Write a storage failure to the audit log in its own transaction, for the supervisor's page; a
    database that cannot take it is only logged."""
    log.error("storage failure during %s: %s", what, error)
    try:
        db.session.rollback()
        audit.commit(audit.Line(None, "storage_failure", now, None, f"{what}: {error}"))
    except Exception:  # noqa: BLE001 - the database may be the next thing down; the log line above stays
        db.session.rollback()
        log.exception("could not record the storage failure")


@dataclass(frozen=True)
class Health:
    """What the supervisor sees: where files are kept, the free space where known, the last failure."""

    description: str
    free_bytes: int | None
    last_failure_at: datetime | None
    last_failure: str


def health() -> Health:
    """Return the storage's description, free space and the last recorded failure (one query)."""
    storage = current_storage()
    last = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "storage_failure")
                              .order_by(AuditEntry.id.desc()).limit(1)).first()
    return Health(storage.description, storage.free_bytes(), last.at if last else None,
                  last.detail if last else "")
