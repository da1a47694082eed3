"""The collective pickup manifest PDF (A4): what it says (and never says), a QR code that scans from paper to
the manifest's verification URL (which the counter's handover page accepts), many lines over pages, many
manifests in one PDF; and the 80 mm slip of one visit."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from io import BytesIO

import pytest
from pypdf import PdfReader

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import PickupManifest
from portal.pdf.manifest import ManifestData, ManifestLine, ManifestSlipData, render_manifest_slip, render_manifests
from tests.web.apply_helpers import GOOD_NIK, csrf
from tests.web.staff_helpers import make_application, sign_in
from tests.web.pdf_helpers import one_page_of, pdf_text, scanned_qr

VERIFY_URL = "https://loket.example.go.id/verifikasi/q7Xk3m9Q2pL7vR4tY8wZ1aBc"
LINE = ManifestLine(reference="RBG-7K3M-Q9PX", service_name="KTP-el Baru (Perekaman)", document_name="KTP-el",
                    full_name="Siti Wulandari", masked_nik="331701******0001",
                    pickup="Kantor Dindukcapil Kabupaten Rembang, 7 Des 2026, 08.00–14.00 WIB")
SAMPLE = ManifestData(
    code="AMB-7K3M-Q9PX", desa_name="Ronggo Mulyo", kecamatan_name="Sumber", collector_name="Operator Ronggo Mulyo",
    created_by_name="Operator Ronggo Mulyo", created_at=datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc),
    lines=(LINE,), verify_url=VERIFY_URL, office_name="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Rembang",
    office_short_name="Dindukcapil Rembang")


@pytest.fixture
def manifest(app, client, staff):
    """Sign the operator of Ronggo Mulyo in, make a manifest of two ready KTP-el; return (id, code, token, refs)."""
    references = [make_application(app, "KTP_BARU", state=lifecycle.READY, filed_by="op.sumber", name=name)[0]
                  for name in ("Siti Wulandari", "Budi Santoso")]
    sign_in(client, "op.sumber")
    response = client.post("/desa/ambil", data={"csrf_token": csrf(client, "/desa/ambil"), "permohonan": references})
    assert response.status_code == 303
    with app.app_context():
        found = db.session.scalar(db.select(PickupManifest))
        return found.id, found.code, found.verification_token, sorted(references)


def test_the_manifest_says_desa_operator_date_code_and_every_line(app, client, manifest):
    manifest_id, code, token, references = manifest
    response = client.get(f"/desa/ambil/{manifest_id}/manifes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    one_page_of(response.data, "a4")
    text = pdf_text(response.data)
    for expected in ("Manifes Pengambilan Kolektif", code, "Ronggo Mulyo", "Kecamatan Sumber",
                     "Operator Ronggo Mulyo", "Kamis, 3 Desember 2026", "Siti Wulandari", "Budi Santoso",
                     "KTP-el", "KTP-el Baru (Perekaman)", "331701******0001", "Kantor Dindukcapil",
                     "08.00–14.00 WIB", "Diterima", *references):
        assert expected in text, expected
    assert GOOD_NIK not in re.sub(r"\s+", "", text)
    assert f"/verifikasi/{token}" in text.replace(" ", "")


def test_the_qr_code_scans_from_paper_and_opens_the_manifest_at_the_counter(app, client, manifest, tmp_path):
    manifest_id, code, token, references = manifest
    body = client.get(f"/desa/ambil/{manifest_id}/manifes.pdf").data
    [scanned] = scanned_qr(body, tmp_path)
    assert scanned == f"http://localhost/verifikasi/{token}"
    desk = app.test_client()
    sign_in(desk, "clerk")
    page = desk.get("/petugas/serah", query_string={"kode": scanned})
    assert page.status_code == 200
    assert code in page.get_data(as_text=True) and references[0] in page.get_data(as_text=True)


def test_many_lines_run_over_pages_and_many_manifests_each_start_a_page(app, tmp_path):
    lines = tuple(replace(LINE, reference=f"RBG-{n:04d}-Q9PX", full_name=f"Warga Nomor {n}") for n in range(40))
    other = replace(SAMPLE, code="AMB-2222-Q9PX", desa_name="Lodan Kulon", verify_url=VERIFY_URL + "x")
    with app.test_request_context():
        long_one = render_manifests([replace(SAMPLE, lines=lines)])
        two = render_manifests([SAMPLE, other])
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(long_one)).pages]
    assert len(pages) >= 2
    assert all(f"RBG-{n:04d}-Q9PX" in " ".join(pages) for n in range(40))
    assert "Nomor permohonan" in pages[1]  # the table's head repeats
    two_pages = [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(two)).pages]
    assert len(two_pages) == 2 and "Ronggo Mulyo" in two_pages[0] and "Lodan Kulon" in two_pages[1]
    assert scanned_qr(two, tmp_path) == [VERIFY_URL, VERIFY_URL + "x"]


def test_data_refuses_what_must_never_print(app):
    with pytest.raises(ValueError):
        replace(LINE, masked_nik=GOOD_NIK)
    with pytest.raises(ValueError):
        replace(SAMPLE, created_at=datetime(2026, 12, 3, 9, 0))
    with pytest.raises(ValueError):
        replace(SAMPLE, lines=())
    with app.test_request_context(), pytest.raises(ValueError):
        render_manifests([])


def test_the_visit_slip_is_80_mm_and_lists_every_line(app):
    lines = tuple(replace(LINE, reference=f"RBG-{n:04d}-Q9PX", full_name=f"Warga Nomor {n}") for n in range(12))
    slip = ManifestSlipData(code="AMB-7K3M-Q9PX", desa_name="Ronggo Mulyo", collector_name="Operator Ronggo Mulyo",
                            clerk_name="Petugas Satu", handed_at=datetime(2026, 12, 3, 2, 15, tzinfo=timezone.utc),
                            lines=lines, verify_url=VERIFY_URL, office_name="Dinas Kependudukan",
                            office_address="Jl. Pemuda Km 3, Rembang")
    with app.test_request_context():
        body = render_manifest_slip(slip)
    one_page_of(body, "80")
    text = pdf_text(body)
    for expected in ("BUKTI PENYERAHAN", "AMB-7K3M-Q9PX", "Ronggo Mulyo", "Operator Ronggo Mulyo", "Petugas Satu",
                     "Kamis, 3 Desember 2026 pukul 09.15 WIB", "RBG-0000-Q9PX", "RBG-0011-Q9PX", "Warga Nomor 11"):
        assert expected in text, expected
