"""Uploads are limited per client and per application, before any decoding (issue 16, finding 5b)."""

from __future__ import annotations

from portal.extensions import db
from portal.models import ApplicationDocument
from tests.web.apply_helpers import applicant_steps, photo, post_step


def _documents(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(ApplicationDocument))


def _upload(client, slug="dokumen-kk"):
    return post_step(client, "ktp_hilang", slug, {}, files={"document": (photo(), "foto.jpg")})


def _started(client):
    applicant_steps(client, "ktp_hilang")
    post_step(client, "ktp_hilang", "tanya-police-report-number", {"answer": "LP/123/XI/2026"})


def test_one_client_is_limited_and_told_when_to_try_again(app, client, regions):
    app.config["UPLOAD_LIMIT"] = "2 per minute"
    _started(client)
    assert [_upload(client).status_code for _ in range(2)] == [303, 303]
    refused = _upload(client, "dokumen-surat-kehilangan")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Terlalu banyak unggahan dalam waktu singkat. Kirim lagi setelah pukul" in page
    assert "jawaban yang sudah Anda isi tetap tersimpan" in page
    assert _documents(app) == 1  # the KK twice (replaced), the letter refused before it was decoded
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    _started(other)
    assert _upload(other).status_code == 303  # another client has its own budget


def test_one_application_is_limited_from_every_client(app, client, regions):
    app.config["UPLOAD_APPLICATION_LIMIT"] = "2 per minute"
    _started(client)
    assert [_upload(client).status_code for _ in range(2)] == [303, 303]
    client.environ_base["REMOTE_ADDR"] = "192.0.2.7"  # the same browser on another network
    refused = _upload(client, "dokumen-surat-kehilangan")
    assert refused.status_code == 422 and "Terlalu banyak unggahan" in refused.get_data(as_text=True)
    assert _documents(app) == 1
