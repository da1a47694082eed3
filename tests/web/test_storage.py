"""What the office sees of the storage: the sweep of files no row refers to, the check for rows whose file is
missing, and a failing storage answered with a calm 503 that keeps every answer, recorded for supervisors."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, ApplicationDocument, AuditEntry
from portal.storage import StorageError, current_storage
from portal.storage.lock import backup_lock
from tests.web.apply_helpers import GOOD_NIK, apply_lost_ktp, applicant_steps, photo, post_step
from tests.web.storage_helpers import stored_names


def _age(app, name: str, hours: float, folder: str = "uploads") -> None:
    """Make the stored file `name` in `folder` look `hours` old (the local backend's file time)."""
    with app.app_context():
        path = current_storage().root / folder / name
    past = time.time() - hours * 3600
    os.utime(path, (past, past))


def test_sweep_deletes_old_files_no_row_refers_to_and_nothing_else(app, client, regions, runner):
    reference, _pin = apply_lost_ktp(client)
    referenced = stored_names(app)
    with app.app_context():
        storage = current_storage()
        storage.put("uploads/" + "o" * 32 + ".jpg", b"left by a crash")
        storage.put("uploads/" + "y" * 32 + ".jpg", b"an upload whose commit is under way")
        receipt = [found.key for found in storage.list("receipts/")]  # rendered at submission: fresh
        rendered = {"receipts": ["12-v1-a4-id.pdf", "12-v2-a4-id.pdf", "ticket-3-80-id.pdf"],
                    "latihan": ["pickup-4-v1-s0-a4-en.pdf"]}
        for folder, names in rendered.items():
            for name in names:
                storage.put(f"{folder}/{name}", b"%PDF- a receipt with a name on it")
    for name in referenced + ["o" * 32 + ".jpg"]:
        _age(app, name, 2)
    _age(app, "12-v1-a4-id.pdf", 8 * 24, "receipts")  # rendered more than a week ago: gone, rendered again if asked
    _age(app, "ticket-3-80-id.pdf", 8 * 24, "receipts")
    _age(app, "pickup-4-v1-s0-a4-en.pdf", 8 * 24, "latihan")
    _age(app, "12-v2-a4-id.pdf", 6 * 24, "receipts")  # six days: kept
    with app.app_context(), backup_lock(current_storage()):
        assert "A backup is running: nothing deleted" in runner.invoke(args=["storage", "sweep"]).output
    result = runner.invoke(args=["storage", "sweep"])
    assert result.exit_code == 0
    assert ("Deleted 1 files no application refers to, 0 half-written, 3 receipts and tickets rendered more than "
            "7 days ago; left 1 younger than 60 minutes.") in result.output
    assert stored_names(app) == sorted(referenced + ["y" * 32 + ".jpg"])
    with app.app_context():
        kept = [found.key for found in current_storage().list("receipts/")]
        assert len(receipt) == 1 and sorted(kept) == sorted(receipt + ["receipts/12-v2-a4-id.pdf"])
        assert list(current_storage().list("latihan/")) == []
    checked = runner.invoke(args=["storage", "check"])
    assert checked.exit_code == 0 and checked.output.strip() == "0 files missing."
    with app.app_context():
        current_storage().delete(f"uploads/{referenced[0]}")
    checked = runner.invoke(args=["storage", "check"])
    assert checked.exit_code == 1
    assert f"{reference} {referenced[0]} missing" in checked.output and "1 files missing." in checked.output


def test_a_failing_storage_answers_503_keeps_the_answers_and_tells_the_supervisor(app, client, regions, kabid,
                                                                                   monkeypatch):
    applicant_steps(client, "ktp_hilang")
    post_step(client, "ktp_hilang", "tanya-police-report-number", {"answer": "LP/123/XI/2026"})
    with app.app_context():
        storage = current_storage()

    def full(self, key, data):
        raise StorageError("the disk is full")

    monkeypatch.setattr(type(storage), "put", full)
    response = post_step(client, "ktp_hilang", "dokumen-kk", {}, files={"document": (photo(), "kk.jpg")})
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "120"
    assert "Berkas belum dapat disimpan" in html and "Jawaban yang sudah Anda isi tetap tersimpan" in html
    assert 'href="/ajukan/ktp_hilang/dokumen-kk"' in html and "Traceback" not in html
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        assert application.nik == GOOD_NIK and "LP/123/XI/2026" in application.answers.values()
        assert db.session.scalar(select(func.count()).select_from(ApplicationDocument)) == 0
        line = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "storage_failure")).one()
        assert line.user_id is None and line.detail == "POST /ajukan/ktp_hilang/dokumen-kk: the disk is full"
    monkeypatch.undo()

    home = kabid.get("/admin").get_data(as_text=True)
    assert "Penyimpanan berkas" in home and 'class="storage-status warning-box"' in home
    assert "the disk is full" in home and "Ruang kosong:" in home
    again = post_step(client, "ktp_hilang", "dokumen-kk", {}, files={"document": (photo(), "kk.jpg")})
    assert again.status_code == 303  # the storage is back: the same step goes through


def test_the_503_page_speaks_english_too(app, client, regions, monkeypatch):
    client.set_cookie("bahasa", "en")
    applicant_steps(client, "ktp_hilang")
    with app.app_context():
        storage = current_storage()
    monkeypatch.setattr(type(storage), "put", lambda self, key, data: (_ for _ in ()).throw(StorageError("x")))
    response = post_step(client, "ktp_hilang", "dokumen-kk", {}, files={"document": (photo(), "kk.jpg")})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "The file could not be saved yet" in html and "The answers you already gave are kept" in html


def test_a_quiet_admin_page_says_where_files_are_and_that_nothing_failed(app, kabid):
    home = kabid.get("/admin").get_data(as_text=True)
    assert "Berkas warga disimpan di: folder " in home
    assert "Belum ada gangguan penyimpanan yang tercatat." in home and 'warning-box' not in home


def test_a_really_full_disk_answers_503_and_uploads_resume_once_there_is_room(app, client, regions, tmp_path):
    """A real full disk: the storage folder is a 512 KB tmpfs, filled up (needs root, as CI runs)."""
    import subprocess

    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"this machine cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        app.config["STORAGE_URL"] = f"file://{folder}"
        app.extensions.pop("loket.storage", None)
        applicant_steps(client, "ktp_hilang")
        filler = folder / "filler"
        with open(filler, "wb", buffering=0) as fill:
            try:
                while True:
                    fill.write(b"\0" * 4096)
            except OSError:
                pass
        response = post_step(client, "ktp_hilang", "dokumen-kk", {}, files={"document": (photo(), "kk.jpg")})
        assert response.status_code == 503 and "Berkas belum dapat disimpan" in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(ApplicationDocument)) == 0
            line = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "storage_failure")).one()
            assert line.detail.endswith("the disk is full")
        assert [path.name for path in (folder / "uploads").iterdir()] == []  # no partial file left
        filler.unlink()
        again = post_step(client, "ktp_hilang", "dokumen-kk", {}, files={"document": (photo(), "kk.jpg")})
        assert again.status_code == 303 and len(stored_names(app)) == 1
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_an_unreachable_object_store_answers_503_and_the_answers_stay(app, client, regions, monkeypatch):
    """The S3 service is down (nothing listens at its address): the upload gets the calm 503, not a 500."""
    import socket

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "office")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config["STORAGE_URL"] = f"s3://loket/office?endpoint=http://127.0.0.1:{port}"
    app.extensions.pop("loket.storage", None)
    applicant_steps(client, "ktp_hilang")
    response = post_step(client, "ktp_hilang", "dokumen-kk", {}, files={"document": (photo(), "kk.jpg")})
    assert response.status_code == 503 and "Berkas belum dapat disimpan" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Application)).one().nik == GOOD_NIK
        line = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "storage_failure")).one()
        assert line.detail.endswith("S3 unreachable (EndpointConnectionError)")
