"""Backup and restore of the database and the uploads, on SQLite and on PostgreSQL alike, with the scans in a
local folder or in S3 object storage."""

from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, ApplicationDocument
from portal.storage import StorageError, current_storage
from tests.web.apply_helpers import apply_lost_ktp
from tests.web.storage_helpers import stored_names


def test_backup_then_restore_brings_back_data_and_scans(app, backend, client, regions, runner, tmp_path):
    apply_lost_ktp(client)
    scans = stored_names(app)
    assert len(scans) == 2
    created = runner.invoke(args=["backup", "create", "--to", str(tmp_path / "backups")])
    assert created.exit_code == 0, created.output
    archive = next((tmp_path / "backups").glob("loket-backup-*.tar.gz"))
    assert archive.stat().st_mode & 0o077 == 0
    with app.app_context():
        reference = db.session.scalars(select(Application.reference)).one()
        db.session.execute(ApplicationDocument.__table__.delete())
        db.session.execute(Application.__table__.delete())
        db.session.commit()
        storage = current_storage()
        for scan in scans:
            storage.delete(f"uploads/{scan}")
        storage.put("uploads/" + "x" * 32 + ".jpg", b"stale")  # a file the backup does not know goes away

    restored = runner.invoke(args=["backup", "restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "2 scans" in restored.output
    with app.app_context():
        assert db.session.scalars(select(Application.reference)).one() == reference
        assert db.session.scalar(select(func.count()).select_from(ApplicationDocument)) == 2
    assert stored_names(app) == scans
    assert runner.invoke(args=["storage", "check"]).output.strip() == "0 files missing."


def test_restore_refuses_other_archives(app, runner, tmp_path, catalogue):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tar")
    result = runner.invoke(args=["backup", "restore", str(bogus), "--yes"])
    assert result.exit_code != 0 and "not a readable Loket backup" in result.output
    assert runner.invoke(args=["backup", "restore", str(bogus)], input="n\n").exit_code != 0


def test_restore_refuses_an_archive_with_a_path_outside(app, runner, tmp_path, catalogue):
    import io
    import tarfile
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        data = b"owned"
        member = tarfile.TarInfo("../../outside.txt")
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
    result = runner.invoke(args=["backup", "restore", str(evil), "--yes"])
    assert result.exit_code != 0 and "unexpected entry" in result.output
    assert not (tmp_path.parent / "outside.txt").exists()


def test_a_failed_backup_leaves_no_partial_archive_and_it_was_never_readable_by_others(
        app, client, regions, runner, tmp_path, monkeypatch):
    """A storage that fails while the scans are copied used to leave `….tar.gz.part` behind, mode 644, holding
    the database dump and the scans; and the backup lock is released, so deletions resume."""
    apply_lost_ktp(client)
    backups = tmp_path / "backups"
    modes = []
    with app.app_context():
        storage = current_storage()
    original_get = type(storage).get

    def get_then_fail(self, key):
        modes.extend(path.stat().st_mode & 0o777 for path in backups.glob("*.part"))
        if key.startswith("uploads/"):
            raise StorageError("the disk is gone")
        return original_get(self, key)

    monkeypatch.setattr(type(storage), "get", get_then_fail)
    result = runner.invoke(args=["backup", "create", "--to", str(backups)])
    assert result.exit_code == 1 and "backup failed, nothing was written" in result.output
    assert modes and set(modes) == {0o600}
    monkeypatch.undo()
    with app.app_context():
        assert not current_storage().exists("locks/backup")
    assert list(backups.iterdir()) == []


def test_a_backup_taken_while_scans_are_replaced_restores_with_every_file_and_checksum(
        app, backend, regions, staff, tmp_path):
    """FAULTS: residents keep replacing scans (a new file, the row moved to it, the old file deleted) while
    backups run. Each archive, restored, has every file its database refers to, byte for byte."""
    import hashlib
    import threading

    from portal.services import applications, backup, calendar
    from portal.uploads import CleanFile
    from tests.web.staff_helpers import make_application

    references = [make_application(app, "KTP_HILANG", state="draft", nik=f"33170141019000{n:02d}")[0]
                  for n in range(1, 4)]
    stop, replaced, failures = threading.Event(), [], []

    def replace_scans() -> None:
        with app.app_context():
            try:
                while not stop.is_set():
                    for reference in references:
                        application = applications.find(reference)
                        data = f"scan {reference} #{len(replaced)}".encode() * 50
                        clean = CleanFile(data, "image/jpeg", "jpg", "image", 10, 10, None,
                                          hashlib.sha256(data).hexdigest())
                        applications.attach_document(application, calendar.now(), "KK", clean)
                        replaced.append(reference)
            except Exception as error:  # noqa: BLE001 - reported below
                failures.append(error)

    writer = threading.Thread(target=replace_scans)
    writer.start()
    archives = []
    try:
        while len(archives) < 3:
            with app.app_context():
                archives.append(backup.create_backup(tmp_path / "backups", calendar.now() + timedelta(
                    seconds=len(archives))))
    finally:
        stop.set()
        writer.join(30)
    assert failures == [] and len(replaced) > 6  # scans were replaced while the backups ran

    missing = 0
    for archive in archives:
        with app.app_context():
            backup.restore_backup(archive)
        with app.app_context():
            rows = db.session.execute(select(ApplicationDocument.stored_name, ApplicationDocument.sha256)).all()
            storage = current_storage()
            for name, checksum in rows:
                if not storage.exists(f"uploads/{name}"):
                    missing += 1
                    continue
                assert hashlib.sha256(storage.get(f"uploads/{name}")).hexdigest() == checksum
        assert len(rows) == 2 * len(references)  # two documents each (letter and KK)
    assert missing == 0
