"""Filing on a resident's behalf: consent, the residents' own form for a village draft (note, address kept to
the desa, check page into the desa's open batch), the operator's "saved" page, resume, the resident's slip
(PDF read back, QR scanned), a new PIN, and who may do any of it (other desa, signed out, clerk, CSRF)."""

from __future__ import annotations

import io
import re

import pytest

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import Application, ApplicationEvent, AuditEntry, Batch, Service, User
from portal.services import applications, batches, calendar
from tests.web.apply_helpers import GOOD_NIK, csrf, photo
from tests.web.html_helpers import nu_validate
from tests.web.session_helpers import held, hold
from tests.web.staff_helpers import make_application, sign_in, signed_pdf
from tests.web.pdf_helpers import pdf_text, scanned_qr

OWN_DESA = "33.17.01.2001"  # Ronggo Mulyo, op.sumber's desa
OTHER_DESA = "33.17.05.2001"  # Lodan Kulon, op.sarang's desa


@pytest.fixture
def operator(client, staff):
    sign_in(client, "op.sumber")
    return client


def token(client) -> str:
    """Return a valid CSRF token for `client`'s session (for posts from pages that are not forms)."""
    from tests.web.test_staff_handover import session_csrf

    with client.application.app_context():
        return session_csrf(client)


# Walking the form


def consent(client, code: str, choice: str = "in_person", letter: bytes | None = None, name: str = "surat.pdf"):
    """Post the consent page of `code`; return the response."""
    path = f"/desa/ajukan/{code}"
    data = {"csrf_token": csrf(client, path), "submit": "1"}
    if choice:
        data["consent"] = choice
    if letter is not None:
        data["letter"] = (io.BytesIO(letter), name)
    return client.post(path, data=data, content_type="multipart/form-data")


def post(client, code: str, slug: str, data: dict, files: dict | None = None):
    """Post one step of the shared form (CSRF token from the step's own page); return the response."""
    path = f"/ajukan/{code}/{slug}"
    payload = {"csrf_token": csrf(client, path), "next": "1", **data}
    for name, content in (files or {}).items():
        payload[name] = (io.BytesIO(content), "scan.jpg")
    return client.post(path, data=payload, content_type="multipart/form-data")


def answer(question: dict) -> dict:
    kind = question["type"]
    if kind == "select":
        return {"answer": question["options"][0]["value"]}
    if kind == "date":
        return {"day": "5", "month": "6", "year": "2015"}
    if kind in ("nik", "kk"):
        return {"answer": "3317010101880001"}
    return {"answer": "Jawaban contoh"}


def fill(client, app, code: str, upload: bytes | None = None, desa: str = OWN_DESA, stop_before_documents=False):
    """Answer every page of the form of `code` as the operator would (photos for documents; optional ones
    skipped); return the application's reference."""
    code = code.lower()
    for slug, data in (("nik", {"nik": GOOD_NIK}), ("nama", {"full_name": "Siti Wulandari"}),
                       ("tanggal-lahir", {"day": "1", "month": "1", "year": "1990"}),
                       ("telepon", {"phone": "0812 3456 7890"}),
                       ("alamat", {"desa": desa, "address_line": "Jl. Pemuda 12, RT 02/RW 03"})):
        response = post(client, code, slug, data)
        assert response.status_code == 303, (slug, response.get_data(as_text=True)[:2000])
    with app.app_context():
        service = db.session.get(Service, code.upper())
        questions, documents = list(service.questions), list(service.documents)
    for question in questions:
        slug = "tanya-" + question["code"].lower().replace("_", "-")
        assert post(client, code, slug, answer(question)).status_code == 303, slug
    for document in [] if stop_before_documents else documents:
        slug = "dokumen-" + document["code"].lower().replace("_", "-")
        if document.get("required", True):
            response = post(client, code, slug, {}, files={"document": upload or photo()})
        else:
            response = post(client, code, slug, {"skip": "1", "next": ""})
        assert response.status_code == 303, (slug, response.get_data(as_text=True)[:2000])
    application_id = held(client, app)["drafts"][code.upper()]["id"]
    with app.app_context():
        return db.session.get(Application, application_id).reference


def save_to_batch(client, code: str, **extra):
    path = f"/ajukan/{code.lower()}/periksa"
    return client.post(path, data={"csrf_token": csrf(client, path), "declaration": "y", "submit": "1", **extra})


def application(app, reference: str) -> Application:
    with app.app_context():
        found = db.session.scalar(db.select(Application).where(Application.reference == reference))
        found.documents, found.events, found.batch  # loaded before the session closes
        db.session.expunge_all()
        return found


def count_applications(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Application))


def pin_on(html: str) -> str:
    return re.search(r'<strong class="reference">(\d{6})</strong>', html).group(1)


# Filing for three services


def test_operator_files_three_services_for_residents(app, operator):
    # KTP-el with photos, in person
    response = consent(operator, "ktp_baru")
    assert response.status_code == 303 and response.headers["Location"].endswith("/ajukan/ktp_baru/nik")
    first = fill(operator, app, "ktp_baru")
    page = operator.get("/ajukan/ktp_baru/periksa").get_data(as_text=True)
    assert "Diisi oleh operator desa Operator Ronggo Mulyo atas nama warga" in page
    assert "sudah memeriksa data dan dokumen ini bersama warga" in page and "Simpan ke berkas kolektif" in page
    response = save_to_batch(operator, "ktp_baru")
    assert response.status_code == 303 and response.headers["Location"] == f"/desa/permohonan/{first}/disimpan"
    done = operator.get(response.headers["Location"]).get_data(as_text=True)
    assert first in done and "Cetak slip untuk warga" in done and "Lihat berkas kolektif" in done
    assert "Ajukan untuk warga lain" in done and re.search(r'<strong class="reference">\d{6}</strong>', done)

    # KTP-el damaged, with a signed consent form
    assert consent(operator, "ktp_rusak", "signed_form", signed_pdf()).status_code == 303
    second = fill(operator, app, "ktp_rusak")
    assert save_to_batch(operator, "ktp_rusak").status_code == 303

    # Moving out, PDFs for documents
    assert consent(operator, "pindah_keluar").status_code == 303
    third = fill(operator, app, "pindah_keluar", upload=signed_pdf())
    assert save_to_batch(operator, "pindah_keluar").status_code == 303

    filed = [application(app, reference) for reference in (first, second, third)]
    assert [a.consent for a in filed] == ["in_person", "signed_form", "in_person"]
    assert all(a.channel == "village" and a.state == lifecycle.DRAFT and a.region_code == OWN_DESA for a in filed)
    assert len({a.batch_id for a in filed}) == 1 and filed[0].batch_id is not None  # one open batch, opened once
    assert {d.code for d in filed[0].documents} == {"KK"} and filed[0].documents[0].kind == "image"
    assert "PERSETUJUAN" in {d.code for d in filed[1].documents}
    assert "PERSETUJUAN" not in {d.code for d in filed[0].documents}
    with app.app_context():
        operator_id = db.session.scalar(db.select(User.id).where(User.username == "op.sumber"))
        batch = db.session.get(Batch, filed[0].batch_id)
        assert batch.region_code == OWN_DESA and batch.state == "open"
        assert all(not missing for _a, missing in batches.members(batch))
    assert all(a.filed_by == operator_id for a in filed)


def test_operator_starting_the_residents_form_is_sent_to_the_consent_page(operator):
    response = operator.get("/ajukan/ktp_baru/nik")
    assert response.status_code == 303 and response.headers["Location"] == "/desa/ajukan/ktp_baru"


def test_choose_a_service_lists_the_active_services(operator):
    page = operator.get("/desa/ajukan").get_data(as_text=True)
    assert 'href="/desa/ajukan/ktp_baru"' in page and 'href="/desa/ajukan/pindah_keluar"' in page
    assert "Ajukan untuk warga" in page
    assert operator.get("/desa/ajukan/tidak_ada").status_code == 404


# Consent


def test_consent_needs_a_choice_and_nothing_is_created(app, operator):
    response = consent(operator, "ktp_baru", choice="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Pilih cara warga memberi persetujuan." in page
    response = consent(operator, "ktp_baru", choice="lewat_telepon")
    assert response.status_code == 422 and "Pilih cara warga memberi persetujuan." in response.get_data(as_text=True)
    assert count_applications(app) == 0


def test_signed_form_needs_an_upload_and_keeps_the_choice(app, operator):
    response = consent(operator, "ktp_baru", choice="signed_form")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Unggah foto atau PDF surat persetujuan" in page
    assert re.search(r'value="signed_form"[^>]*checked|checked[^>]*value="signed_form"', page)
    assert 'name="letter" type="file" accept="image/*,application/pdf" data-shrink="2000 600 0.85"' in page
    assert count_applications(app) == 0


def test_a_rejected_consent_upload_says_why_and_creates_nothing(app, operator):
    response = consent(operator, "ktp_baru", choice="signed_form", letter=b"bukan gambar " * 50, name="surat.jpg")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="letter-error"' in page
    assert re.search(r'value="signed_form"[^>]*checked|checked[^>]*value="signed_form"', page)
    assert count_applications(app) == 0


# The shared form on a village draft


def test_address_offers_only_the_operators_desa_and_refuses_another(app, operator):
    consent(operator, "ktp_baru")
    for slug, data in (("nik", {"nik": GOOD_NIK}), ("nama", {"full_name": "Siti"}),
                       ("tanggal-lahir", {"day": "1", "month": "1", "year": "1990"}),
                       ("telepon", {"phone": "0812 3456 7890"})):
        assert post(operator, "ktp_baru", slug, data).status_code == 303
    page = operator.get("/ajukan/ktp_baru/alamat").get_data(as_text=True)
    desa_options = re.findall(r'<option value="(33\.17\.\d\d\.\d{4})"( selected)?', page)
    assert desa_options == [(OWN_DESA, " selected")]
    assert "Diisi oleh operator desa" in page and "Di mana warga tinggal?" in page
    assert 'autocomplete="off"' in page
    assert "Berapa NIK warga?" in operator.get("/ajukan/ktp_baru/nik").get_data(as_text=True)
    response = post(operator, "ktp_baru", "alamat", {"desa": OTHER_DESA, "address_line": "Jl. Pantai 1"})
    assert response.status_code == 422
    assert "hanya mengajukan untuk warga desa Ronggo Mulyo" in response.get_data(as_text=True)
    assert post(operator, "ktp_baru", "alamat", {"desa": OWN_DESA, "address_line": "Jl. Pemuda 1"}).status_code == 303


def test_resident_address_step_still_offers_every_desa(client, regions):
    from tests.web.apply_helpers import post_step
    post_step(client, "ktp_baru", "nik", {"nik": GOOD_NIK})
    page = client.get("/ajukan/ktp_baru/alamat").get_data(as_text=True)
    assert len(re.findall(r'<option value="33\.17\.\d\d\.\d{4}"', page)) > 200
    assert "Diisi oleh operator desa" not in page


def _open_batches(app, count: int) -> list[int]:
    with app.app_context():
        op = db.session.scalar(db.select(User).where(User.username == "op.sumber"))
        return [batches.open_batch(op, calendar.now()).id for _ in range(count)]


def test_check_page_uses_the_one_open_batch(app, operator):
    (only,) = _open_batches(app, 1)
    consent(operator, "ktp_rusak")
    reference = fill(operator, app, "ktp_rusak")
    assert "KOL-" in operator.get("/ajukan/ktp_rusak/periksa").get_data(as_text=True)
    assert save_to_batch(operator, "ktp_rusak").status_code == 303
    assert application(app, reference).batch_id == only
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Batch)) == 1


def test_check_page_lets_the_operator_pick_among_several_open_batches(app, operator):
    first, second = _open_batches(app, 2)
    consent(operator, "ktp_rusak")
    reference = fill(operator, app, "ktp_rusak")
    page = operator.get("/ajukan/ktp_rusak/periksa").get_data(as_text=True)
    assert f'value="{first}"' in page and f'value="{second}"' in page and 'type="radio"' in page
    response = save_to_batch(operator, "ktp_rusak")
    assert response.status_code == 422 and "Pilih berkas kolektif" in response.get_data(as_text=True)
    assert application(app, reference).batch_id is None
    assert save_to_batch(operator, "ktp_rusak", batch=str(first)).status_code == 303
    assert application(app, reference).batch_id == first


def test_check_page_needs_the_declaration(app, operator):
    consent(operator, "ktp_rusak")
    reference = fill(operator, app, "ktp_rusak")
    path = "/ajukan/ktp_rusak/periksa"
    response = operator.post(path, data={"csrf_token": csrf(operator, path), "submit": "1"})
    assert response.status_code == 422 and "Centang pernyataan ini" in response.get_data(as_text=True)
    assert application(app, reference).batch_id is None


def test_an_incomplete_draft_can_be_saved_and_the_check_page_says_what_is_missing(app, operator):
    consent(operator, "ktp_rusak")
    reference = fill(operator, app, "ktp_rusak", stop_before_documents=True)
    page = operator.get("/ajukan/ktp_rusak/periksa").get_data(as_text=True)
    assert "Masih ada yang belum diisi:" in page
    assert "Belum diisi: KTP-el" in page and "Belum diisi: Kartu Keluarga (KK)" in page
    assert save_to_batch(operator, "ktp_rusak").status_code == 303
    found = application(app, reference)
    assert found.batch_id is not None and found.state == lifecycle.DRAFT


def test_save_for_later_shows_the_reference_and_pin_on_a_village_draft(app, operator):
    consent(operator, "ktp_baru")
    post(operator, "ktp_baru", "nik", {"nik": GOOD_NIK})
    path = "/ajukan/ktp_baru/nama"
    response = operator.post(path, data={"csrf_token": csrf(operator, path), "save": "1", "full_name": "Siti"})
    assert response.status_code == 303 and response.headers["Location"] == "/ajukan/ktp_baru/disimpan"
    page = operator.get("/ajukan/ktp_baru/disimpan").get_data(as_text=True)
    assert re.search(r'<strong class="reference">\d{6}</strong>', page) and "Cetak slip untuk warga" in page


# Resume


def test_resume_takes_up_a_draft_in_another_browser(app, staff):
    reference, _pin = make_application(app, "KTP_RUSAK", state=lifecycle.DRAFT, filed_by="op.sumber",
                                       documents=False)
    other = app.test_client()
    sign_in(other, "op.sumber")
    path = f"/desa/permohonan/{reference}/lanjut"
    response = other.post(path, data={"csrf_token": token(other)})
    assert response.status_code == 303 and response.headers["Location"] == "/ajukan/ktp_rusak/dokumen-ktp-el"
    assert post(other, "ktp_rusak", "dokumen-ktp-el", {}, files={"document": photo()}).status_code == 303
    assert {d.code for d in application(app, reference).documents} == {"KTP_EL"}


def test_resume_of_a_complete_draft_goes_to_the_check_page_and_a_submitted_one_is_refused(app, operator):
    complete, _pin = make_application(app, "KTP_RUSAK", state=lifecycle.DRAFT, filed_by="op.sumber")
    csrf_token = token(operator)
    response = operator.post(f"/desa/permohonan/{complete}/lanjut", data={"csrf_token": csrf_token})
    assert response.headers["Location"] == "/ajukan/ktp_rusak/periksa"
    sent, _pin = make_application(app, "KTP_RUSAK", filed_by="op.sumber")
    response = operator.post(f"/desa/permohonan/{sent}/lanjut", data={"csrf_token": csrf_token})
    assert response.status_code == 409 and "sudah dikirim" in response.get_data(as_text=True)


# The slip


def _slip_pdf(operator, app, code="ktp_rusak"):
    consent(operator, code)
    reference = fill(operator, app, code)
    done = operator.get(f"/desa/permohonan/{reference}/disimpan").get_data(as_text=True)
    return reference, pin_on(done)


@pytest.mark.parametrize("size", ["a6", "80"])
def test_slip_carries_reference_pin_and_masked_nik_and_its_qr_opens_verification(app, operator, size, tmp_path):
    from pypdf import PdfReader

    reference, pin = _slip_pdf(operator, app)
    response = operator.get(f"/desa/permohonan/{reference}/slip.pdf?ukuran={size}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    body = response.data
    assert len(PdfReader(io.BytesIO(body)).pages) == 1
    text = pdf_text(body)
    for expected in (reference, pin, "331701******0001", "Siti Wulandari", "KTP-el Rusak",
                     "Simpan slip ini. PIN hanya tercetak sekali di sini.", "Dinas Kependudukan"):
        assert expected in text, expected
    assert GOOD_NIK not in text.replace(" ", "")
    assert "http://localhost/lacak" in text.replace(" ", "")
    (code,) = scanned_qr(body, tmp_path)
    with app.app_context():
        token = db.session.scalar(db.select(Application.verification_token).where(Application.reference == reference))
    assert code == f"http://localhost/verifikasi/{token}" and pin not in code


def test_slip_of_an_unknown_size_is_404(app, operator):
    reference, _pin = _slip_pdf(operator, app)
    assert operator.get(f"/desa/permohonan/{reference}/slip.pdf?ukuran=a4").status_code == 404


def test_new_pin_when_the_session_no_longer_knows_it(app, staff, client):
    reference, old_pin = make_application(app, "KTP_RUSAK", state=lifecycle.DRAFT, filed_by="op.sumber")
    sign_in(client, "op.sumber")
    response = client.get(f"/desa/permohonan/{reference}/slip.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Buat PIN baru" in page
    assert "Buat PIN baru" in client.get(f"/desa/permohonan/{reference}/disimpan").get_data(as_text=True)
    response = client.post(f"/desa/permohonan/{reference}/pin-baru",
                           data={"csrf_token": csrf(client, f"/desa/permohonan/{reference}/disimpan")})
    assert response.status_code == 303 and response.headers["Location"] == f"/desa/permohonan/{reference}/disimpan"
    new_pin = pin_on(client.get(response.headers["Location"]).get_data(as_text=True))
    assert client.get(f"/desa/permohonan/{reference}/slip.pdf").status_code == 200
    with app.app_context():
        event = db.session.scalars(db.select(ApplicationEvent).join(Application).where(
            Application.reference == reference).order_by(ApplicationEvent.id.desc())).first()
        assert event.reason == "PIN baru dibuat oleh operator desa" and event.actor_name == "Operator Ronggo Mulyo"
        logged = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "new_pin")).one()
        assert logged.reference == reference and logged.user_name == "Operator Ronggo Mulyo"
        assert applications.unlock(reference, old_pin) is None or old_pin == new_pin
        assert applications.unlock(reference, new_pin) is not None

    resident = app.test_client()
    track = {"csrf_token": csrf(resident, "/lacak"), "reference": reference}
    if old_pin != new_pin:
        assert resident.post("/lacak", data={**track, "pin": old_pin}).status_code == 422
    response = resident.post("/lacak", data={**track, "pin": new_pin})
    assert response.status_code == 303 and response.headers["Location"] == f"/lacak/{reference}"


def test_slip_pins_are_forgotten_when_the_operator_signs_out(app, operator):
    reference, _pin = _slip_pdf(operator, app)
    operator.post("/keluar", data={"csrf_token": token(operator)})
    sign_in(operator, "op.sumber")
    assert operator.get(f"/desa/permohonan/{reference}/slip.pdf").status_code == 409


# Who may continue a village draft


def test_a_residents_browser_cannot_continue_an_operators_draft(app, staff):
    reference, pin = make_application(app, "KTP_RUSAK", state=lifecycle.DRAFT, filed_by="op.sumber",
                                       documents=False)
    resident = app.test_client()
    response = resident.post("/lacak", data={"csrf_token": csrf(resident, "/lacak"), "reference": reference,
                                             "pin": pin})
    assert response.status_code == 303  # the resident may follow it
    response = resident.get("/ajukan/ktp_rusak/dokumen-ktp-el")
    assert response.status_code == 303 and response.headers["Location"] == "/ajukan/ktp_rusak/nik"
    assert resident.get("/ajukan/ktp_rusak/periksa").status_code == 303
    assert resident.get("/ajukan/ktp_rusak/disimpan").status_code == 303
    assert post(resident, "ktp_rusak", "nik", {"nik": "3317010101880001"}).status_code == 303
    assert application(app, reference).nik == GOOD_NIK  # untouched: the post started the resident's own draft
    with app.app_context():
        own = db.session.scalar(db.select(Application).where(Application.nik == "3317010101880001"))
        assert own.channel == "resident" and own.reference != reference


def test_an_ended_operator_session_sends_the_form_to_sign_in(app, operator):
    consent(operator, "ktp_baru")
    post(operator, "ktp_baru", "nik", {"nik": GOOD_NIK})
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "op.sumber"))
        user.session_version += 1  # a password change ends every session
        db.session.commit()
    for path in ("/ajukan/ktp_baru/nama", "/ajukan/ktp_baru/periksa", "/ajukan/ktp_baru/disimpan"):
        response = operator.get(path)
        assert response.status_code == 303 and response.headers["Location"].startswith("/masuk"), path


def test_another_desas_operator_cannot_continue_it_in_the_same_browser(app, operator):
    consent(operator, "ktp_baru")
    post(operator, "ktp_baru", "nik", {"nik": GOOD_NIK})
    drafts = held(operator, app)["drafts"]
    operator.post("/keluar", data={"csrf_token": token(operator)})
    sign_in(operator, "op.sarang")
    hold(operator, app, drafts=drafts)  # as if the browser still held it
    response = operator.get("/ajukan/ktp_baru/nama")
    assert response.status_code == 303 and response.headers["Location"] == "/desa/ajukan/ktp_baru"


# Isolation, roles, CSRF


def _routes(reference: str) -> list[tuple[str, str]]:
    return [("GET", "/desa/ajukan"), ("GET", "/desa/ajukan/ktp_baru"), ("POST", "/desa/ajukan/ktp_baru"),
            ("GET", f"/desa/permohonan/{reference}/disimpan"), ("POST", f"/desa/permohonan/{reference}/lanjut"),
            ("GET", f"/desa/permohonan/{reference}/slip.pdf"), ("POST", f"/desa/permohonan/{reference}/pin-baru")]


def _request(client, method: str, path: str, token: str | None):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": token} if token else {})


def test_not_signed_in_goes_to_sign_in(app, client, staff):
    reference, _pin = make_application(app, "KTP_RUSAK", state=lifecycle.DRAFT, filed_by="op.sumber")
    csrf_token = token(client)
    for method, path in _routes(reference):
        response = _request(client, method, path, csrf_token)
        assert response.status_code == 303 and response.headers["Location"].startswith("/masuk"), path


def test_a_clerk_is_refused(app, client, staff):
    reference, _pin = make_application(app, "KTP_RUSAK", state=lifecycle.DRAFT, filed_by="op.sumber")
    sign_in(client, "clerk")
    csrf_token = token(client)
    for method, path in _routes(reference):
        assert _request(client, method, path, csrf_token).status_code == 403, path


def test_another_desas_operator_gets_404(app, client, staff):
    reference, _pin = make_application(app, "KTP_RUSAK", state=lifecycle.DRAFT, filed_by="op.sumber")
    resident_filed, _pin = make_application(app, "KTP_RUSAK", state=lifecycle.DRAFT)
    sign_in(client, "op.sarang")
    csrf_token = token(client)
    for target in (reference, resident_filed, "RBG-0000-0000"):
        for method, path in _routes(target)[3:]:
            assert _request(client, method, path, csrf_token).status_code == 404, path
    with app.app_context():  # no PIN was replaced
        assert not db.session.scalars(db.select(ApplicationEvent).where(
            ApplicationEvent.reason == "PIN baru dibuat oleh operator desa")).first()


def test_posts_without_a_csrf_token_are_refused(app, operator):
    reference, _pin = make_application(app, "KTP_RUSAK", state=lifecycle.DRAFT, filed_by="op.sumber")
    for path in ("/desa/ajukan/ktp_baru", f"/desa/permohonan/{reference}/lanjut",
                 f"/desa/permohonan/{reference}/pin-baru"):
        assert operator.post(path, data={"consent": "in_person"}).status_code == 400, path
    assert count_applications(app) == 1


# Valid HTML


def test_filing_pages_are_valid_html(app, operator, tmp_path):
    pages = {"start": operator.get("/desa/ajukan"), "consent": operator.get("/desa/ajukan/ktp_rusak"),
             "consent-errors": consent(operator, "ktp_rusak", choice="signed_form")}
    _open_batches(app, 2)
    consent(operator, "ktp_rusak")
    for slug, data in (("nik", {"nik": GOOD_NIK}), ("nama", {"full_name": "Siti"}),
                       ("tanggal-lahir", {"day": "1", "month": "1", "year": "1990"}),
                       ("telepon", {"phone": "0812 3456 7890"})):
        post(operator, "ktp_rusak", slug, data)
    pages["address"] = operator.get("/ajukan/ktp_rusak/alamat")
    pages["address-refused"] = post(operator, "ktp_rusak", "alamat", {"desa": OTHER_DESA, "address_line": "Jl. 1"})
    pages["check"] = operator.get("/ajukan/ktp_rusak/periksa")
    pages["check-errors"] = save_to_batch(operator, "ktp_rusak", declaration="")
    reference_id = held(operator, app)["drafts"]["KTP_RUSAK"]["id"]
    with app.app_context():
        reference = db.session.get(Application, reference_id).reference
    pages["done"] = operator.get(f"/desa/permohonan/{reference}/disimpan")
    other, _pin = make_application(app, "KTP_RUSAK", filed_by="op.sumber")
    pages["done-without-pin"] = operator.get(f"/desa/permohonan/{other}/disimpan")
    pages["slip-needs-pin"] = operator.get(f"/desa/permohonan/{other}/slip.pdf")
    pages["resume-refused"] = operator.post(f"/desa/permohonan/{other}/lanjut", data={"csrf_token": token(operator)})
    for name, response in pages.items():
        assert response.mimetype == "text/html", name
    assert "Buat PIN baru" in pages["done-without-pin"].get_data(as_text=True)
    nu_validate(tmp_path, pages)


def test_a_consent_letter_too_large_to_read_gets_the_page_back_with_a_message(app, operator):
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    response = consent(operator, "ktp_baru", choice="signed_form", letter=b"\xff" * 200_000, name="surat.jpg")
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "Berkas terlalu besar" in page and 'name="letter"' in page
    assert count_applications(app) == 0
