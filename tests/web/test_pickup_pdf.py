"""The pickup receipt PDF (tanda terima pengambilan): what it says (and never says), A6 and 80 mm paper, one
page each, a QR code that scans from paper to the verify URL, many receipts in one PDF, the file cache,
and the download from tracking (only for a ready document collected in person)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from portal.domain import lifecycle
from portal.extensions import db
from portal.pdf import pickup
from portal.pdf.pickup import (PickupReceiptData, layout_pickup_receipts, pickup_receipt_data, render_pickup_receipt,
                               render_pickup_receipts)
from portal.services import applications
from tests.web.apply_helpers import GOOD_NIK, csrf
from tests.web.staff_helpers import create_staff, make_application
from tests.web.pdf_helpers import SMALLEST_QR_MM, missing, one_page_of, pdf_text, printed_on, qr_side_mm, scanned_qr

VERIFY_URL = "https://loket.example.go.id/verifikasi/q7Xk3m9Q2pL7vR4tY8wZ1aBcDeFgHiJk"
SAMPLE = PickupReceiptData(
    reference="RBG-7K3M-Q9PX", service_name="KTP-el Baru (Perekaman)", document_name="KTP-el",
    full_name="Siti Nurhaliza binti Abdul Rahman", masked_nik="331701******0001",
    place_name="Kantor Dindukcapil Kabupaten Rembang", place_address="Jl. Pemuda Km 3, Rembang",
    day=date(2026, 12, 8), window_text="08.00–14.00", zone="WIB",
    who_may_collect=("Pemohon sendiri, membawa KTP-el atau KK asli.",
                     "Orang yang diberi kuasa, membawa surat kuasa bertanda tangan pemohon serta KTP-el pemohon "
                     "dan KTP-el penerima kuasa.",
                     "Operator desa, bila diambil bersama untuk desa (kolektif)."),
    verify_url=VERIFY_URL, office_name="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Rembang",
    office_short_name="Dindukcapil Rembang", version=4)
LONGEST = replace(SAMPLE, service_name="Pindah Datang ke Rembang", document_name="KK dan KTP-el",
                  full_name="Raden Mas Muhammad Abdurrahman Wahyu Hidayatullah Kusumanegara",
                  place_name="Mal Pelayanan Publik Kabupaten Rembang",
                  place_address="Jl. Pahlawan No. 123, Kelurahan Kutoharjo, Kecamatan Rembang",
                  verify_url=VERIFY_URL + "LmNoPq12", version=12)


# The sample pickup receipt on A6, then on the 80 mm roll.
pickup_receipt = printed_on(render_pickup_receipt, SAMPLE, ["a6", "80"])


# The template


def test_receipt_says_what_where_when_and_who(pickup_receipt):
    text = pickup_receipt.text
    assert missing(text, ("Dindukcapil Rembang", "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Rembang",
                          "Tanda Terima Pengambilan", "RBG-7K3M-Q9PX", "KTP-el Baru (Perekaman)", "KTP-el",
                          "Siti Nurhaliza binti Abdul Rahman", "331701******0001",
                          "Kantor Dindukcapil Kabupaten Rembang", "Jl. Pemuda Km 3, Rembang",
                          "Selasa, 8 Desember 2026", "Pukul 08.00–14.00 WIB", "Yang boleh mengambil",
                          "Pemohon sendiri, membawa KTP-el atau KK asli.", "Operator desa", "Layanan ini gratis.")) == []
    assert "Versi" not in text  # the version names the cached file; residents read it as a revision count
    assert VERIFY_URL in text.replace(" ", "")


def test_receipt_is_one_page_of_its_paper_with_a_title(pickup_receipt):
    one_page_of(pickup_receipt.body, pickup_receipt.size, title="Tanda Terima Pengambilan RBG-7K3M-Q9PX")


@pytest.mark.parametrize("size", ["a6", "80"])
def test_longest_receipt_still_fits_one_page(app, size):
    with app.test_request_context():
        reader = PdfReader(BytesIO(render_pickup_receipt(LONGEST, size)))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Layanan ini gratis." in text and "Kusumanegara" in text  # down to the last line


def test_qr_code_is_large_enough_and_scans_from_the_printed_page(app, pickup_receipt, tmp_path):
    assert qr_side_mm(app, layout_pickup_receipts, [SAMPLE], pickup_receipt.size) >= SMALLEST_QR_MM[pickup_receipt.size]
    assert scanned_qr(pickup_receipt.body, tmp_path) == [VERIFY_URL]


@pytest.mark.parametrize("size", ["a6", "80"])
def test_many_receipts_print_one_per_page(app, size, tmp_path):
    others = [replace(SAMPLE, reference=f"RBG-AAAA-000{n}", verify_url=f"{VERIFY_URL}{n}") for n in range(3)]
    with app.test_request_context():
        body = render_pickup_receipts(others + [LONGEST], size)
    reader = PdfReader(BytesIO(body))
    assert len(reader.pages) == 4
    for number, page in enumerate(reader.pages[:3]):
        assert f"RBG-AAAA-000{number}" in page.extract_text()
    assert reader.metadata.title == "Tanda Terima Pengambilan Selasa, 8 Desember 2026"
    assert scanned_qr(body, tmp_path) == [f"{VERIFY_URL}{n}" for n in range(3)] + [LONGEST.verify_url]


def test_english_receipt_translates_the_date(app):
    with app.test_request_context(headers={"Cookie": "bahasa=en"}):
        text = pdf_text(render_pickup_receipt(SAMPLE, "a6"))
    assert "RBG-7K3M-Q9PX" in text and "Tuesday, 8 December 2026" in text


def test_bad_input_is_refused(app):
    with pytest.raises(ValueError):
        replace(SAMPLE, masked_nik=GOOD_NIK)
    with pytest.raises(ValueError):
        replace(SAMPLE, who_may_collect=())
    with app.test_request_context():
        for size in ("a4", "58", ""):
            with pytest.raises(ValueError):
                render_pickup_receipt(SAMPLE, size)
        with pytest.raises(ValueError):
            render_pickup_receipts([], "a6")


# From an application


def ready(app, service_code: str = "KTP_BARU", **kwargs) -> tuple[str, str]:
    create_staff(app)
    return make_application(app, service_code, state=lifecycle.READY, **kwargs)


def unlocked(app, reference: str, pin: str):
    client = app.test_client()
    response = client.post("/lacak", data={"csrf_token": csrf(client, "/lacak"), "reference": reference, "pin": pin})
    assert response.status_code == 303
    return client


def test_data_of_a_ready_application_masks_the_nik_and_points_at_verification(app, regions):
    reference, _pin = ready(app, channel="village")
    with app.test_request_context(base_url="https://loket.example.go.id"):
        application = applications.find(reference)
        data = pickup_receipt_data(application)
        assert data.masked_nik == "331701******0001" and data.document_name == "KTP-el"
        assert data.verify_url == f"https://loket.example.go.id/verifikasi/{application.verification_token}"
        assert data.place_name == application.pickup_place.name and data.day == application.pickup_date
        assert data.window_text == "08.00–14.00" and data.zone == "WIB"
        assert data.service_name == "KTP-el Baru (Perekaman)" and data.version == application.version
        assert any("Operator desa" in line for line in data.who_may_collect)  # filed by the village


def test_data_needs_a_pickup_place_and_date(app, regions):
    create_staff(app)
    reference, _pin = make_application(app, "KTP_BARU", state=lifecycle.APPROVED)
    with app.test_request_context(), pytest.raises(ValueError):
        pickup_receipt_data(applications.find(reference))


@pytest.mark.parametrize("size", ["a6", "80"])
def test_resident_downloads_the_pickup_receipt(app, regions, size, tmp_path):
    reference, pin = ready(app)
    client = unlocked(app, reference, pin)
    response = client.get(f"/lacak/{reference}/tanda-terima.pdf?ukuran={size}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename="tanda-terima-{reference}-{size}.pdf"'
    assert response.headers["Cache-Control"] == "private, no-cache"
    one_page_of(response.data, size)
    text = pdf_text(response.data)
    with app.app_context():
        application = applications.find(reference)
        token, place = application.verification_token, application.pickup_place.name
    for expected in (reference, "KTP-el Baru (Perekaman)", place, "Selasa, 8 Desember 2026",
                     "08.00–14.00 WIB", "331701******0001", "Siti Wulandari"):
        assert expected in text, expected
    assert GOOD_NIK not in text and not re.search(r"\d{16}", text.replace(" ", ""))
    assert scanned_qr(response.data, tmp_path) == [f"http://localhost/verifikasi/{token}"]


def test_an_unchanged_receipt_is_rendered_once_and_revalidates(app, regions, monkeypatch):
    reference, pin = ready(app)
    client = unlocked(app, reference, pin)
    calls = []
    real = pickup.render_pickup_receipt
    monkeypatch.setattr(pickup, "render_pickup_receipt", lambda data, size: calls.append(size) or real(data, size))
    first = client.get(f"/lacak/{reference}/tanda-terima.pdf?ukuran=a6")
    second = client.get(f"/lacak/{reference}/tanda-terima.pdf?ukuran=a6")
    assert first.data == second.data and calls == ["a6"]
    etag = first.headers["ETag"]
    not_modified = client.get(f"/lacak/{reference}/tanda-terima.pdf?ukuran=a6", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not not_modified.data
    client.get(f"/lacak/{reference}/tanda-terima.pdf?ukuran=80")
    assert calls == ["a6", "80"]


def test_a_receipt_follows_a_change_of_who_may_collect(app, regions):
    from portal.services import catalogue_admin

    reference, pin = ready(app)
    client = unlocked(app, reference, pin)
    first = client.get(f"/lacak/{reference}/tanda-terima.pdf?ukuran=a6")
    assert "surat kuasa" in pdf_text(first.data)
    with app.test_request_context():
        service = applications.find(reference).service
        catalogue_admin.save(service, catalogue_admin.version_of(service), {"proxy_letter": False})
    again = client.get(f"/lacak/{reference}/tanda-terima.pdf?ukuran=a6", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert "surat kuasa" not in pdf_text(again.data)


def test_no_pickup_receipt_unless_ready_for_pickup_in_person(app, regions):
    create_staff(app)
    cases = [make_application(app, "KTP_BARU", state=lifecycle.APPROVED, nik="3317014101900002"),
             make_application(app, "KTP_BARU", state=lifecycle.SUBMITTED, nik="3317014101900003"),
             make_application(app, "KK_BARU", state=lifecycle.READY, nik="3317014101900004")]  # self-printed
    for reference, pin in cases:
        client = unlocked(app, reference, pin)
        for size in ("a6", "80"):
            assert client.get(f"/lacak/{reference}/tanda-terima.pdf?ukuran={size}").status_code == 404
    reference, pin = make_application(app, "KTP_BARU", state=lifecycle.READY)
    client = unlocked(app, reference, pin)
    assert client.get(f"/lacak/{reference}/tanda-terima.pdf?ukuran=a4").status_code == 404
    with app.app_context():  # handed over: the receipt is spent
        from portal.models import User
        from portal.services import calendar, handovers
        clerk = db.session.scalar(db.select(User).where(User.username == "clerk"))
        handovers.hand_over(applications.find(reference), clerk, calendar.now(), "applicant", nik_typed="0001",
                            reason="Sebelum jadwal")
    assert client.get(f"/lacak/{reference}/tanda-terima.pdf?ukuran=a6").status_code == 404
