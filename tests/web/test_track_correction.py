"""The resident's side of a correction and of a ready document: see the clerk's reasons, replace a document,
send the correction; see where and when to collect; download a self-printed document (which ends the
application) — each only in a browser that unlocked the application with its reference and PIN."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import ApplicationEvent, User
from portal.services import applications, calendar, review
from tests.web.apply_helpers import GOOD_NIK, csrf, photo
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import create_staff, make_application
from tests.web.storage_helpers import stored_body, stored_names

KK_REASON = "Foto KK buram dan terpotong. Foto ulang seluruh halaman di tempat terang."
NOTE = "Nama ibu kandung di KK berbeda dengan buku nikah."


def track(client, reference: str, pin: str):
    """Unlock `reference` in `client` with its PIN through the tracking form; return the response."""
    return client.post("/lacak", data={"csrf_token": csrf(client, "/lacak"), "reference": reference, "pin": pin})


def unlocked(app, reference: str, pin: str):
    """Return a new browser that unlocked `reference`."""
    client = app.test_client()
    assert track(client, reference, pin).status_code == 303
    return client


def ask_correction(app, reference: str, fix: dict[str, str], note: str = "") -> None:
    """As the clerk who took `reference`: ask to fix the documents in `fix` (code → reason), accept the
    others, and send it back for a correction with `note`."""
    with app.app_context():
        application = applications.find(reference)
        clerk = db.session.scalar(select(User).where(User.username == "clerk"))
        now = calendar.now()
        for document in list(application.documents):
            reason = fix.get(document.code)
            review.judge_document(application, document, clerk, now, accept=reason is None, reason=reason or "")
        review.ask_correction(application, clerk, now, note=note)


def in_correction(app, note: str = NOTE, fix: dict[str, str] | None = None) -> tuple[str, str]:
    """Return (reference, PIN) of a KK_BARU application whose KK the clerk asked to fix, with a note."""
    create_staff(app)
    reference, pin = make_application(app, "KK_BARU", state=lifecycle.IN_REVIEW)
    ask_correction(app, reference, {"KK": KK_REASON} if fix is None else fix, note)
    return reference, pin


def upload(client, reference: str, code: str, content: bytes, filename: str = "kk.jpg", headers=None,
           token_from: str | None = None):
    """Post `content` as the replacement of document `code`, with the CSRF token of the upload page (or of
    `token_from`); return the response."""
    path = f"/lacak/{reference}/perbaiki/{code}"
    token = csrf(client, token_from or path)
    return client.post(path, data={"csrf_token": token, "document": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data", headers=headers or {})


def send(client, reference: str):
    return client.post(f"/lacak/{reference}/kirim-perbaikan",
                       data={"csrf_token": csrf(client, f"/lacak/{reference}")})


def application_state(app, reference: str) -> str:
    with app.app_context():
        return applications.find(reference).state


def documents_of(app, reference: str) -> dict[str, tuple[str, str]]:
    """Return {code: (state, stored name)} of the application's documents."""
    with app.app_context():
        return {d.code: (d.state, d.stored_name) for d in applications.find(reference).documents}


def stored_files(app) -> set[str]:
    return set(stored_names(app))


# The correction loop


def test_resident_sees_the_reasons_replaces_the_document_and_sends_the_correction(app, backend, regions, clock):
    reference, pin = in_correction(app)
    clock.now += timedelta(hours=2)  # the resident comes back later
    before = documents_of(app, reference)
    assert before["KK"][0] == "needs_fix" and before["BUKU_NIKAH"][0] == "accepted"
    client = unlocked(app, reference, pin)

    page = client.get(f"/lacak/{reference}").get_data(as_text=True)
    assert "Perlu perbaikan" in page and "Yang perlu diperbaiki" in page
    assert KK_REASON in page and NOTE in page  # the document's reason and the clerk's note
    box = re.search(r'<div class="warning-box" id="perbaikan">(.*?)</div>', page, re.S).group(1)
    note = re.search(r"<strong>Pesan petugas:</strong>(.*?)</p>", box, re.S).group(1)
    assert note.strip() == NOTE  # the clerk's own note, then what was asked about each document
    assert f"<li><strong>Kartu Keluarga (KK)</strong>: {KK_REASON}</li>" in box
    assert f"Petugas meminta perbaikan: {NOTE} {KK_REASON}" in page  # the history joins them as sentences
    assert ".;" not in page
    assert f'href="/lacak/{reference}/perbaiki/kk"' in page
    assert f'href="/lacak/{reference}/perbaiki/buku_nikah"' not in page  # accepted: nothing to redo
    assert f'action="/lacak/{reference}/kirim-perbaikan"' in page and "Kirim perbaikan" in page
    assert "Masih perlu diganti: Kartu Keluarga (KK)." in page

    form = client.get(f"/lacak/{reference}/perbaiki/kk").get_data(as_text=True)
    assert "Ganti Kartu Keluarga (KK)" in form and KK_REASON in form
    assert 'type="file" accept="image/*,application/pdf" data-shrink="2000 600 0.85"' in form
    assert '<progress class="progress"' in form
    assert 'enctype="multipart/form-data"' in form

    files_before = stored_files(app)
    bad = upload(client, reference, "kk", b"<html><script>alert(1)</script></html>", "kk.jpg")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Jenis berkas ini tidak dapat kami terima" in html and 'id="document-error"' in html
    assert "<title>Kesalahan:" in html
    assert stored_files(app) == files_before and documents_of(app, reference) == before  # nothing stored

    refused = send(client, reference)
    assert refused.status_code == 409
    assert "Ganti dulu dokumen yang diminta petugas: Kartu Keluarga (KK)." in refused.get_data(as_text=True)
    assert application_state(app, reference) == lifecycle.NEEDS_CORRECTION

    good = upload(client, reference, "kk", photo(color=(120, 130, 140)))
    assert good.status_code == 303 and good.headers["Location"] == f"/lacak/{reference}"
    after = documents_of(app, reference)
    assert after["KK"][0] == "received" and after["KK"][1] != before["KK"][1]
    assert after["BUKU_NIKAH"] == before["BUKU_NIKAH"]  # nothing already accepted is lost
    assert before["KK"][1] not in stored_files(app)  # the replaced scan is deleted
    page = client.get(f"/lacak/{reference}").get_data(as_text=True)
    assert "Sudah diganti" in page and "Masih perlu diganti" not in page

    sent = send(client, reference)
    assert sent.status_code == 303 and sent.headers["Location"] == f"/lacak/{reference}"
    assert application_state(app, reference) == lifecycle.SUBMITTED
    page = client.get(f"/lacak/{reference}").get_data(as_text=True)
    assert "Terkirim, menunggu diperiksa" in page and "Perbaikan dikirim" in page
    assert "Kirim perbaikan" not in page and "/perbaiki/" not in page
    with app.app_context():
        application = applications.find(reference)
        assert application.assigned_to is None  # back in the inbox for any clerk
        assert [e.to_state for e in application.events][-2:] == [lifecycle.NEEDS_CORRECTION, lifecycle.SUBMITTED]


def test_sending_is_refused_until_every_document_is_replaced_and_says_which(app, regions):
    create_staff(app)
    reference, pin = make_application(app, "KK_BARU", state=lifecycle.IN_REVIEW)
    ask_correction(app, reference, {"KK": KK_REASON, "BUKU_NIKAH": "Halaman kedua tidak ada."})
    client = unlocked(app, reference, pin)
    refused = send(client, reference)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Buku nikah / akta perkawinan, Kartu Keluarga (KK)." in html
    assert f'href="/lacak/{reference}/perbaiki/kk"' in html and f'href="/lacak/{reference}/perbaiki/buku_nikah"' in html
    assert upload(client, reference, "kk", photo()).status_code == 303
    again = send(client, reference).get_data(as_text=True)
    assert "Ganti dulu dokumen yang diminta petugas: Buku nikah / akta perkawinan." in again
    assert application_state(app, reference) == lifecycle.NEEDS_CORRECTION


def test_a_required_question_added_after_submission_does_not_block_the_correction(app, regions):
    reference, pin = in_correction(app)
    with app.app_context():  # a supervisor adds a required question to the service afterwards
        service = applications.find(reference).service
        service.questions = [*service.questions, {"code": "new_question", "type": "text", "label_id": "Nama dusun",
                                                  "label_en": "Hamlet", "required": True}]
        service.documents = [*service.documents, {"code": "SURAT_RT", "name_id": "Surat RT", "name_en": "RT letter",
                                                  "required": True}]
        db.session.commit()
    client = unlocked(app, reference, pin)
    assert upload(client, reference, "kk", photo()).status_code == 303
    refused = send(client, reference)  # a new required document is offered on the correction page, so it counts
    assert refused.status_code == 409 and "Surat RT" in refused.get_data(as_text=True)
    assert "Nama dusun" not in refused.get_data(as_text=True)  # the question is not (the clerk judged the answers)
    assert upload(client, reference, "SURAT_RT", photo()).status_code == 303
    assert send(client, reference).status_code == 303
    assert application_state(app, reference) == lifecycle.SUBMITTED


def test_a_note_alone_lets_the_resident_replace_any_document_or_send_at_once(app, regions):
    reference, pin = in_correction(app, note="Lampirkan juga surat pindah bila ada.", fix={})
    with app.app_context():  # the optional moving certificate was never uploaded
        application = applications.find(reference)
        document = next(d for d in application.documents if d.code == "SURAT_PINDAH")
        application.documents.remove(document)
        db.session.commit()
    client = unlocked(app, reference, pin)
    page = client.get(f"/lacak/{reference}").get_data(as_text=True)
    assert "Lampirkan juga surat pindah bila ada." in page
    for code in ("kk", "buku_nikah", "surat_pindah"):
        assert f'href="/lacak/{reference}/perbaiki/{code}"' in page
    assert "Dokumen tambahan (tidak wajib)" in page
    assert "Surat persetujuan warga" not in page  # the village operator's letter: not for a resident's own
    assert client.get(f"/lacak/{reference}/perbaiki/persetujuan").status_code == 404
    assert upload(client, reference, "SURAT_PINDAH", photo()).status_code == 303
    assert "SURAT_PINDAH" in documents_of(app, reference)
    assert send(client, reference).status_code == 303
    assert application_state(app, reference) == lifecycle.SUBMITTED


def test_an_application_a_village_operator_filed_may_add_the_residents_consent_letter(app, regions):
    create_staff(app)
    reference, pin = make_application(app, "KK_BARU", state=lifecycle.IN_REVIEW, filed_by="op.sumber")
    ask_correction(app, reference, {}, note="Lampirkan surat persetujuan warga yang ditandatangani.")
    client = unlocked(app, reference, pin)
    page = client.get(f"/lacak/{reference}").get_data(as_text=True)
    assert "Surat persetujuan warga" in page and f'href="/lacak/{reference}/perbaiki/persetujuan"' in page
    form = client.get(f"/lacak/{reference}/perbaiki/persetujuan").get_data(as_text=True)
    assert "Ganti Surat persetujuan warga" in form
    assert upload(client, reference, "persetujuan", photo()).status_code == 303
    assert documents_of(app, reference)["PERSETUJUAN"][0] == "received"


def test_htmx_upload_gets_the_fragment_on_error_and_a_redirect_on_success(app, regions):
    reference, pin = in_correction(app)
    client = unlocked(app, reference, pin)
    headers = {"HX-Request": "true", "HX-Target": "upload"}
    bad = upload(client, reference, "kk", b"", "kosong.jpg", headers=headers)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and html.lstrip().startswith('<div id="upload">')
    assert "Pilih foto atau PDF dokumen ini." in html
    good = upload(client, reference, "kk", photo(), headers=headers)
    assert good.status_code == 200 and good.headers["HX-Redirect"] == f"/lacak/{reference}"
    assert documents_of(app, reference)["KK"][0] == "received"


def test_a_far_too_large_upload_gets_the_form_with_a_message(app, regions):
    reference, pin = in_correction(app)
    client = unlocked(app, reference, pin)
    path = f"/lacak/{reference}/perbaiki/kk"
    token = csrf(client, path)
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    response = client.post(path, data={"csrf_token": token, "document": (io.BytesIO(b"\xff" * 200_000), "big.jpg")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Berkas terlalu besar (paling besar 10 MB)" in html and 'id="document"' in html
    assert documents_of(app, reference)["KK"][0] == "needs_fix"


def test_a_photo_over_the_limit_is_refused_with_its_size(app, regions):
    reference, pin = in_correction(app)
    client = unlocked(app, reference, pin)
    app.config["UPLOAD_MAX_MB"] = 1
    big = io.BytesIO()
    from PIL import Image
    Image.effect_noise((1500, 1500), 100).convert("RGB").save(big, "PNG")
    assert len(big.getvalue()) > 1024 * 1024
    response = upload(client, reference, "kk", big.getvalue(), "kk.png")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Berkas terlalu besar" in html and "paling besar 1 MB" in html
    assert documents_of(app, reference)["KK"][0] == "needs_fix"


def test_another_browser_is_sent_to_the_tracking_form(app, regions):
    reference, _pin = in_correction(app)
    stranger = app.test_client()
    for response in (stranger.get(f"/lacak/{reference}/perbaiki/kk"),
                     upload(stranger, reference, "kk", photo(), token_from="/lacak"),
                     stranger.post(f"/lacak/{reference}/kirim-perbaikan",
                                   data={"csrf_token": csrf(stranger, "/lacak")}),
                     stranger.get(f"/lacak/{reference}/tanda-terima.pdf?ukuran=a6"),
                     stranger.get(f"/lacak/{reference}/dokumen-jadi.pdf")):
        assert response.status_code == 303
        assert response.headers["Location"] == f"/lacak?nomor={reference}"
    assert application_state(app, reference) == lifecycle.NEEDS_CORRECTION
    assert documents_of(app, reference)["KK"][0] == "needs_fix"


def test_without_a_csrf_token_nothing_changes(app, regions):
    reference, pin = in_correction(app)
    client = unlocked(app, reference, pin)
    assert client.post(f"/lacak/{reference}/kirim-perbaikan").status_code == 400
    response = client.post(f"/lacak/{reference}/perbaiki/kk", data={"document": (io.BytesIO(photo()), "kk.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert documents_of(app, reference)["KK"][0] == "needs_fix"


def test_replacing_or_sending_outside_a_correction_is_refused(app, regions):
    create_staff(app)
    reference, pin = make_application(app, "KK_BARU", state=lifecycle.IN_REVIEW)
    client = unlocked(app, reference, pin)
    page = client.get(f"/lacak/{reference}/perbaiki/kk")
    assert page.status_code == 409 and "tidak sedang menunggu perbaikan" in page.get_data(as_text=True)
    assert upload(client, reference, "kk", photo(), token_from=f"/lacak/{reference}").status_code == 409
    sent = send(client, reference)
    assert sent.status_code == 409 and "tidak sedang menunggu perbaikan" in sent.get_data(as_text=True)
    assert application_state(app, reference) == lifecycle.IN_REVIEW


def test_an_unknown_document_is_not_found(app, regions):
    reference, pin = in_correction(app)
    client = unlocked(app, reference, pin)
    assert client.get(f"/lacak/{reference}/perbaiki/akta_lahir").status_code == 404
    assert client.get(f"/lacak/{reference}/perbaiki/..%2Fetc").status_code == 404


# Ready: collected in person


def test_ready_page_says_where_when_and_who_may_collect(app, regions):
    create_staff(app)
    reference, pin = make_application(app, "KTP_BARU", state=lifecycle.READY)
    client = unlocked(app, reference, pin)
    page = client.get(f"/lacak/{reference}").get_data(as_text=True)
    with app.app_context():
        application = applications.find(reference)
        place = application.pickup_place
    assert "Pengambilan dokumen" in page and place.name in page
    assert "Selasa, 8 Desember 2026" in page  # three pickup days after Thursday 3 December
    assert "08.00–14.00 WIB" in page
    assert "Pemohon sendiri, membawa KTP-el atau KK asli." in page
    assert "surat kuasa bertanda tangan pemohon serta KTP-el pemohon dan KTP-el penerima kuasa" in page
    assert f'href="/lacak/{reference}/tanda-terima.pdf?ukuran=a6"' in page
    assert f'href="/lacak/{reference}/tanda-terima.pdf?ukuran=80"' in page
    assert "dokumen-jadi.pdf" not in page


# Ready: self-printed


def test_first_download_of_a_self_printed_document_ends_the_application(app, regions):
    create_staff(app)
    reference, pin = make_application(app, "KK_BARU", state=lifecycle.READY)
    client = unlocked(app, reference, pin)
    page = client.get(f"/lacak/{reference}").get_data(as_text=True)
    assert f'href="/lacak/{reference}/dokumen-jadi.pdf"' in page and "Unduh dokumen (PDF)" in page
    assert "tanda-terima.pdf" not in page

    response = client.get(f"/lacak/{reference}/dokumen-jadi.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert f"{reference}-kk_baru.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    with app.app_context():
        application = applications.find(reference)
        assert response.data == stored_body(app, application.output_stored_name)
        assert application.state == lifecycle.COLLECTED
        last = application.events[-1]
        assert (last.from_state, last.to_state, last.actor, last.reason) == (
            lifecycle.READY, lifecycle.COLLECTED, lifecycle.SYSTEM, "Dokumen diunduh pemohon")
    response.close()

    page = client.get(f"/lacak/{reference}").get_data(as_text=True)
    assert "Selesai, sudah diambil" in page
    assert "Dokumen sudah diunduh pada Kamis, 3 Desember 2026 pukul 09.00 WIB." in page
    assert "Dokumen diserahkan: Dokumen diunduh pemohon" in page  # the timeline line
    assert "Unduh lagi (PDF)" in page and "bisa diunduh sampai Rabu, 3 Maret 2027." in page

    again = client.get(f"/lacak/{reference}/dokumen-jadi.pdf")
    assert again.status_code == 200 and again.data.startswith(b"%PDF")
    again.close()
    with app.app_context():
        moves = db.session.scalar(select(func.count()).select_from(ApplicationEvent).where(
            ApplicationEvent.to_state == lifecycle.COLLECTED))
    assert moves == 1


def test_after_the_retention_the_document_is_no_longer_served(app, regions, clock):
    create_staff(app)
    reference, pin = make_application(app, "KK_BARU", state=lifecycle.READY)
    client = unlocked(app, reference, pin)
    client.get(f"/lacak/{reference}/dokumen-jadi.pdf").close()
    clock.now = clock.now + timedelta(days=app.config["SCAN_RETENTION_DAYS"], minutes=1)
    assert client.get(f"/lacak/{reference}/dokumen-jadi.pdf").status_code == 404
    page = client.get(f"/lacak/{reference}").get_data(as_text=True)
    assert "masa simpannya habis" in page and "Unduh lagi" not in page


def test_a_collected_in_person_application_has_no_document_to_download(app, regions):
    create_staff(app)
    reference, pin = make_application(app, "KTP_BARU", state=lifecycle.READY)
    client = unlocked(app, reference, pin)
    assert client.get(f"/lacak/{reference}/dokumen-jadi.pdf").status_code == 404
    approved, approved_pin = make_application(app, "KK_BARU", state=lifecycle.APPROVED, nik="3317014101900002")
    other = unlocked(app, approved, approved_pin)
    assert other.get(f"/lacak/{approved}/dokumen-jadi.pdf").status_code == 404
    assert application_state(app, approved) == lifecycle.APPROVED


# Valid HTML


def test_the_new_pages_are_valid_html(app, regions, tmp_path):
    reference, pin = in_correction(app)
    client = unlocked(app, reference, pin)
    pages = {"correction": client.get(f"/lacak/{reference}"),
             "upload": client.get(f"/lacak/{reference}/perbaiki/kk"),
             "upload-error": upload(client, reference, "kk", b"not a photo"),
             "refused": send(client, reference)}
    ready, ready_pin = make_application(app, "KTP_BARU", state=lifecycle.READY, nik="3317014101900002")
    pages["pickup"] = unlocked(app, ready, ready_pin).get(f"/lacak/{ready}")
    printed, printed_pin = make_application(app, "KK_BARU", state=lifecycle.READY, nik="3317014101900003")
    printed_client = unlocked(app, printed, printed_pin)
    pages["self-print"] = printed_client.get(f"/lacak/{printed}")
    printed_client.get(f"/lacak/{printed}/dokumen-jadi.pdf").close()
    pages["downloaded"] = printed_client.get(f"/lacak/{printed}")
    for name, response in pages.items():
        assert response.mimetype == "text/html", name
        html = response.get_data(as_text=True)
        assert GOOD_NIK not in html, name
        assert not re.search(r"<h3", html.split("<h2", 1)[0]), f"{name}: a h3 before any h2"
    nu_validate(tmp_path, pages)
