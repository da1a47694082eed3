"""The queue ticket PDF: one template on 58 mm and 80 mm thermal rolls and A6 — what it says (and never
says), its paper, one page, and a QR code that scans from the printed page."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timezone
from io import BytesIO

import pytest
from pypdf import PdfReader

from portal.pdf.ticket import TicketData, layout_ticket, render_ticket
from tests.web.pdf_helpers import SMALLEST_QR_MM, one_page_of, pdf_text, printed_on, qr_side_mm, scanned_qr

VERIFY_URL = "https://loket.example.go.id/antrean/verifikasi/q7Xk3m9Q2pL7vR4tY8wZ1aBc"
SIZES = ("58", "80", "a6")

SAMPLE = TicketData(
    label="A-007",
    purpose_label="Pengajuan KTP-el",
    day=date(2026, 12, 3),
    window_text="09.00–10.00",
    position=7,
    channel="online",
    code="ANT-7K3M-Q9PX",
    issued_at=datetime(2026, 12, 1, 1, 15, tzinfo=timezone.utc),  # Tuesday 08.15 WIB
    verify_url=VERIFY_URL,
    office_name="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Rembang",
    office_short_name="Dindukcapil Rembang",
    zone="WIB",
)

# PDF points (1/72 in) of the paper: 58 x 124 mm and 80 x 134 mm rolls, A6 portrait.
PAPER = {"58": (164.41, 351.50), "80": (226.77, 379.84), "a6": (297.64, 419.53)}


# The sample ticket on each paper in turn.
ticket = printed_on(render_ticket, SAMPLE, SIZES)


def test_ticket_says_what_its_holder_needs(ticket):
    text = ticket.text
    for expected in ("Dindukcapil Rembang", "NOMOR ANTREAN", "A-007", "Pengajuan KTP-el", "Kamis, 3 Desember 2026",
                     "09.00–10.00 WIB", "Urutan saat diambil: 7", "Diambil daring",
                     "1 Des 2026 pukul 08.15 WIB", "ANT-7K3M-Q9PX",
                     "Kode untuk melihat atau membatalkan tiket",
                     "Datang pada jam di atas. Tunjukkan tiket ini di loket."):
        assert expected in text, f"{expected!r} missing from the {ticket.size} ticket"


def test_ticket_never_shows_a_nik(ticket):
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(ticket.body)).pages)
    assert not re.search(r"\d{16}", text)
    assert not re.search(r"\d{16}", re.sub(r"\s+", "", text))
    assert "NIK" not in text


def test_ticket_is_one_page_of_its_paper_with_a_title(ticket):
    one_page_of(ticket.body, PAPER[ticket.size], title="Tiket Antrean A-007")


@pytest.mark.parametrize("size", SIZES)
def test_longest_ticket_still_fits_one_page(app, size):
    longest = replace(SAMPLE, label="P-1280", position=1280, channel="walk_in", day=date(2026, 9, 30),
                      purpose_label="Pengambilan dokumen (KTP-el, KK, akta kelahiran dan surat pindah)",
                      verify_url=VERIFY_URL + "dEfGhIjKlMnO")
    with app.test_request_context(headers={"Cookie": "bahasa=en"}):
        reader = PdfReader(BytesIO(render_ticket(longest, size)))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "P-1280" in text
    assert "ANT-7K3M-Q9PX" in text


def test_qr_code_is_large_enough_and_scans_from_the_printed_page(app, ticket, tmp_path):
    assert qr_side_mm(app, layout_ticket, SAMPLE, ticket.size) >= SMALLEST_QR_MM[ticket.size]
    assert scanned_qr(ticket.body, tmp_path) == [VERIFY_URL]


def test_walk_in_ticket_says_where_it_was_taken(app):
    with app.test_request_context():
        text = pdf_text(render_ticket(replace(SAMPLE, channel="walk_in"), "80"))
    assert "Diambil di anjungan" in text


def test_ticket_in_english_translates_the_date(app):
    with app.test_request_context(headers={"Cookie": "bahasa=en"}):
        text = pdf_text(render_ticket(SAMPLE, "58"))
    assert "A-007" in text
    assert "Thursday, 3 December 2026" in text


@pytest.mark.parametrize("size", ["a4", "57", "80mm", "", "A6"])
def test_unknown_size_is_refused(app, size):
    with app.test_request_context(), pytest.raises(ValueError):
        render_ticket(SAMPLE, size)


def test_issued_at_must_carry_a_time_zone():
    with pytest.raises(ValueError):
        replace(SAMPLE, issued_at=datetime(2026, 12, 1, 8, 15))


@pytest.mark.parametrize("changes", [{"channel": "phone"}, {"position": 0}])
def test_unknown_channel_or_position_is_refused(changes):
    with pytest.raises(ValueError):
        replace(SAMPLE, **changes)
