"""The queue ticket (tiket antrean) as a PDF: one template printed on 58 mm or 80 mm thermal paper, or on A6.

A ticket carries what its holder needs at the office: the number (very large), the purpose, the day and the
window, the place in line when it was issued, its code (to view or cancel it online) and a QR code that
opens the ticket's verification URL. It never carries a NIK or a phone number: `TicketData` has no field
for either. Rendering needs an app and request context (for `render_template`, `_()` and the office's
time zone). As for receipts, nothing is fetched while rendering: only `data:` URLs load (the QR code is one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import render_template
from flask_babel import gettext as _
from weasyprint.document import Document

from ..services.calendar import office_zone
from ..templating import clock_time, long_date, short_date
from .render import (layout_html, paper_css, parsed_stylesheet, pdf_template, qr_png_data_uri,
                     require_aware, require_size)

TEMPLATE = "pdf/ticket.html"  # in HERE / "templates"; a file of that name in the app's templates wins
SIZES = ("58", "80", "a6")
CHANNELS = ("online", "walk_in")

# The ticket's print stylesheet, one for the three sizes: the root's class (t58, t80 or a6) picks the named
# page and the scale. Parsed once per process. Thermal paper prints black only (grey comes out dithered),
# so everything is #000; the fonts are DejaVu, which every thermal-printing PC here has. A roll has no fixed
# length, but WeasyPrint needs one: each thermal height fits the longest content (a two-line purpose, a long
# date) with a little to spare, and the printer cuts after it. The QR code keeps at least 25 mm, with its
# quiet zone as white padding.
STYLESHEET = paper_css(
    t58=("58mm 124mm", "3mm 3mm 2mm", "8pt", 1.25),
    t80=("80mm 134mm", "4mm 5mm 3mm", "9.5pt", 1.25),
    a6=("A6", "6mm 7mm 5mm", "10pt", 1.3),
) + """\
html { text-align: center; }
body, p, h1 { margin: 0; }
h1, b, .office, .number, .purpose, .code { font-weight: bold; }
.office { border-bottom: 0.75pt solid #000; }
h1 { letter-spacing: 0.08em; }
.number { line-height: 1; }
.code { font-family: "DejaVu Sans Mono", monospace; }
.moment { white-space: nowrap; }  /* the moment wraps as a whole, after "Diambil daring" */
.qr img { display: block; margin: 0 auto; image-rendering: pixelated; }  /* its padding is the QR code's quiet zone */
.note { border-top: 0.75pt solid #000; }

/* 58 mm: 52 mm to print on. */
.t58 .office { font-size: 8.5pt; padding-bottom: 1.2mm; }
.t58 h1 { font-size: 8pt; margin-top: 2mm; }
.t58 .number { font-size: 34pt; margin: 0.8mm 0 1.2mm; }
.t58 .purpose { font-size: 9pt; margin-bottom: 1mm; }
.t58 .when b { font-size: 10pt; }
.t58 .position { margin-top: 1mm; }
.t58 .issued { font-size: 7pt; }
.t58 .code { font-size: 10pt; margin-top: 1.5mm; }
.t58 .hint { font-size: 6.5pt; }
.t58 .qr img { width: 27mm; height: 27mm; padding: 2mm; }
.t58 .note { font-size: 7.5pt; padding-top: 1mm; }

/* 80 mm: 70 mm to print on. */
.t80 .office { font-size: 10pt; padding-bottom: 1.5mm; }
.t80 h1 { font-size: 9.5pt; margin-top: 2.5mm; }
.t80 .number { font-size: 44pt; margin: 1mm 0 1.5mm; }
.t80 .purpose { font-size: 11pt; margin-bottom: 1.2mm; }
.t80 .when b { font-size: 12pt; }
.t80 .position { margin-top: 1.2mm; }
.t80 .issued { font-size: 8pt; }
.t80 .code { font-size: 12pt; margin-top: 2mm; }
.t80 .hint { font-size: 7.5pt; }
.t80 .qr img { width: 30mm; height: 30mm; padding: 2.5mm; }
.t80 .note { font-size: 8.5pt; padding-top: 1.2mm; }

/* A6 portrait: 91 mm to print on. */
.a6 .office { font-size: 10.5pt; padding-bottom: 2mm; }
.a6 h1 { font-size: 10pt; margin-top: 3mm; }
.a6 .number { font-size: 62pt; margin: 1mm 0 2mm; }
.a6 .purpose { font-size: 12pt; margin-bottom: 1.5mm; }
.a6 .when b { font-size: 12.5pt; }
.a6 .position { margin-top: 1.5mm; }
.a6 .issued { font-size: 8.5pt; }
.a6 .code { font-size: 13pt; margin-top: 2.5mm; }
.a6 .hint { font-size: 8pt; }
.a6 .qr img { width: 36mm; height: 36mm; padding: 3mm; }
.a6 .note { font-size: 9pt; padding-top: 1.5mm; }
"""


@dataclass(frozen=True)
class TicketData:
    """What a printed queue ticket shows. There is deliberately no NIK or phone: neither is ever printed.

    `window_text` is the window as the office writes it ("09.00–10.00"), `zone` its zone label ("WIB"),
    `position` the ticket's place in line when it was issued, `channel` "online" or "walk_in".
    Raises ValueError when `issued_at` is naive, `channel` is unknown or `position` is below 1.
    """

    label: str
    purpose_label: str
    day: date
    window_text: str
    position: int
    channel: str
    code: str
    issued_at: datetime
    verify_url: str
    office_name: str
    office_short_name: str
    zone: str

    def __post_init__(self) -> None:
        require_aware(self.issued_at, "issued_at")
        if self.channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, not {self.channel!r}")
        if self.position < 1:
            raise ValueError("position starts at 1")


def render_ticket(data: TicketData, size: str) -> bytes:
    """Return the ticket as a one-page PDF of `size` ("58" or "80" mm roll, or "a6") in the current language.

    Needs an app and request context. Raises ValueError for any other size.
    """
    return layout_ticket(data, size).write_pdf()


def layout_ticket(data: TicketData, size: str) -> Document:
    """Return the ticket laid out on `size` paper, as a WeasyPrint document not yet written to PDF.

    Raises what `render_ticket` raises.
    """
    require_size(size, SIZES, "ticket")
    html = render_template(pdf_template(TEMPLATE), ticket=data, page_class="a6" if size == "a6" else f"t{size}",
                           day=long_date(data.day), issued_at=_issued(data.issued_at, data.zone),
                           qr_data_uri=qr_png_data_uri(data.verify_url))
    return layout_html(html, [parsed_stylesheet(STYLESHEET)])


def _issued(value: datetime, zone: str) -> str:
    """Return "3 Des 2026 pukul 08.15 WIB": when the ticket was issued, in the office's zone."""
    clock = f"{clock_time(value)} {zone}"
    return _("%(date)s pukul %(time)s", date=short_date(value.astimezone(office_zone()).date()), time=clock)
