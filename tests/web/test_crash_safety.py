"""FAULTS: a worker killed with SIGKILL at each instant of an upload and of a village batch submit.

The worker is a fork of the test process (so it starts in milliseconds) with its own database connections and
storage client, which stops at a chosen instant and says so through a pipe; the test then kills it with
SIGKILL, as the kernel's OOM killer or a `kill -9` would. Afterwards, whatever the instant:

- no row refers to a missing file (`flask storage check` finds none);
- a file no row refers to may be left, and `flask storage sweep` deletes it once past its grace period;
- a batch is submitted with all its applications, or not at all.
"""

from __future__ import annotations

import hashlib
import os
import select as io_select
import signal
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import ApplicationDocument, Batch, User
from portal.services import applications, batches, calendar, storage
from portal.storage import current_storage
from portal.uploads import CleanFile
from tests.web.staff_helpers import create_staff, make_application

PAUSE_SECONDS = 30  # the worker waits this long at its instant; the test kills it well before


def _killed_at(app, instant: str, work, patch) -> bool:
    """Fork a worker that runs `work()` in an app context with `patch(pause)` applied, where `pause(name)`
    stops the worker when `name` == `instant`; kill it with SIGKILL there. Return True when it reached the
    instant (False: it finished or failed first)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: never returns into pytest
        status = 1
        try:
            os.close(read_end)
            with app.app_context():
                db.engine.dispose(close=False)  # the parent's pooled connections are not ours to use
            app.extensions.pop("loket.storage", None)  # nor its storage client's sockets

            def pause(name: str) -> None:
                if name == instant:
                    os.write(write_end, name.encode())
                    time.sleep(PAUSE_SECONDS)

            patch(pause)
            with app.app_context():
                work()
            os.write(write_end, b"finished")
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    ready, _, _ = io_select.select([read_end], [], [], 20)
    said = os.read(read_end, 100).decode() if ready else ""
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read_end)
    return said == instant


def _replacement(label: str) -> CleanFile:
    data = f"the resident's new photo, {label}".encode() * 100
    return CleanFile(data, "image/jpeg", "jpg", "image", 10, 10, None, hashlib.sha256(data).hexdigest())


def _unreferenced(app) -> list[str]:
    with app.app_context():
        referenced = storage.referenced_names()
        return sorted(found.key for found in current_storage().list("uploads/")
                      if found.key[len("uploads/"):] not in referenced)


def _rows_with_their_files(app) -> int:
    """Return how many document rows there are, after checking each file is stored with its checksum."""
    with app.app_context():
        assert storage.missing_files() == []
        rows = db.session.execute(select(ApplicationDocument.stored_name, ApplicationDocument.sha256)).all()
        for name, checksum in rows:
            assert hashlib.sha256(current_storage().get(f"uploads/{name}")).hexdigest() == checksum
        return len(rows)


@pytest.mark.parametrize("instant, orphans", [
    ("writing", 0),  # the new file is being written: nothing of it is kept
    ("written", 1),  # the new file is stored, its row not yet committed
    ("committing", 1),  # the commit is under way and dies with the worker: the new file is left over
    ("committed", 1),  # the row points at the new file; the replaced file is not deleted yet
])
def test_an_upload_killed_at_any_instant_leaves_no_half_record(app, backend, regions, instant, orphans):
    reference, _pin = make_application(app, "KTP_HILANG", state="draft")
    before = _rows_with_their_files(app)

    def patch(pause) -> None:
        storage_class = type(current_storage_of(app))
        put, commit = storage_class.put, Session.commit

        def put_then_pause(self, key, data):
            if key.startswith("uploads/"):
                pause("writing")
            put(self, key, data)
            if key.startswith("uploads/"):
                pause("written")

        def commit_with_pauses(self):
            pause("committing")
            commit(self)
            pause("committed")

        storage_class.put, Session.commit = put_then_pause, commit_with_pauses

    def upload() -> None:
        applications.attach_document(applications.find(reference), calendar.now(), "KK", _replacement(instant))

    assert _killed_at(app, instant, upload, patch)
    assert _rows_with_their_files(app) == before  # every row has its file: the old one, or the new one
    left = _unreferenced(app)
    assert len(left) == orphans
    with app.app_context():
        young = storage.sweep(datetime.now(timezone.utc))
        assert young.deleted == [] and young.kept_young == len(left)  # it may be an upload still being saved
        swept = storage.sweep(datetime.now(timezone.utc) + timedelta(hours=2))
    assert len(swept.deleted) == len(left) and _unreferenced(app) == []
    assert _rows_with_their_files(app) == before


def current_storage_of(app):
    with app.app_context():
        return current_storage()


@pytest.mark.parametrize("instant", ["committing", "committed"])
def test_a_batch_submit_killed_mid_way_submits_all_or_nothing(app, regions, instant):
    create_staff(app)
    references = [make_application(app, state="draft", filed_by="op.sumber", nik=nik)[0]
                  for nik in ("3317014101900001", "3317011203850007", "3317015507920003")]
    with app.app_context():
        operator = db.session.scalar(select(User).where(User.username == "op.sumber"))
        opened = batches.open_batch(operator, calendar.now())
        for reference in references:
            batches.add(opened, applications.find(reference), operator, calendar.now())
        batch_id = opened.id

    def patch(pause) -> None:
        commit = Session.commit

        def commit_with_pauses(self):
            pause("committing")
            commit(self)
            pause("committed")

        Session.commit = commit_with_pauses

    def submit() -> None:
        operator = db.session.scalar(select(User).where(User.username == "op.sumber"))
        batches.submit(db.session.get(Batch, batch_id), operator, calendar.now())

    assert _killed_at(app, instant, submit, patch)
    with app.app_context():
        batch = db.session.get(Batch, batch_id)
        states = {applications.find(reference).state for reference in references}
    if instant == "committed":
        assert (batch.state, states) == ("submitted", {"submitted"})
    else:
        assert (batch.state, states) == ("open", {"draft"})


def test_an_upload_killed_half_way_through_writing_its_file_leaves_only_a_partial_that_is_swept(app, regions):
    """The local folder writes a temporary file and renames it: killed before the rename, the temporary file is
    all that is left; listings never show it, and the sweep deletes it once it is old enough."""
    from portal.storage import local

    reference, _pin = make_application(app, "KTP_HILANG", state="draft")
    before = _rows_with_their_files(app)

    def patch(pause) -> None:
        replace = local.os.replace

        def pause_then_replace(source, target):
            pause("half-written")
            replace(source, target)

        local.os.replace = pause_then_replace

    def upload() -> None:
        applications.attach_document(applications.find(reference), calendar.now(), "KK", _replacement("half"))

    assert _killed_at(app, "half-written", upload, patch)
    with app.app_context():
        root = current_storage().root / "uploads"
    partial = [path for path in root.iterdir() if path.name.startswith(".incoming-")]
    assert len(partial) == 1 and _unreferenced(app) == [] and _rows_with_their_files(app) == before
    past = time.time() - 7200
    os.utime(partial[0], (past, past))
    with app.app_context():
        assert storage.sweep(datetime.now(timezone.utc)).partial == 1
    assert not partial[0].exists()
