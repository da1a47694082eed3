"""The batch cover sheet PDF (A4) and the public verification of batches and collective pickup manifests:
what they say (and never say), the QR code that scans from paper to the batch's /verifikasi/ URL."""

from __future__ import annotations

import re
import secrets
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db
from portal.models import Batch, Handover, PickupManifest, User
from portal.services import applications, batches, calendar
from tests.web.staff_helpers import create_staff, make_application, sign_in
from tests.web.pdf_helpers import PAPER, pdf_text, scanned_qr

NIKS = ("3317014101900001", "3317011203850007")


@pytest.fixture
def batch(app, regions):
    """A batch of two applications by op.sumber, open; return (id, references)."""
    create_staff(app)
    references = [make_application(app, state="draft", filed_by="op.sumber", name=name, nik=nik)[0]
                  for name, nik in zip(("Siti Wulandari", "Budi Santoso"), NIKS)]
    with app.app_context():
        operator = db.session.scalar(select(User).where(User.username == "op.sumber"))
        opened = batches.open_batch(operator, calendar.now())
        for reference in references:
            batches.add(opened, applications.find(reference), operator, calendar.now())
        return opened.id, references


def submit(app, batch_id: int) -> None:
    with app.app_context():
        operator = db.session.scalar(select(User).where(User.username == "op.sumber"))
        batches.submit(db.session.get(Batch, batch_id), operator, calendar.now())


def cover(client, batch_id: int) -> bytes:
    response = client.get(f"/desa/berkas/{batch_id}/sampul.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    return response.data


def test_cover_sheet_lists_every_application_with_masked_niks(app, client, batch, tmp_path):
    batch_id, references = batch
    submit(app, batch_id)
    sign_in(client, "op.sumber")
    body = cover(client, batch_id)
    for page in PdfReader(BytesIO(body)).pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(PAPER["a4"], abs=1)
    text = pdf_text(body)
    with app.app_context():
        found = db.session.get(Batch, batch_id)
        number, token = found.number, found.verification_token
    assert "Sampul Berkas Kolektif Desa" in text and number in text
    assert "Ronggo Mulyo" in text and "Kecamatan Sumber" in text and "Operator Ronggo Mulyo" in text
    assert "Kamis, 3 Desember 2026 pukul 09.00 WIB" in text and "Jumlah permohonan 2" in text
    for reference in references:
        assert reference in text
    assert "Siti Wulandari" in text and "Budi Santoso" in text
    with app.app_context():
        service_name = applications.find(references[0]).service.name_id
    assert service_name in text
    assert "331701******0001" in text and "331701******0007" in text
    assert not re.search(r"\d{16}", text.replace(" ", "")) and all(nik not in text for nik in NIKS)
    assert "DRAF" not in text
    assert scanned_qr(body, tmp_path) == [f"http://localhost/verifikasi/{token}"]


def test_an_open_batch_prints_as_a_draft(app, client, batch):
    batch_id, references = batch
    sign_in(client, "op.sumber")
    text = pdf_text(cover(client, batch_id))
    assert "DRAF — belum dikirim" in text and references[0] in text and "Dibuka" in text


def test_verification_of_a_batch_shows_no_names_or_niks(app, client, batch):
    batch_id, references = batch
    with app.app_context():
        token = db.session.get(Batch, batch_id).verification_token
    html = client.get(f"/verifikasi/{token}").get_data(as_text=True)
    assert "Belum dikirim (draf)" in html and "Terbuka" in html
    submit(app, batch_id)
    response = client.get(f"/verifikasi/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        number = db.session.get(Batch, batch_id).number
    assert "Asli: berkas kolektif ini" in html and number in html and "Ronggo Mulyo" in html
    assert "Kamis, 3 Desember 2026" in html and "Terkirim" in html
    assert re.search(r"<dt>Jumlah permohonan</dt><dd>2</dd>", html)
    for secret in ("Siti", "Budi", *NIKS, *references, "331701******"):
        assert secret not in html


def test_verification_of_a_manifest_counts_handovers_without_names(app, client, regions):
    create_staff(app)
    ready = [make_application(app, "KTP_BARU", state="ready", filed_by="op.sumber", name=name)[0]
             for name in ("Siti Wulandari", "Budi Santoso")]
    with app.app_context():
        operator = db.session.scalar(select(User).where(User.username == "op.sumber"))
        items = [applications.find(reference) for reference in ready]
        manifest = PickupManifest(code="AMB-7K3M-Q9PX", verification_token=secrets.token_urlsafe(18),
                                  region_code="33.17.01.2001", created_by=operator.id,
                                  created_by_name=operator.full_name, created_at=calendar.now(), applications=items)
        db.session.add(manifest)
        db.session.add(Handover(application_id=items[0].id, at=calendar.now(), clerk_name="Petugas Satu",
                                collector="operator", collector_name=operator.full_name,
                                slip_token=secrets.token_urlsafe(18)))
        db.session.commit()
        token = manifest.verification_token
    response = client.get(f"/verifikasi/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Asli: manifes pengambilan" in html and "AMB-7K3M-Q9PX" in html and "Ronggo Mulyo" in html
    assert "<dt>Jumlah dokumen</dt><dd>2</dd>" in html and "1 dari 2" in html
    for secret in ("Siti", "Budi", *ready, "Operator Ronggo"):
        assert secret not in html
    assert client.get("/verifikasi/tidak-ada").status_code == 404
