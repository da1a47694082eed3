"""Tracking with reference + PIN, drafts saved and resumed, cancelling, verification, purging drafts."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, ApplicationDocument
from tests.conftest import wib
from tests.web.apply_helpers import (GOOD_NIK, applicant_steps, csrf, photo, pin_on, post_step, reference_on,
                                     submit)
from tests.web.storage_helpers import stored_names


def submitted_kk(client, nik: str = GOOD_NIK) -> tuple[str, str]:
    """File and submit a KK_BARU application for `nik`; return (reference, PIN)."""
    applicant_steps(client, "kk_baru", nik=nik)
    post_step(client, "kk_baru", "tanya-spouse-nik", {"answer": "3317010101880001"})
    post_step(client, "kk_baru", "tanya-marriage-date", {"day": "5", "month": "6", "year": "2015"})
    post_step(client, "kk_baru", "tanya-spouse-origin", {"answer": _first_option(client)})
    for slug in ("dokumen-buku-nikah", "dokumen-kk"):
        assert post_step(client, "kk_baru", slug, {}, files={"document": (photo(), "x.jpg")}).status_code == 303
    path = "/ajukan/kk_baru/dokumen-surat-pindah"
    client.post(path, data={"csrf_token": csrf(client, path), "skip": "1"})
    assert submit(client, "kk_baru").status_code == 303
    done = client.get("/ajukan/kk_baru/selesai").get_data(as_text=True)
    return reference_on(done), pin_on(done)


def _first_option(client) -> str:
    html = client.get("/ajukan/kk_baru/tanya-spouse-origin").get_data(as_text=True)
    return re.search(r'name="answer"[^>]*type="radio" value="([^"]+)"', html).group(1)


def track(client, reference, pin):
    return client.post("/lacak", data={"csrf_token": csrf(client, "/lacak"), "reference": reference, "pin": pin})


def test_track_with_reference_and_pin_from_another_device(app, client, regions):
    reference, pin = submitted_kk(client)
    other = app.test_client()
    assert other.get(f"/lacak/{reference}").status_code == 303  # not unlocked on this device
    response = track(other, reference.lower().replace("-", " "), pin)
    assert response.status_code == 303 and response.headers["Location"] == f"/lacak/{reference}"
    page = other.get(f"/lacak/{reference}").get_data(as_text=True)
    assert "Terkirim, menunggu diperiksa" in page and "KK Baru" in page
    assert "331701******0001" in page and GOOD_NIK not in page
    assert "Permohonan dikirim" in page and "Mulai diisi" in page
    assert "Kartu Keluarga (KK)" in page and "Diterima, belum diperiksa" in page


def test_wrong_pin_gets_one_generic_message(app, client, regions):
    reference, pin = submitted_kk(client)
    other = app.test_client()
    wrong = track(other, reference, "000000" if pin != "000000" else "111111")
    unknown = track(other, "RBG-0000-0000", pin)
    for response in (wrong, unknown):
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Nomor permohonan atau PIN tidak cocok" in html
    assert f'value="{reference}"' in wrong.get_data(as_text=True)  # the reference is kept, the PIN is not
    empty = track(other, "", "")
    assert "Isi nomor permohonan dan PIN." in empty.get_data(as_text=True)


def test_tracking_is_rate_limited_per_reference_with_a_clear_message(app, client, regions):
    reference, pin = submitted_kk(client)
    responses = [track(app.test_client(), reference, "999999") for _ in range(6)]
    assert [r.status_code for r in responses] == [422] * 5 + [429]
    html = responses[-1].get_data(as_text=True)
    assert "Terlalu banyak percobaan. Coba lagi dalam" in html and "menit" in html
    assert int(responses[-1].headers["Retry-After"]) > 0
    assert f'value="{reference}"' in html


def test_tracking_is_rate_limited_per_client(app, client, regions):
    app.config["TRACK_LIMIT"] = "3 per minute"
    statuses = [track(client, f"RBG-000{i}-0000", "123456").status_code for i in range(4)]
    assert statuses == [422, 422, 422, 429]


def test_save_and_resume_a_draft_from_another_device(app, client, regions):
    post_step(client, "ktp_rusak", "nik", {"nik": GOOD_NIK})
    path = "/ajukan/ktp_rusak/nama"
    saved = client.post(path, data={"csrf_token": csrf(client, path), "full_name": "Budi", "save": "1"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/ajukan/ktp_rusak/disimpan")
    page = client.get("/ajukan/ktp_rusak/disimpan").get_data(as_text=True)
    reference, pin = reference_on(page), pin_on(page)
    assert "disimpan sampai" in page
    other = app.test_client()
    track(other, reference, pin)
    status = other.get(f"/lacak/{reference}").get_data(as_text=True)
    assert "Belum dikirim (draf)" in status and "Lanjutkan mengisi" in status
    start = other.get("/ajukan/ktp_rusak").get_data(as_text=True)
    assert "/ajukan/ktp_rusak/tanggal-lahir" in start  # resumes at the first unanswered step
    assert 'value="Budi"' in other.get("/ajukan/ktp_rusak/nama").get_data(as_text=True)
    # Saving with nothing typed just leaves, keeping what was there.
    path = "/ajukan/ktp_rusak/telepon"
    leave = other.post(path, data={"csrf_token": csrf(other, path), "phone": "", "save": "1"})
    assert leave.status_code == 303 and leave.headers["Location"].endswith("/disimpan")


def test_cancel_before_review_with_the_pin(app, client, regions):
    reference, pin = submitted_kk(client)
    path = f"/lacak/{reference}/batal"
    wrong = client.post(path, data={"csrf_token": csrf(client, path), "pin": "000000" if pin != "000000" else "1"})
    assert wrong.status_code == 422 and "PIN tidak cocok" in wrong.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": csrf(client, path), "pin": pin})
    assert done.status_code == 303
    page = client.get(f"/lacak/{reference}").get_data(as_text=True)
    assert "Dibatalkan" in page and "Permohonan dibatalkan" in page and "Batalkan permohonan ini" not in page
    again = client.get(path)
    assert again.status_code == 409 and "tidak bisa dibatalkan" in again.get_data(as_text=True)


def test_a_cancellation_made_in_english_is_stored_in_indonesian_and_read_in_each_language(app, client, regions):
    reference, pin = submitted_kk(client)
    path = f"/lacak/{reference}/batal"
    client.set_cookie("bahasa", "en")
    assert client.post(path, data={"csrf_token": csrf(client, path), "pin": pin}).status_code == 303
    assert "Application cancelled: Cancelled by the applicant" in client.get(f"/lacak/{reference}").get_data(as_text=True)
    client.set_cookie("bahasa", "id")
    assert "Permohonan dibatalkan: Dibatalkan oleh pemohon" in client.get(f"/lacak/{reference}").get_data(as_text=True)


def test_pins_typed_to_cancel_spend_the_references_one_budget(app, client, regions):
    reference, pin = submitted_kk(client)  # this browser has it unlocked, so it may try to cancel
    wrong = "000000" if pin != "000000" else "111111"
    path = f"/lacak/{reference}/batal"
    statuses = [track(app.test_client(), reference, wrong).status_code for _ in range(3)]
    statuses += [client.post(path, data={"csrf_token": csrf(client, path), "pin": wrong}).status_code
                 for _ in range(2)]
    assert statuses == [422] * 5
    assert client.post(path, data={"csrf_token": csrf(client, path), "pin": pin}).status_code == 429
    assert track(app.test_client(), reference, pin).status_code == 429
    with app.app_context():
        assert db.session.scalars(select(Application)).one().state == "submitted"


def test_cancel_is_refused_once_review_started(app, client, regions):
    from portal.services import applications
    reference, pin = submitted_kk(client)
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        applications._move(application, "in_review", "clerk", wib(2026, 12, 3, 10, 0))
        db.session.commit()
    path = f"/lacak/{reference}/batal"
    response = client.post(path, data={"csrf_token": csrf(client, "/lacak"), "pin": pin})
    assert response.status_code == 409
    with app.app_context():
        assert db.session.scalars(select(Application)).one().state == "in_review"


def test_leaving_forgets_the_application_on_this_device(client, regions):
    reference, _pin = submitted_kk(client)
    client.post("/lacak/tutup", data={"csrf_token": csrf(client, "/lacak")})
    assert client.get(f"/lacak/{reference}").status_code == 303


def test_verification_page_shows_least_data_and_refuses_forgeries(app, client, regions):
    reference, _pin = submitted_kk(client)
    with app.app_context():
        token = db.session.scalars(select(Application)).one().verification_token
    page = app.test_client().get(f"/verifikasi/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Asli" in html and "KK Baru" in html and "S. W." in html
    assert "Siti" not in html and "Wulandari" not in html and GOOD_NIK not in html and "331701" not in html
    assert reference not in html and reference[-4:] in html
    forged = app.test_client().get("/verifikasi/" + token[:-2] + "xx")
    assert forged.status_code == 404 and "Tidak ditemukan" in forged.get_data(as_text=True)


def test_uploaded_document_is_served_only_to_its_applicant(app, client, regions):
    submitted_kk(client)
    with app.app_context():
        document_id = db.session.scalars(select(ApplicationDocument)).first().id
    own = client.get(f"/ajukan/dokumen/{document_id}")
    assert own.status_code == 200 and own.mimetype == "image/jpeg"
    assert own.headers["X-Content-Type-Options"] == "nosniff" and "inline" in own.headers["Content-Disposition"]
    assert app.test_client().get(f"/ajukan/dokumen/{document_id}").status_code == 404


def test_purge_deletes_expired_drafts_with_their_files(app, client, regions, clock, runner):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    post_step(client, "kk_baru", "dokumen-kk", {}, files={"document": (photo(), "kk.jpg")})
    assert len(stored_names(app)) >= 1
    clock.now = clock.now + timedelta(days=13)
    assert "Deleted 0 expired drafts" in runner.invoke(args=["drafts", "purge"]).output
    clock.now = clock.now + timedelta(days=2)
    result = runner.invoke(args=["drafts", "purge"])
    assert "Deleted 1 expired drafts and 1 uploaded files." in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 0
    assert stored_names(app) == []


def test_receipt_download_is_rendered_once_per_version(app, backend, client, regions, monkeypatch):
    from pypdf import PdfReader
    import io
    from portal.pdf import receipt as receipt_module

    reference, pin = submitted_kk(client)
    calls = []
    real = receipt_module.render_receipt
    monkeypatch.setattr(receipt_module, "render_receipt", lambda data, size: calls.append(size) or real(data, size))
    first = client.get(f"/lacak/{reference}/bukti.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert calls == []  # rendered at submission already
    text = PdfReader(io.BytesIO(first.data)).pages[0].extract_text()
    assert reference in text and "331701******0001" in text and GOOD_NIK not in text
    assert client.get(f"/lacak/{reference}/bukti.pdf").data == first.data and calls == []
    assert client.get(f"/lacak/{reference}/bukti.pdf", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    small = client.get(f"/lacak/{reference}/bukti.pdf?ukuran=a6")
    assert small.status_code == 200 and calls == ["a6"]
    assert client.get(f"/lacak/{reference}/bukti.pdf?ukuran=a3").status_code == 404
    assert app.test_client().get(f"/lacak/{reference}/bukti.pdf").status_code == 404  # another device


def test_draft_has_no_receipt(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    with client.application.app_context():
        reference = db.session.scalars(select(Application)).one().reference
    assert client.get(f"/lacak/{reference}/bukti.pdf").status_code == 404
