"""The whole application flow with the test client, for several services."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Application
from tests.web.apply_helpers import applicant_steps, photo, pin_on, post_step, reference_on, submit


def test_lost_ktp_from_start_to_confirmation(backend, client, regions):
    start = client.get("/ajukan/ktp_hilang")
    assert start.status_code == 200 and "Mulai" in start.get_data(as_text=True)
    applicant_steps(client, "ktp_hilang")
    assert post_step(client, "ktp_hilang", "tanya-police-report-number", {"answer": "LP/123/XI/2026"}).status_code == 303
    assert post_step(client, "ktp_hilang", "tanya-police-report-date",
                     {"day": "20", "month": "11", "year": "2026"}).status_code == 303
    for slug in ("dokumen-surat-kehilangan", "dokumen-kk"):
        response = post_step(client, "ktp_hilang", slug, {}, files={"document": (photo(), "foto.jpg")})
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    check = client.get("/ajukan/ktp_hilang/periksa").get_data(as_text=True)
    assert "LP/123/XI/2026" in check and "Siti Wulandari" in check and "20 November 2026" in check
    response = submit(client, "ktp_hilang")
    assert response.status_code == 303 and response.headers["Location"].endswith("/ajukan/ktp_hilang/selesai")
    done = client.get("/ajukan/ktp_hilang/selesai").get_data(as_text=True)
    reference, pin = reference_on(done), pin_on(done)
    assert "wa.me/?text=" in done and pin not in done.split("wa.me/?text=")[1].split('"')[0]
    with client.application.app_context():
        application = db.session.scalars(select(Application)).one()
        assert application.reference == reference and application.state == "submitted"
        assert application.pin_hash != pin and pin not in application.pin_hash
        assert application.phone == "+6281234567890" and application.full_name == "Siti Wulandari"
        assert [e.to_state for e in application.events] == ["draft", "submitted"]
        assert len(application.documents) == 2 and application.expires_at is None


def test_birth_certificate_with_an_optional_document_skipped(client, regions):
    from tests.web.apply_helpers import csrf
    applicant_steps(client, "akta_lahir")
    for slug, data in (("tanya-child-name", {"answer": "Ahmad Fauzi"}), ("tanya-child-sex", {"answer": "male"}),
                       ("tanya-child-birth-date", {"day": "2", "month": "11", "year": "2026"}),
                       ("tanya-child-birth-place", {"answer": "RSUD dr. R. Soetrasno Rembang"})):
        assert post_step(client, "akta_lahir", slug, data).status_code == 303, slug
    for slug in ("dokumen-surat-kelahiran", "dokumen-kk", "dokumen-ktp-el"):
        assert post_step(client, "akta_lahir", slug, {}, files={"document": (photo(), "x.jpg")}).status_code == 303
    path = "/ajukan/akta_lahir/dokumen-buku-nikah"
    assert client.post(path, data={"csrf_token": csrf(client, path), "skip": "1"}).status_code == 303
    check = client.get("/ajukan/akta_lahir/periksa").get_data(as_text=True)
    assert "Ahmad Fauzi" in check and "Laki-laki" in check and "Tidak ada" in check
    assert submit(client, "akta_lahir").status_code == 303
    with client.application.app_context():
        application = db.session.scalars(select(Application)).one()
        assert application.state == "submitted" and application.skipped_documents == ["BUKU_NIKAH"]
        assert application.answers["child_birth_date"] == "2026-11-02"


def test_pin_is_shown_once_on_the_confirmation(client, regions):
    from tests.web.test_track import submitted_kk
    reference, pin = submitted_kk(client)
    again = client.get("/ajukan/kk_baru/selesai").get_data(as_text=True)
    assert reference in again and pin not in again and "tidak bisa ditampilkan lagi" in again
    session_cookie = client.get_cookie("session").value
    import base64, zlib
    payload = session_cookie.split(".")[0] if not session_cookie.startswith(".") else session_cookie[1:].split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    text = (zlib.decompress(raw) if session_cookie.startswith(".") else raw).decode()
    assert pin not in text
