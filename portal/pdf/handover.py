"""The handover slip (bukti penyerahan): one template printed on an 80 mm thermal roll or on A6.

A slip records that a ready document left the office: which application (reference, service), what was
handed over (the document's name, e.g. "KTP-el"), to whom (the applicant, a person they authorised with
the relation and a masked NIK, or the village operator), when, by which clerk, with room for both to sign,
and a QR code that opens the application's `/verifikasi/<token>` (which then reads "collected").
Rendering needs an app and request context (for `render_template`, `_()` and the office's time zone).
As for receipts, nothing is fetched while rendering: only `data:` URLs load (the QR code is one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from flask_babel import gettext as _
from weasyprint.document import Document

from ..services.calendar import office_zone
from ..templating import clock_time, long_date
from .render import (layout_html, paper_css, parsed_stylesheet, pdf_template, qr_png_data_uri,
                     require_aware, require_masked, require_size)

TEMPLATE = "pdf/handover.html"  # in HERE / "templates"; a file of that name in the app's templates wins
SIZES = ("80", "a6")
COLLECTORS = ("applicant", "authorised", "operator")

# The slip's print stylesheet, one for both sizes: the root's class (t80 or a6) picks the named page and
# the scale. Parsed once per process. Thermal paper prints black only, so everything is #000; fonts are
# DejaVu. The roll's length must be fixed for WeasyPrint: 80 x 170 mm holds the longest slip (an authorised
# collector, two-line names and service) with a little to spare, and the printer cuts after it. The QR
# code keeps at least 25 mm, with its quiet zone as white padding.
STYLESHEET = paper_css(
    t80=("80mm 170mm", "4mm 5mm 3mm", "8.5pt", 1.28),
    a6=("A6", "6mm 7mm 5mm", "7.5pt", 1.25),
) + """\
.office { text-align: center; border-bottom: 0.75pt solid #000; }
h1 { text-align: center; letter-spacing: 0.08em; }
.ref { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; text-align: center; }
.k { display: block; font-size: 0.85em; }
.row { break-inside: avoid; }
.sign { text-align: center; }
.sign p { display: inline-block; width: 49%; vertical-align: top; }
.sign .space { display: block; }
.details { display: flow-root; }  /* holds the QR code's float */
.qr { float: right; text-align: center; }
.qr img { display: block; margin: 0 auto; image-rendering: pixelated; }  /* its padding is the QR code's quiet zone */
.url { font-family: "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
.note { border-top: 0.75pt solid #000; text-align: center; }

/* 80 mm: 70 mm to print on. */
.t80 .office { font-size: 9pt; padding-bottom: 1.5mm; }
.t80 h1 { font-size: 11pt; margin: 2.5mm 0 1mm; }
.t80 .ref { font-size: 13pt; margin-bottom: 2mm; }
.t80 .row { margin-bottom: 1.4mm; }
.t80 .sign { margin-top: 2mm; }
.t80 .sign .space { height: 13mm; }
.t80 .qr { width: 31mm; margin-left: 2mm; font-size: 7pt; line-height: 1.2; }
.t80 .qr img { width: 26mm; height: 26mm; padding: 2.5mm; margin-top: -2.5mm; }
.t80 .url { font-size: 5pt; }
.t80 .note { font-size: 7.5pt; margin-top: 1.5mm; padding-top: 1.2mm; }

/* A6 portrait: 91 mm to print on. */
.a6 .office { font-size: 7.5pt; padding-bottom: 1.2mm; }
.a6 h1 { font-size: 10pt; margin: 2mm 0 0.6mm; }
.a6 .ref { font-size: 12pt; margin-bottom: 1.5mm; }
.a6 .qr { width: 33mm; margin-left: 2mm; font-size: 6.5pt; line-height: 1.2; }
.a6 .qr img { width: 27mm; height: 27mm; padding: 3mm; margin-top: -3mm; }
.a6 .url { font-size: 5pt; }
.a6 .row { margin-bottom: 1mm; }
.a6 .sign { margin-top: 1mm; }
.a6 .sign .space { height: 10mm; }
.a6 .note { font-size: 6.5pt; margin-top: 1mm; padding-top: 1mm; }
"""



@dataclass(frozen=True)
class HandoverSlipData:
    """What a handover slip shows. The caller masks both NIKs; a full NIK never reaches this module.

    `collector` is "applicant", "authorised" (then `relation` and `collector_masked_nik` say who they are to
    the applicant) or "operator" (the village operator); `document_name` is what was handed over ("KTP-el").
    Raises ValueError when `handed_at` is naive, `collector` is unknown, an authorised collector has no
    relation, or either NIK field holds sixteen digits in a row.
    """

    reference: str
    service_name: str
    document_name: str
    applicant_name: str
    applicant_masked_nik: str
    collector: str
    collector_name: str
    relation: str
    collector_masked_nik: str
    handed_at: datetime
    clerk_name: str
    verify_url: str
    office_name: str
    office_address: str
    zone: str

    def __post_init__(self) -> None:
        require_aware(self.handed_at, "handed_at")
        if self.collector not in COLLECTORS:
            raise ValueError(f"collector must be one of {COLLECTORS}, not {self.collector!r}")
        if self.collector == "authorised" and not self.relation.strip():
            raise ValueError("an authorised collector needs a relation")
        require_masked(self.applicant_masked_nik, self.collector_masked_nik)


def render_handover_slip(data: HandoverSlipData, size: str) -> bytes:
    """Return the slip as a one-page PDF of `size` ("80" mm roll or "a6") in the current language.

    Needs an app and request context. Raises ValueError for any other size.
    """
    return layout_handover_slip(data, size).write_pdf()


def layout_handover_slip(data: HandoverSlipData, size: str) -> Document:
    """Return the slip laid out on `size` paper, as a WeasyPrint document not yet written to PDF.

    Raises what `render_handover_slip` raises.
    """
    require_size(size, SIZES, "handover slip")
    html = render_template(pdf_template(TEMPLATE), slip=data, page_class="a6" if size == "a6" else f"t{size}",
                           handed_at=_moment(data.handed_at, data.zone), qr_data_uri=qr_png_data_uri(data.verify_url))
    return layout_html(html, [parsed_stylesheet(STYLESHEET)])


def _moment(value: datetime, zone: str) -> str:
    """Return "Kamis, 3 Desember 2026 pukul 09.15 WIB": when the document was handed over, in the office's zone."""
    local = value.astimezone(office_zone())
    return _("%(date)s pukul %(time)s", date=long_date(local), time=f"{clock_time(local)} {zone}")
