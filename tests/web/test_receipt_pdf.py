"""The application receipt PDF: what it says (and never says), its paper, one page, a QR code that scans
from paper, and the file cache that renders an unchanged receipt once."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from io import BytesIO

import pytest
from pypdf import PdfReader

from portal.pdf.cache import ReceiptCache
from portal.storage.local import LocalStorage
from portal.pdf.receipt import ReceiptData, layout_receipt, render_receipt
from portal.pdf.render import DataOnlyFetcher
from tests.web.pdf_helpers import (SMALLEST_QR_MM, missing, one_page_of, pdf_text, pdf_text_of, printed_on, qr_side_mm,
                                   scanned_qr)

VERIFY_URL = "https://loket.example.go.id/verifikasi/q7Xk3m9Q2pL7vR4tY8wZ1aBcDeFgHiJk"

SAMPLE = ReceiptData(
    reference="RBG-7K3M-Q9PX",
    service_name="KTP-el baru (perekaman pertama)",
    masked_nik="331701******0001",
    full_name="Siti Nurhaliza binti Abdul Rahman",
    documents=("Kartu Keluarga (KK)", "Akta kelahiran", "Surat pengantar dari desa/kelurahan"),
    submitted_at=datetime(2026, 12, 3, 2, 15, tzinfo=timezone.utc),  # Thursday 09.15 WIB
    status_label="Diajukan, menunggu pemeriksaan",
    next_steps=("Petugas memeriksa berkas Anda dalam 2 hari kerja.",
                "Jika ada yang perlu diperbaiki, Anda mendapat pesan dan dapat mengganti dokumennya lewat menu Lacak.",
                "Setelah disetujui, datang ke kantor pada jam pengajuan dengan membawa bukti ini."),
    verify_url=VERIFY_URL,
    office_name="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Rembang",
    office_address="Jl. Pemuda Km 3, Rembang",
    version=2,
)


# The sample receipt on A4, then on A6.
receipt = printed_on(render_receipt, SAMPLE, ["a4", "a6"])


def test_receipt_says_what_the_resident_keeps(receipt):
    text = receipt.text
    assert missing(text, ("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Rembang", "Jl. Pemuda Km 3, Rembang",
                          "Bukti Pengajuan Permohonan", "RBG-7K3M-Q9PX", "KTP-el baru (perekaman pertama)",
                          "Siti Nurhaliza binti Abdul Rahman", "331701******0001",
                          "Kamis, 3 Desember 2026 pukul 09.15 WIB", "Diajukan, menunggu pemeriksaan",
                          "Dokumen yang diterima", "Kartu Keluarga (KK)", "Akta kelahiran",
                          "Surat pengantar dari desa/kelurahan", "Langkah selanjutnya",
                          "Petugas memeriksa berkas Anda dalam 2 hari kerja.",
                          "Pindai kode QR atau buka", "untuk memeriksa keaslian bukti ini.",
                          "Layanan ini gratis. Simpan bukti ini; jangan bagikan PIN Anda.")) == []
    assert "Versi" not in text  # the version names the cached file; residents read it as a revision count
    # The URL may wrap; it is printed whole all the same.
    assert VERIFY_URL in text.replace(" ", "")


def test_receipt_never_shows_a_full_nik(receipt):
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(receipt.body)).pages)
    assert not re.search(r"\d{16}", text)
    assert not re.search(r"\d{16}", re.sub(r"\s+", "", text))


def test_longest_catalogue_receipt_still_fits_one_a6_page(app):
    longest = replace(
        SAMPLE, service_name="Akta Perkawinan (Non-Muslim)",
        full_name="Raden Mas Muhammad Abdurrahman Wahyu Hidayatullah Kusumanegara",
        documents=("Surat keterangan perkawinan dari pemuka agama", "Pas foto berwarna", "KTP-el",
                   "Kartu Keluarga (KK)", "Akta kematian", "Akta perceraian", "Izin komandan (TNI/Polri)"),
        next_steps=("Tidak ada yang perlu Anda lakukan. Petugas akan memeriksa permohonan pada jam pengajuan.",
                    "Petugas mulai memeriksa Senin, 7 Desember 2026 pukul 08.00 WIB.",
                    "Lacak status di https://loket.example.go.id/lacak dengan nomor permohonan dan PIN Anda."),
        verify_url=VERIFY_URL + "LmNoPq12", version=12)
    with app.test_request_context():
        reader = PdfReader(BytesIO(render_receipt(longest, "a6")))
    assert len(reader.pages) == 1
    assert "Izin komandan (TNI/Polri)" in pdf_text_of(reader)


def test_a_full_nik_cannot_reach_the_receipt():
    with pytest.raises(ValueError):
        replace(SAMPLE, masked_nik="3317014512900001")


def test_submitted_at_must_carry_a_time_zone():
    with pytest.raises(ValueError):
        replace(SAMPLE, submitted_at=datetime(2026, 12, 3, 9, 15))


def test_receipt_is_one_page_of_its_paper_with_a_title(receipt):
    one_page_of(receipt.body, receipt.size, title="Bukti Pengajuan RBG-7K3M-Q9PX")


def test_qr_code_is_large_enough_and_scans_from_the_printed_page(app, receipt, tmp_path):
    assert qr_side_mm(app, layout_receipt, SAMPLE, receipt.size) >= SMALLEST_QR_MM[receipt.size]
    assert scanned_qr(receipt.body, tmp_path) == [VERIFY_URL]


def test_receipt_in_english_keeps_the_data_and_translates_the_date(app):
    with app.test_request_context(headers={"Cookie": "bahasa=en"}):
        text = pdf_text(render_receipt(SAMPLE, "a6"))
    assert "RBG-7K3M-Q9PX" in text
    assert "Thursday, 3 December 2026 at 09:15 WIB" in text


def test_unknown_size_is_refused(app):
    with app.test_request_context(), pytest.raises(ValueError):
        render_receipt(SAMPLE, "letter")


def test_rendering_fetches_nothing_but_data_urls():
    fetcher = DataOnlyFetcher()
    for url in ("https://example.com/logo.png", "http://127.0.0.1/", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,halo").read() == b"halo"


def test_cache_renders_once_per_key(tmp_path):
    cache = ReceiptCache(LocalStorage(tmp_path))
    calls = []

    def render(body: bytes):
        def call() -> bytes:
            calls.append(body)
            return body
        return call

    assert cache.get_or_render("12-v1-a4-id", render(b"%PDF-1")) == b"%PDF-1"
    assert cache.get_or_render("12-v1-a4-id", render(b"%PDF-other")) == b"%PDF-1"
    assert len(calls) == 1
    assert cache.get_or_render("12-v2-a4-id", render(b"%PDF-2")) == b"%PDF-2"
    assert len(calls) == 2
    assert ReceiptCache(LocalStorage(tmp_path)).get_or_render("12-v2-a4-id", render(b"x")) == b"%PDF-2"
    assert len(calls) == 2
    assert not list((tmp_path / "receipts").glob(".*"))  # no temporary file left behind


@pytest.mark.parametrize("key", ["12/../../etc", "../12-v1", "12-v1.pdf", "", "12 v1", "12-v1-a4-id\n"])
def test_cache_refuses_keys_that_could_leave_its_folder(tmp_path, key):
    cache = ReceiptCache(LocalStorage(tmp_path))
    with pytest.raises(ValueError):
        cache.get_or_render(key, lambda: b"%PDF")
    with pytest.raises(ValueError):
        cache.drop(key)
    assert list(tmp_path.iterdir()) == []


def test_cache_drop_forgets_one_application(tmp_path):
    cache = ReceiptCache(LocalStorage(tmp_path))
    for key in ("12-v1-a4-id", "12-v2-a6-en", "123-v1-a4-id"):
        cache.get_or_render(key, lambda: b"%PDF")
    assert cache.drop("12-") == 2
    assert sorted(path.name for path in (tmp_path / "receipts").iterdir()) == ["123-v1-a4-id.pdf"]
    calls = []
    cache.get_or_render("12-v1-a4-id", lambda: calls.append(1) or b"%PDF")
    assert calls == [1]
