"""The resident's slip (slip warga): what a village operator hands over after filing an application for a
resident, printed on A6 or on an 80 mm thermal roll from one template.

It carries what the resident needs to follow the application from their own phone: the reference and the
PIN (the only place the PIN is ever printed), the tracking address and a QR code to it (with the reference
filled in, never the PIN), the service, the resident's name and masked NIK. Rendering needs an app and
request context (for `render_template`, `_()` and `url_for`). The shared Jinja overlay, parsed stylesheet,
layout (fonts, data-only fetcher) and QR encoder are the receipts' (`receipt.py`); a slip is never cached
on disk, because it holds a PIN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import gettext as _
from weasyprint.document import Document

from ..templating import long_date
from .render import (layout_html, paper_css, parsed_stylesheet, pdf_template, qr_png_data_uri, require_masked,
                     require_size)

TEMPLATE = "pdf/slip.html"  # in this package's templates; a file of that name in the app's templates wins
SIZES = ("a6", "80")

# One print stylesheet for both sizes: the root's class (a6 or t80) picks the named page and the scale.
# Black only (thermal paper dithers grey); DejaVu fonts. The roll needs a fixed page length: 80 x 175 mm
# holds the longest slip (a long service, name and desa) with a little to spare, and the printer cuts after
# it. The QR code keeps at least 25 mm, with its quiet zone as white padding. The PIN is the largest text.
STYLESHEET = paper_css(
    a6=("A6", "6mm 7mm 5mm", "8pt", 1.3),
    t80=("80mm 175mm", "4mm 5mm 3mm", "8.5pt", 1.28),
) + """\
.office { text-align: center; border-bottom: 0.75pt solid #000; padding-bottom: 1.2mm; }
.office b { font-size: 1.2em; }
h1 { text-align: center; letter-spacing: 0.06em; margin: 2mm 0 1.5mm; font-size: 1.15em; }
.k { display: block; font-size: 0.85em; }
.code { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; text-align: center; line-height: 1.15; }
.ref { font-size: 15pt; margin-bottom: 1.5mm; }
.pin { font-size: 22pt; letter-spacing: 0.12em; margin-bottom: 2mm; }
.codes .k { text-align: center; }
.row { margin-bottom: 0.8mm; }
.qr { text-align: center; margin-top: 2mm; }
.qr img { display: block; margin: 0 auto; image-rendering: pixelated; }  /* its padding is the QR code's quiet zone */
.url { font-family: "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
.note { border-top: 0.75pt solid #000; margin-top: 2mm; padding-top: 1.2mm; text-align: center; }
.a6 .qr img { width: 28mm; height: 28mm; padding: 2.5mm; }
.a6 .url { font-size: 6.5pt; }
.t80 .qr img { width: 30mm; height: 30mm; padding: 2.5mm; }
.t80 .url { font-size: 6.5pt; }
"""

_PIN = re.compile(r"\d{6}")


@dataclass(frozen=True)
class SlipData:
    """What a resident's slip shows. The caller masks the NIK; the full NIK never reaches this module.

    `track_url` is printed (the public `/lacak` address), `qr_url` is what the QR code opens (the
    application's `/verifikasi/<token>` page, as on every printed QR). Raises ValueError when `masked_nik` holds sixteen digits in a row, `pin`
    is not six digits, or the PIN appears in `qr_url`.
    """

    reference: str
    pin: str
    service_name: str
    full_name: str
    masked_nik: str
    track_url: str
    qr_url: str
    desa_name: str
    operator_name: str
    day: date
    office_name: str
    office_short_name: str

    def __post_init__(self) -> None:
        require_masked(self.masked_nik)
        if not _PIN.fullmatch(self.pin or ""):
            raise ValueError("a slip's PIN is six digits")
        if self.pin in self.qr_url:
            raise ValueError("the PIN must never be in the QR code")


def render_slip(data: SlipData, size: str) -> bytes:
    """Return the slip as a one-page PDF of `size` ("a6" or "80" mm roll) in the current language.

    Needs an app and request context. Raises ValueError for any other size.
    """
    return layout_slip(data, size).write_pdf()


def layout_slip(data: SlipData, size: str) -> Document:
    """Return the slip laid out on `size` paper, as a WeasyPrint document not yet written to PDF.

    Raises ValueError for an unknown size.
    """
    require_size(size, SIZES, "slip")
    html = render_template(pdf_template(TEMPLATE), slip=data, page_class="a6" if size == "a6" else f"t{size}",
                           day=long_date(data.day), qr=qr_png_data_uri(data.qr_url),
                           title=_("Slip Permohonan %(reference)s", reference=data.reference))
    return layout_html(html, [parsed_stylesheet(STYLESHEET)])
