"""Backup and restore of the database and the uploads, on SQLite and on PostgreSQL alike."""

from pathlib import Path

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, ApplicationDocument
from tests.web.test_retention import file_lost_ktp


def test_backup_then_restore_brings_back_data_and_scans(app, client, regions, runner, tmp_path):
    file_lost_ktp(client)
    uploads = Path(app.config["UPLOAD_DIR"])
    scans = sorted(p.name for p in uploads.glob("*.jpg"))
    created = runner.invoke(args=["backup", "create", "--to", str(tmp_path / "backups")])
    assert created.exit_code == 0, created.output
    archive = next((tmp_path / "backups").glob("loket-backup-*.tar.gz"))
    assert archive.stat().st_mode & 0o077 == 0
    with app.app_context():
        reference = db.session.scalars(select(Application.reference)).one()
        db.session.execute(ApplicationDocument.__table__.delete())
        db.session.execute(Application.__table__.delete())
        db.session.commit()
    for scan in uploads.glob("*.jpg"):
        scan.unlink()
    (uploads / ("x" * 32 + ".jpg")).write_bytes(b"stale")  # a file the backup does not know goes away

    restored = runner.invoke(args=["backup", "restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "2 scans" in restored.output
    with app.app_context():
        assert db.session.scalars(select(Application.reference)).one() == reference
        assert db.session.scalar(select(func.count()).select_from(ApplicationDocument)) == 2
    assert sorted(p.name for p in uploads.glob("*.jpg")) == scans


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
    """A scan deleted between listing and archiving used to leave `….tar.gz.part` behind, mode 644, holding the
    database dump and the scans."""
    import tarfile

    file_lost_ktp(client)
    backups = tmp_path / "backups"
    modes = []
    original_add = tarfile.TarFile.add

    def add_then_lose_a_scan(tar, name, arcname=None, **kwargs):
        modes.extend(path.stat().st_mode & 0o777 for path in backups.glob("*.part"))
        if str(arcname).startswith("uploads/"):
            raise FileNotFoundError(name)
        return original_add(tar, name, arcname, **kwargs)

    monkeypatch.setattr(tarfile.TarFile, "add", add_then_lose_a_scan)
    result = runner.invoke(args=["backup", "create", "--to", str(backups)])
    assert result.exit_code == 1 and "backup failed, nothing was written" in result.output
    assert modes and set(modes) == {0o600}
    assert list(backups.iterdir()) == []
