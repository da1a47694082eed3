"""Handover at the counter: scan (URL, token, typed reference), who collects, refusals, the handover slip PDF
(text, masked NIKs, a QR code that scans from paper), roles and CSRF."""

from __future__ import annotations

import re
import secrets
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
from tests.web.pdf_helpers import one_page_of, pdf_text, scanned_qr
from tests.web.staff_helpers import create_staff, make_application, sign_in

AUTHORISED_NIK = "3317010502850003"  # a man born 5 February 1985 in Kecamatan Sumber
# The test clock says Thursday 3 December; a document made ready then is due on Tuesday 8 December, so a
# handover today is early and needs a reason (tests/web/test_handover_checks.py tests that rule).
EARLY_REASON = "Pemohon berangkat kerja ke luar kota"


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
    data = {"csrf_token": token, "collector": "applicant", "nik_digits": GOOD_NIK[-4:], "letter_seen": "y",
            "reason": EARLY_REASON, **fields}
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

    from portal.services import handovers

    reference, _token_ = ready
    real_hand_over = handovers.hand_over

    def racing_hand_over(application, user, now, *args, **kwargs):
        # Another worker commits its handover after this request checked the state and before it commits.
        with db.engine.begin() as connection:
            connection.execute(insert(Handover).values(
                application_id=application.id, at=now, clerk_name="Petugas Dua", collector="applicant",
                collector_name="Siti Wulandari", relation="", id_number="", slip_token="other-worker-slip"))
            connection.execute(update(Application).where(Application.id == application.id)
                               .values(state=lifecycle.COLLECTED))
        return real_hand_over(application, user, now, *args, **kwargs)

    monkeypatch.setattr(handovers, "hand_over", racing_hand_over)
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


@pytest.mark.parametrize("size, paper", [(None, (226.77, 481.89)), ("a6", (297.64, 419.53))])
def test_slip_pdf_says_what_was_handed_to_whom(app, clerk, ready, size, paper):
    reference, token = ready
    _confirm(clerk, reference, collector="authorised", authorised_name="Budi Santoso", relation="suami",
             authorised_nik=AUTHORISED_NIK)
    response = _slip(clerk, app, reference, size)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    one_page_of(response.data, paper)
    text = pdf_text(response.data)
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
    reference, token = ready
    _confirm(clerk, reference)
    for size in ("80", "a6"):
        (tmp_path / size).mkdir()
        assert scanned_qr(_slip(clerk, app, reference, size).data, tmp_path / size) == [
            f"http://localhost/verifikasi/{token}"], size


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
        text = pdf_text(render_handover_slip(SAMPLE, "80"))
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


# A village's collective pickup manifest, item by item


@pytest.fixture
def manifest(app, staff):
    """Return (id, code, token, [references]) of a manifest Ronggo Mulyo's operator made of three ready KTP-el."""
    from portal.models import PickupManifest, User
    from portal.services import calendar, manifests

    references = sorted(make_application(app, "KTP_BARU", state=lifecycle.READY, filed_by="op.sumber", name=name)[0]
                        for name in ("Siti Wulandari", "Budi Santoso", "Ayu Lestari"))
    with app.app_context():
        operator = db.session.scalar(db.select(User).where(User.username == "op.sumber"))
        made = manifests.create(operator, references, calendar.now())
        found = db.session.get(PickupManifest, made.id)
        return found.id, found.code, found.verification_token, references


def _serahkan(client, manifest_id: int, reference: str, name: str = "Operator Ronggo Mulyo", token: str | None = None):
    with client.application.app_context():
        token = token or session_csrf(client)
    return client.post(f"/petugas/serah/manifes/{manifest_id}", data={"csrf_token": token, "reference": reference,
                                                                       "operator_name": name, "reason": EARLY_REASON})


def _handovers(app) -> list[tuple[str, str, str, int | None]]:
    with app.app_context():
        return [(h.application.reference, h.collector, h.collector_name, h.manifest_id)
                for h in db.session.scalars(db.select(Handover).order_by(Handover.id))]


def _offered(html: str) -> list[str]:
    return re.findall(r'<button class="button button-small" type="submit" name="reference" value="([^"]+)"', html)


def test_a_manifest_code_or_its_qr_opens_the_manifest_with_every_item(app, clerk, manifest):
    manifest_id, code, token, references = manifest
    typed = code.lower().replace("-", " ")
    for kode in (f"http://localhost/verifikasi/{token}", typed, code[4:], token):
        response = clerk.get("/petugas/serah", query_string={"kode": kode})
        html = _text(response)
        assert response.status_code == 200, kode
        for expected in (code, "Ronggo Mulyo", "Siti Wulandari", "331701******0001", "3 dokumen, 3 siap diserahkan",
                         "Kantor Dindukcapil", *references):
            assert expected in html, (kode, expected)
        assert re.search(r'<input[^>]*name="operator_name"[^>]*value="Operator Ronggo Mulyo"', html)
        assert _offered(html) == references
        assert GOOD_NIK not in html


def test_items_are_handed_over_one_by_one_to_the_operator(app, clerk, manifest):
    manifest_id, code, _token_, references = manifest
    response = _serahkan(clerk, manifest_id, references[0])
    assert response.status_code == 303 and response.headers["Location"] == f"/petugas/serah/manifes/{manifest_id}"
    assert _handovers(app) == [(references[0], "operator", "Operator Ronggo Mulyo", manifest_id)]
    page = _text(clerk.get(response.headers["Location"]))
    assert _offered(page) == references[1:]  # the one handed over is shown, not offered again
    assert "Sudah diserahkan Kamis, 3 Desember 2026 pukul 09.00 WIB kepada Operator Ronggo Mulyo" in page
    assert "1 dokumen sudah diserahkan hari ini dari manifes ini." in page
    assert f"/petugas/serah/manifes/{manifest_id}/slip.pdf" in page
    assert _serahkan(clerk, manifest_id, references[1]).status_code == 303
    assert [row[0] for row in _handovers(app)] == references[:2]
    assert _application(app, references[2]).state == lifecycle.READY
    with app.app_context():
        details = db.session.scalars(db.select(AuditEntry.detail).where(AuditEntry.action == "handover")).all()
    assert details == [f"operator desa: Operator Ronggo Mulyo (manifes {code}); sebelum jadwal 2026-12-08, "
                       f"alasan: {EARLY_REASON}"] * 2


def test_the_operator_name_is_edited_once_for_the_whole_visit(app, clerk, manifest):
    manifest_id, _code, _token_, references = manifest
    _serahkan(clerk, manifest_id, references[0], name="  Sutrisno   Kades ")
    page = _text(clerk.get(f"/petugas/serah/manifes/{manifest_id}"))
    assert re.search(r'<input[^>]*name="operator_name"[^>]*value="Sutrisno Kades"', page)
    assert _handovers(app)[0][2] == "Sutrisno Kades"


def test_a_missing_name_is_asked_for_and_nothing_is_handed_over(app, clerk, manifest):
    manifest_id, _code, _token_, references = manifest
    response = _serahkan(clerk, manifest_id, references[0], name=" ")
    assert response.status_code == 422 and "Isi nama operator desa yang mengambil." in _text(response)
    assert 'href="#operator_name"' in _text(response)
    assert _handovers(app) == []


def test_an_item_already_handed_over_is_not_offered_twice(app, client, manifest):
    manifest_id, _code, _token_, references = manifest
    sign_in(client, "clerk")
    stale = app.test_client()  # a second clerk has the manifest open
    sign_in(stale, "clerk2")
    assert _offered(_text(stale.get(f"/petugas/serah/manifes/{manifest_id}"))) == references
    assert _serahkan(client, manifest_id, references[0]).status_code == 303
    again = _serahkan(stale, manifest_id, references[0], name="Operator Ronggo Mulyo")
    html = _text(again)
    assert again.status_code == 409
    assert f"{references[0]}: Dokumen ini sudah diserahkan pada" in html and "oleh Petugas Satu" in html
    assert references[0] not in _offered(html)
    assert len(_handovers(app)) == 1


def test_an_item_collected_alone_or_not_ready_is_shown_but_not_offered(app, clerk, manifest):
    manifest_id, _code, _token_, references = manifest
    assert _confirm(clerk, references[0]).status_code == 303  # the resident came for it herself
    with app.app_context():
        application = db.session.scalar(db.select(Application).where(Application.reference == references[1]))
        application.state = lifecycle.APPROVED  # taken back to be printed again
        db.session.commit()
    html = _text(clerk.get(f"/petugas/serah/manifes/{manifest_id}"))
    assert _offered(html) == [references[2]]
    assert "kepada Siti Wulandari" in html or "kepada Budi Santoso" in html or "kepada Ayu Lestari" in html
    assert "Disetujui, sedang diproses" in html
    response = _serahkan(clerk, manifest_id, references[1])
    assert response.status_code == 409 and "belum ditandai siap" in _text(response)


def test_two_clerks_at_once_on_one_item_make_one_handover(app, clerk, manifest, monkeypatch):
    from sqlalchemy import insert, update

    from portal.services import handovers

    manifest_id, _code, _token_, references = manifest
    real_hand_over = handovers.hand_over

    def racing_hand_over(application, user, now, *args, **kwargs):
        # The other clerk's request commits the same item after this one checked it and before it commits.
        with db.engine.begin() as connection:
            connection.execute(insert(Handover).values(
                application_id=application.id, at=now, clerk_name="Petugas Dua", collector="operator",
                collector_name="Operator Ronggo Mulyo", relation="", id_number="", slip_token="other-desk-slip",
                manifest_id=manifest_id))
            connection.execute(update(Application).where(Application.id == application.id)
                               .values(state=lifecycle.COLLECTED))
        return real_hand_over(application, user, now, *args, **kwargs)

    monkeypatch.setattr(handovers, "hand_over", racing_hand_over)
    response = _serahkan(clerk, manifest_id, references[0])
    assert response.status_code == 409 and "oleh Petugas Dua" in _text(response)
    assert len(_handovers(app)) == 1


def test_an_item_not_on_the_manifest_is_refused(app, clerk, manifest, ready):
    manifest_id, _code, _token_, _references = manifest
    response = _serahkan(clerk, manifest_id, ready[0])
    assert response.status_code == 409 and "tidak ada di manifes ini" in _text(response)
    assert _handovers(app) == []


def test_the_visit_slip_lists_what_was_handed_over_today(app, clerk, manifest, tmp_path):
    manifest_id, code, token, references = manifest
    assert clerk.get(f"/petugas/serah/manifes/{manifest_id}/slip.pdf").status_code == 404  # nothing yet
    for reference in references[:2]:
        _serahkan(clerk, manifest_id, reference)
    response = clerk.get(f"/petugas/serah/manifes/{manifest_id}/slip.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    assert round(float(reader.pages[0].mediabox.width), 1) == round(80 / 25.4 * 72, 1)
    text = pdf_text(response.data)
    for expected in ("BUKTI PENYERAHAN", code, "Ronggo Mulyo", "Operator Ronggo Mulyo", "Petugas Satu",
                     "Dokumen yang diserahkan 2", *references[:2]):
        assert expected in text, expected
    assert references[2] not in text and not re.search(r"\d{16}", re.sub(r"\s+", "", text))
    with app.app_context():
        printed = db.session.scalars(db.select(AuditEntry.detail).where(AuditEntry.action == "print")).all()
    assert printed == [f"bukti penyerahan manifes {code}: 2 dokumen, 80 mm"]


def test_manifest_handover_routes_check_roles_csrf_and_ids(app, client, manifest):
    manifest_id, _code, _token_, references = manifest
    paths = [f"/petugas/serah/manifes/{manifest_id}", f"/petugas/serah/manifes/{manifest_id}/slip.pdf"]
    for path in paths:
        visitor = client.get(path)
        assert visitor.status_code == 303 and visitor.headers["Location"].startswith("/masuk"), path
    operator = app.test_client()
    sign_in(operator, "op.sumber")
    for path in paths:
        assert operator.get(path).status_code == 403, path
    assert _serahkan(operator, manifest_id, references[0], token=csrf(operator, "/desa/ambil")).status_code == 403
    sign_in(client, "clerk")
    assert client.get("/petugas/serah/manifes/999999").status_code == 404
    assert _serahkan(client, 999999, references[0]).status_code == 404
    no_token = client.post(f"/petugas/serah/manifes/{manifest_id}", data={"reference": references[0],
                                                                         "operator_name": "Operator"})
    assert no_token.status_code == 400
    assert _handovers(app) == []
