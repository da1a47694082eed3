"""Handover at the counter: scan (URL, token, typed reference), who collects, refusals, the handover slip PDF
(text, masked NIKs, a QR code that scans from paper), roles and CSRF."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime, timezone
from io import BytesIO

import pytest
from pypdf import PdfReader

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import Application, AuditEntry, Handover
from portal.pdf.handover import HandoverSlipData, render_handover_slip
from tests.web.apply_helpers import GOOD_NIK, csrf
from tests.web.staff_helpers import create_staff, make_application, sign_in

AUTHORISED_NIK = "3317010502850003"  # a man born 5 February 1985 in Kecamatan Sumber


@pytest.fixture
def staff(app, regions):
    return create_staff(app)


@pytest.fixture
def ready(app, staff):
    """Return (reference, verification token) of a KTP-el application ready for pickup."""
    reference, _pin = make_application(app, "KTP_BARU", state=lifecycle.READY, name="Siti Wulandari")
    return reference, _token(app, reference)


@pytest.fixture
def clerk(client, staff):
    sign_in(client, "clerk")
    return client


def _token(app, reference: str) -> str:
    with app.app_context():
        return db.session.scalar(db.select(Application.verification_token).where(Application.reference == reference))


def _application(app, reference: str) -> Application:
    with app.app_context():
        found = db.session.scalar(db.select(Application).where(Application.reference == reference))
        db.session.expunge(found)
        return found


def _handover(app, reference: str) -> Handover | None:
    with app.app_context():
        found = db.session.scalar(db.select(Handover).join(Application).where(Application.reference == reference))
        if found is not None:
            db.session.expunge(found)
        return found


def session_csrf(client) -> str:
    """Return a valid CSRF token for `client`'s session (pages that refuse a handover carry no form)."""
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", secrets.token_hex(20))
    return URLSafeTimedSerializer(current_app.secret_key, salt="wtf-csrf-token").dumps(raw)


def _confirm(client, reference: str, **fields):
    with client.application.app_context():
        token = session_csrf(client)
    data = {"csrf_token": token, "collector": "applicant", **fields}
    return client.post(f"/petugas/serah/{reference}", data=data)


def _text(response) -> str:
    return response.get_data(as_text=True)


# Scanning


def test_scan_page_starts_with_an_empty_autofocused_field(clerk):
    html = _text(clerk.get("/petugas/serah"))
    field = re.search(r'<input[^>]*id="kode"[^>]*>', html).group(0)
    assert 'autofocus' in field and 'value=""' in field
    assert 'method="get"' in html and 'data-hx-get="/petugas/serah"' in html


def test_scanned_receipt_url_shows_what_to_collect_and_who_may(clerk, ready):
    reference, token = ready
    response = clerk.get(f"/petugas/serah?kode=https://loket.example.go.id/verifikasi/{token}")
    html = _text(response)
    assert response.status_code == 200
    for expected in (reference, "KTP-el", "KTP-el Baru (Perekaman)", "Siti Wulandari", "331701******0001",
                     "Kantor Dindukcapil Kabupaten Rembang", "08.00–14.00 WIB", "Siap",
                     "Membawa KTP-el atau KK asli.", "Membawa surat kuasa bertanda tangan pemohon", "Serahkan dokumen"):
        assert expected in html, expected
    assert GOOD_NIK not in html
    assert re.search(r'id="collector-applicant"[^>]*checked', html)
    # The field is emptied for the next scan once something was found.
    assert re.search(r'<input[^>]*id="kode"[^>]*value=""', html)


def test_bare_token_and_forgivingly_typed_reference_find_it(clerk, ready):
    reference, token = ready
    typed = reference.lower().replace("-", " ").replace("0", "o")
    for code in (token, typed, reference[4:], f"  {reference}  "):
        response = clerk.get("/petugas/serah", query_string={"kode": code})
        assert response.status_code == 200, code
        assert reference in _text(response), code


def test_unknown_code_is_a_404_on_the_page_keeping_what_was_typed(clerk, ready):
    response = clerk.get("/petugas/serah?kode=RBG-ZZZZ-ZZZZ")
    html = _text(response)
    assert response.status_code == 404
    assert "Kode ini tidak dikenal" in html
    assert re.search(r'<input[^>]*id="kode"[^>]*value="RBG-ZZZZ-ZZZZ"', html)
    assert clerk.get("/petugas/serah?kode=https://x/verifikasi/not-a-token").status_code == 404


def test_a_draft_is_unknown_at_the_counter(app, clerk, ready):
    from portal.models import Service
    from portal.services import applications, calendar

    with app.app_context():
        draft, _pin = applications.start_draft(db.session.get(Service, "KTP_BARU"), calendar.now())
        reference = draft.reference
    assert clerk.get(f"/petugas/serah?kode={reference}").status_code == 404
    token = csrf(clerk, f"/petugas/serah?kode={ready[0]}")
    response = clerk.post(f"/petugas/serah/{reference}", data={"csrf_token": token, "collector": "applicant"})
    assert response.status_code == 404


def test_htmx_lookup_gets_only_the_scan_block_and_a_swappable_status(clerk, ready):
    reference, _token_ = ready
    headers = {"HX-Request": "true", "HX-Target": "scan"}
    found = clerk.get(f"/petugas/serah?kode={reference}", headers=headers)
    assert found.status_code == 200 and reference in _text(found)
    assert "<html" not in _text(found) and _text(found).lstrip().startswith('<div id="scan"')
    unknown = clerk.get("/petugas/serah?kode=nothing", headers=headers)
    assert unknown.status_code == 200 and "Kode ini tidak dikenal" in _text(unknown)
    assert "<html" not in _text(unknown)


# Confirming


def test_applicant_collects_in_three_actions(app, clerk, ready, staff):
    reference, _token_ = ready
    response = _confirm(clerk, reference)
    assert response.status_code == 303
    handover = _handover(app, reference)
    assert response.headers["Location"] == f"/petugas/serah/{handover.id}/selesai"
    assert (handover.collector, handover.collector_name, handover.clerk_name) == ("applicant", "Siti Wulandari",
                                                                                  "Petugas Satu")
    assert _application(app, reference).state == lifecycle.COLLECTED
    done = _text(clerk.get(response.headers["Location"]))
    assert "Dokumen sudah diserahkan" in done and "Siti Wulandari (pemohon sendiri)" in done
    assert f"/petugas/serah/{handover.id}/slip.pdf" in done and "ukuran=a6" in done
    assert 'href="/petugas/serah"' in done and "Serahkan berikutnya" in done
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.reference == reference)).all()
    assert "handover" in actions


def test_authorised_person_collects_with_relation_and_nik(app, clerk, ready):
    reference, _token_ = ready
    response = _confirm(clerk, reference, collector="authorised", authorised_name="  Budi   Santoso ",
                        relation="suami", authorised_nik="3317 0105 0285 0003")
    assert response.status_code == 303
    handover = _handover(app, reference)
    assert (handover.collector, handover.collector_name, handover.relation, handover.id_number) == (
        "authorised", "Budi Santoso", "suami", AUTHORISED_NIK)
    done = _text(clerk.get(response.headers["Location"]))
    assert "Budi Santoso (diberi kuasa, suami, NIK 331701******0003)" in done
    assert AUTHORISED_NIK not in done


def test_village_operator_collects_by_name(app, clerk, ready):
    reference, _token_ = ready
    assert _confirm(clerk, reference, collector="operator", operator_name="Operator Ronggo Mulyo").status_code == 303
    assert _handover(app, reference).collector == "operator"


@pytest.mark.parametrize("fields, field_id, message", [
    ({"authorised_name": "Budi Santoso", "relation": "", "authorised_nik": AUTHORISED_NIK}, "relation",
     "Isi hubungan orang ini dengan pemohon"),
    ({"authorised_name": "Budi Santoso", "relation": "suami", "authorised_nik": "12345"}, "authorised_nik",
     "NIK harus 16 angka"),
    ({"authorised_name": "Budi Santoso", "relation": "suami", "authorised_nik": "3317010000850003"},
     "authorised_nik", "NIK ini tidak mungkin benar"),
    ({"authorised_name": "", "relation": "suami", "authorised_nik": AUTHORISED_NIK}, "authorised_name",
     "Isi nama orang yang diberi kuasa"),
])
def test_authorised_details_are_checked_and_kept(app, clerk, ready, fields, field_id, message):
    reference, _token_ = ready
    response = _confirm(clerk, reference, collector="authorised", **fields)
    html = _text(response)
    assert response.status_code == 422
    assert message in html
    assert f'href="#{field_id}"' in html  # the error summary links to the field
    assert html.count(f'id="{field_id}-error"') == 1
    assert re.search(r'id="collector-authorised"[^>]*checked', html)
    for name, value in fields.items():
        if value:
            assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{re.escape(value)}"', html), name
    assert "<title>Kesalahan:" in html
    assert re.search(rf'<input[^>]*id="{field_id}"[^>]*autofocus', html)  # the clerk types the fix at once
    assert not re.search(r'<input[^>]*id="kode"[^>]*autofocus', html)
    assert _application(app, reference).state == lifecycle.READY
    assert _handover(app, reference) is None


def test_a_village_application_offers_its_desa_operator(app, clerk, staff):
    reference, _pin = make_application(app, "KTP_BARU", state=lifecycle.READY, channel="village")
    html = _text(clerk.get(f"/petugas/serah?kode={reference}"))
    assert re.search(r'<input[^>]*name="operator_name"[^>]*value="Operator Ronggo Mulyo"', html)
    assert "Pengambilan kolektif untuk desa" in html
    assert re.search(r'id="collector-applicant"[^>]*checked', html)  # the applicant stays the default


def test_a_self_printed_document_warns_before_it_is_handed_over(app, clerk, staff):
    reference, _pin = make_application(app, "KK_BARU", state=lifecycle.READY)
    html = _text(clerk.get(f"/petugas/serah?kode={reference}"))
    assert "dicetak sendiri oleh pemohon" in html and "KK Baru (Keluarga Baru)" in html
    assert f'action="/petugas/serah/{reference}"' in html  # the office may still hand over what it printed


def test_operator_needs_a_name(app, clerk, ready):
    reference, _token_ = ready
    response = _confirm(clerk, reference, collector="operator", operator_name=" ")
    assert response.status_code == 422 and "Isi nama operator desa" in _text(response)
    assert _handover(app, reference) is None


# Refusals


@pytest.mark.parametrize("state, message", [
    (lifecycle.SUBMITTED, "masih menunggu diperiksa"),
    (lifecycle.IN_REVIEW, "sedang diperiksa petugas"),
    (lifecycle.APPROVED, "belum ditandai siap"),
])
def test_not_ready_is_refused_with_a_reason(app, clerk, staff, state, message):
    reference, _pin = make_application(app, "KTP_BARU", state=state)
    response = clerk.get(f"/petugas/serah?kode={reference}")
    html = _text(response)
    assert response.status_code == 409
    assert "Tidak dapat diserahkan" in html and message in html
    assert f'action="/petugas/serah/{reference}"' not in html
    posted = _confirm(clerk, reference)
    assert posted.status_code == 409 and message in _text(posted)
    assert _application(app, reference).state == state


def test_already_collected_says_when_to_whom_and_by_whom(app, client, ready, staff):
    reference, token = ready
    sign_in(client, "clerk")
    _confirm(client, reference, collector="authorised", authorised_name="Budi Santoso", relation="suami",
             authorised_nik=AUTHORISED_NIK)
    handover = _handover(app, reference)
    client = app.test_client()
    sign_in(client, "clerk2")
    response = client.get(f"/petugas/serah?kode=http://localhost/verifikasi/{token}")
    html = _text(response)
    assert response.status_code == 409
    assert ("Dokumen ini sudah diserahkan pada Kamis, 3 Desember 2026 pukul 09.00 WIB kepada Budi Santoso "
            "(diberi kuasa, suami, NIK 331701******0003) oleh Petugas Satu.") in html
    assert f"/petugas/serah/{handover.id}/slip.pdf" in html  # reprint the slip
    again = _confirm(client, reference)
    assert again.status_code == 409 and "sudah diserahkan" in _text(again)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Handover.id))) == 1


def test_a_handover_recorded_meanwhile_by_another_clerk_is_a_refusal_not_an_error(app, clerk, ready, monkeypatch):
    from sqlalchemy import insert, update

    from portal.services import review

    reference, _token_ = ready
    real_hand_over = review.hand_over

    def racing_hand_over(application, user, now, *args, **kwargs):
        # Another worker commits its handover after this request checked the state and before it commits.
        with db.engine.begin() as connection:
            connection.execute(insert(Handover).values(
                application_id=application.id, at=now, clerk_name="Petugas Dua", collector="applicant",
                collector_name="Siti Wulandari", relation="", id_number="", slip_token="other-worker-slip"))
            connection.execute(update(Application).where(Application.id == application.id)
                               .values(state=lifecycle.COLLECTED))
        return real_hand_over(application, user, now, *args, **kwargs)

    monkeypatch.setattr(review, "hand_over", racing_hand_over)
    response = _confirm(clerk, reference)
    assert response.status_code == 409
    assert "sudah diserahkan" in _text(response) and "oleh Petugas Dua" in _text(response)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Handover.id))) == 1


# The slip


def _slip(client, app, reference, size=None):
    handover = _handover(app, reference)
    query = f"?ukuran={size}" if size else ""
    return client.get(f"/petugas/serah/{handover.id}/slip.pdf{query}")


def _pdf_text(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(body)).pages).split())


@pytest.mark.parametrize("size, paper", [(None, (226.77, 481.89)), ("a6", (297.64, 419.53))])
def test_slip_pdf_says_what_was_handed_to_whom(app, clerk, ready, size, paper):
    reference, token = ready
    _confirm(clerk, reference, collector="authorised", authorised_name="Budi Santoso", relation="suami",
             authorised_nik=AUTHORISED_NIK)
    response = _slip(clerk, app, reference, size)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (round(paper[0], 1), round(paper[1], 1))
    text = _pdf_text(response.data)
    for expected in ("BUKTI PENYERAHAN", reference, "KTP-el", "KTP-el Baru (Perekaman)", "Siti Wulandari",
                     "331701******0001", "Budi Santoso", "suami", "331701******0003",
                     "Kamis, 3 Desember 2026 pukul 09.00 WIB", "Petugas Satu", "Dinas Kependudukan"):
        assert expected in text, expected
    assert not re.search(r"\d{16}", re.sub(r"\s+", "", text))
    assert f"/verifikasi/{token}" in text.replace(" ", "")
    with app.app_context():
        printed = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "print")).all()
    assert [(entry.reference, entry.user_name) for entry in printed] == [(reference, "Petugas Satu")]


def test_slip_qr_code_scans_to_the_applications_verification_page(app, clerk, ready, tmp_path):
    for tool in ("pdftoppm", "zbarimg"):
        assert shutil.which(tool), f"{tool} is missing: apt-get install poppler-utils zbar-tools"
    reference, token = ready
    _confirm(clerk, reference)
    for size in ("80", "a6"):
        (tmp_path / "slip.pdf").write_bytes(_slip(clerk, app, reference, size).data)
        subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", "slip.pdf", "page"],
                       cwd=tmp_path, check=True, timeout=60)
        scanned = subprocess.run(["zbarimg", "--raw", "-q", "page.png"], cwd=tmp_path, capture_output=True,
                                 text=True, timeout=60)
        assert scanned.stdout.strip() == f"http://localhost/verifikasi/{token}", size


def test_slip_of_unknown_handover_or_size_is_404(app, clerk, ready):
    reference, _token_ = ready
    _confirm(clerk, reference)
    assert _slip(clerk, app, reference, "58").status_code == 404
    assert clerk.get("/petugas/serah/999999/slip.pdf").status_code == 404
    assert clerk.get("/petugas/serah/999999/selesai").status_code == 404


SAMPLE = HandoverSlipData(
    reference="RBG-7K3M-Q9PX", service_name="KTP-el karena Perubahan Data", document_name="KTP-el",
    applicant_name="Siti Nurhaliza binti Abdul Rahman", applicant_masked_nik="331701******0001",
    collector="applicant", collector_name="Siti Nurhaliza binti Abdul Rahman", relation="",
    collector_masked_nik="", handed_at=datetime(2026, 12, 3, 2, 15, tzinfo=timezone.utc),
    clerk_name="Petugas Satu", verify_url="https://loket.example.go.id/verifikasi/q7Xk3m9Q2pL7vR4tY8wZ1aBc",
    office_name="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Rembang",
    office_address="Jl. Pemuda Km 3, Rembang", zone="WIB")


def test_slip_data_refuses_what_must_never_print(app):
    with pytest.raises(ValueError):
        replace(SAMPLE, handed_at=datetime(2026, 12, 3, 9, 15))
    with pytest.raises(ValueError):
        replace(SAMPLE, applicant_masked_nik=GOOD_NIK)
    with pytest.raises(ValueError):
        replace(SAMPLE, collector="authorised", relation=" ")
    with pytest.raises(ValueError):
        replace(SAMPLE, collector="neighbour")
    with app.test_request_context(), pytest.raises(ValueError):
        render_handover_slip(SAMPLE, "58")


def test_slip_fits_one_page_with_long_names_and_reads_in_english(app):
    long = replace(SAMPLE, collector="authorised", relation="saudara kandung dari pihak ibu",
                   collector_name="Raden Mas Bambang Sutrisno Adi Nugroho Prasetyo Wibowo",
                   collector_masked_nik="331702******0003",
                   service_name="Surat Keterangan Pindah Datang dari Luar Kabupaten dengan Perubahan KK")
    with app.test_request_context():
        for size in ("80", "a6"):
            assert len(PdfReader(BytesIO(render_handover_slip(long, size))).pages) == 1, size
    with app.test_request_context(headers={"Cookie": "bahasa=en"}):
        text = _pdf_text(render_handover_slip(SAMPLE, "80"))
    assert "RBG-7K3M-Q9PX" in text and "Thursday, 3 December 2026 at 09:15 WIB" in text


# Roles and CSRF


@pytest.mark.parametrize("path", ["/petugas/serah", "/petugas/serah?kode=RBG-ZZZZ-ZZZZ"])
def test_operator_gets_403_and_a_visitor_is_sent_to_sign_in(client, staff, path):
    visitor = client.get(path)
    assert visitor.status_code == 303 and visitor.headers["Location"].startswith("/masuk")
    sign_in(client, "op.sumber")
    assert client.get(path).status_code == 403


def test_operator_cannot_hand_over_or_print(app, client, ready):
    reference, _token_ = ready
    sign_in(client, "op.sumber")
    response = client.post(f"/petugas/serah/{reference}", data={"csrf_token": csrf(client, "/desa"),
                                                                "collector": "applicant"})
    assert response.status_code == 403
    assert _application(app, reference).state == lifecycle.READY


def test_supervisor_may_hand_over(app, client, ready):
    reference, _token_ = ready
    sign_in(client, "kabid")
    assert _confirm(client, reference).status_code == 303
    assert _handover(app, reference).clerk_name == "Kepala Bidang"


def test_confirming_without_a_csrf_token_changes_nothing(app, clerk, ready):
    reference, _token_ = ready
    response = clerk.post(f"/petugas/serah/{reference}", data={"collector": "applicant"})
    assert response.status_code == 400
    assert _application(app, reference).state == lifecycle.READY
