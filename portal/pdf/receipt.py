"""The application receipt (bukti pengajuan): one template printed on A4 or A6, what an application's receipt
shows (`receipt_data`), and its PDF kept in the document cache (`cached_receipt`).

A receipt carries only what the resident needs to keep: the reference, the service, the masked NIK, the
documents the office received, what happens next, and a QR code that opens `/verifikasi/<token>`.
Rendering needs an app and request context (for `render_template`, `_()` and the office's time zone).
Nothing is fetched while rendering: only `data:` URLs load (the QR code is one).
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from weasyprint import CSS
from weasyprint.document import Document
from weasyprint.urls import URLFetcher

from .. import application_text
from ..domain import lifecycle
from ..domain.nik import mask
from ..services import calendar
from ..services.calendar import zone_label
from ..templating import clock_time, localized, long_date, public_url
from .cache import document_cache
from .render import (BASE_URL, HERE, DataOnlyFetcher, font_config, layout_html, pdf_template,
                     qr_png_data_uri, require_aware, require_masked, require_size)
TEMPLATE = "pdf/receipt.html"  # in HERE / "templates"; a file of that name in the app's templates wins
SIZES = ("a4", "a6")

# The receipt's print stylesheet, one for both sizes: the root's class (a4 or a6) picks the named page and
# the scale. It is parsed once per thread with that thread's font configuration (`_renderer`), not per
# render. Keep it plain, it is on every render's path (bench/receipt.py): WeasyPrint's cost grows with every
# element, every distinct font size and face, and every float, so the receipt is a few blocks whose lines are
# kept by `white-space: pre-line`, two font faces, and a QR code placed absolutely (it takes no part in the
# flow; the blocks beside it keep clear of it with a right margin). The fonts are DejaVu Sans cut down to
# Latin (fonts/, made by scripts/pdf_fonts.py): a small file is quicker to subset on every render, and any
# other character falls back to the full DejaVu Sans. The QR code is 36 mm on A4 and 28 mm on A6 (at least
# 30 and 25 mm scan well from paper), with a white quiet zone around it (its padding).
STYLESHEET = """\
@font-face { font-family: "Loket Sans"; src: url(fonts/DejaVuSans-Latin.ttf); }
@font-face { font-family: "Loket Sans"; font-weight: bold; src: url(fonts/DejaVuSans-Bold-Latin.ttf); }
@page a4 { size: A4; margin: 16mm 18mm; }
@page a6 { size: A6; margin: 6mm 6mm 5mm; }
html { font-family: "Loket Sans", "DejaVu Sans", sans-serif; color: #000; }
html.a4 { page: a4; font-size: 10.5pt; line-height: 1.4; }
html.a6 { page: a6; font-size: 7.5pt; line-height: 1.28; }
body, p, h1, h2 { margin: 0; font-size: 1em; }
h1, h2, b { font-weight: bold; }
.office, .ref, .rows, .list, .note { white-space: pre-line; }
.ref b { white-space: nowrap; }  /* a reference is read whole */
.qr { position: absolute; right: 0; image-rendering: pixelated; }
.office { border-bottom: 1pt solid #000; }
.note { border-top: 0.75pt solid #000; }

/* A4: room to read. */
.a4 .office { padding-bottom: 3mm; }
.a4 h1 { font-size: 16pt; margin: 6mm 0 3mm; }
.a4 .qr { top: 15mm; width: 36mm; height: 36mm; padding: 4mm; }  /* the padding is the quiet zone */
.a4 h1, .a4 .ref, .a4 .rows { margin-right: 46mm; }
.a4 .ref { margin-bottom: 3mm; }
.a4 .ref b { font-size: 16pt; }
.a4 h2 { margin: 6mm 0 1mm; }
.a4 .note { margin-top: 8mm; padding-top: 3mm; }

/* A6: the same, tighter. */
.a6 .office { padding-bottom: 1.2mm; font-size: 6.5pt; }
.a6 h1 { font-size: 10pt; margin: 2mm 0 1mm; }
.a6 .qr { top: 6.5mm; width: 28mm; height: 28mm; padding: 3mm; }
.a6 h1, .a6 .ref, .a6 .rows { margin-right: 34mm; }
.a6 .ref { margin-bottom: 1.5mm; }
.a6 .ref b { font-size: 10pt; }
.a6 h2 { margin: 1.8mm 0 0.4mm; }
.a6 .note { margin-top: 2mm; padding-top: 1mm; }
"""



@dataclass(frozen=True)
class ReceiptData:
    """What an application receipt shows. The caller masks the NIK; the full NIK never reaches this module.

    Raises ValueError when `submitted_at` is naive or `masked_nik` holds sixteen digits in a row.
    """

    reference: str
    service_name: str
    masked_nik: str
    full_name: str
    documents: tuple[str, ...]
    submitted_at: datetime
    status_label: str
    next_steps: tuple[str, ...]
    verify_url: str
    office_name: str
    office_address: str
    version: int  # of the application: names the cached file, never printed (it reads as a revision count)

    def __post_init__(self) -> None:
        require_aware(self.submitted_at, "submitted_at")
        require_masked(self.masked_nik)


def render_receipt(data: ReceiptData, size: str) -> bytes:
    """Return the receipt as a one-page PDF of `size` ("a4" or "a6") in the current language.

    Needs an app and request context. Raises ValueError for any other size.
    """
    return layout_receipt(data, size).write_pdf()


def layout_receipt(data: ReceiptData, size: str) -> Document:
    """Return the receipt laid out on `size` paper, as a WeasyPrint document not yet written to PDF.

    Raises what `render_receipt` raises.
    """
    require_size(size, SIZES, "receipt")
    html = render_template(pdf_template(TEMPLATE), receipt=data, size=size, submitted_at=_moment(data.submitted_at),
                           qr_data_uri=qr_png_data_uri(data.verify_url))
    stylesheet, fetcher = _renderer()
    return layout_html(html, [stylesheet], fetcher)


def _moment(value: datetime) -> str:
    """Return "Kamis, 3 Desember 2026 pukul 09.15 WIB": the date and time in the office's zone."""
    clock = f"{clock_time(value)} {zone_label()}"
    return _("%(date)s pukul %(time)s", date=long_date(value), time=clock)


FONTS = HERE / "fonts"
_per_thread = threading.local()


class _FontFetcher(DataOnlyFetcher):
    """The fetcher of the receipt's own stylesheet: `data:` URLs and this package's font files, nothing else."""

    def __init__(self) -> None:
        URLFetcher.__init__(self, allowed_protocols=("data", "file"), allow_redirects=False)

    def fetch(self, url, headers=None):
        """Return the font file or `data:` URL; raises ValueError for any other URL."""
        if url.lower().startswith("file:") and Path(url2pathname(urlsplit(url).path)).resolve().parent == FONTS:
            return URLFetcher.fetch(self, url, headers)
        return super().fetch(url, headers)


def _renderer() -> tuple[CSS, DataOnlyFetcher]:
    """Return the receipt's stylesheet parsed with this thread's font configuration (its @font-face rules add
    the fonts to that configuration) and a URL fetcher, both made once per thread: parsing the stylesheet and
    building a fetcher on every render would cost a few milliseconds."""
    renderer = getattr(_per_thread, "receipt", None)
    if renderer is None:
        stylesheet = CSS(string=STYLESHEET, base_url=BASE_URL, url_fetcher=_FontFetcher(), font_config=font_config())
        renderer = _per_thread.receipt = (stylesheet, DataOnlyFetcher())
    return renderer


@atexit.register
def _release() -> None:
    """Drop the parsed stylesheet before the interpreter tears down its modules: freed any later, Pango's
    objects can crash the process on exit."""
    _per_thread.__dict__.clear()


# From an application to its receipt: what it shows, its cache key, and the cached PDF.


def receipt_key(application, size: str) -> str:
    """Return the cache key (and ETag) of a receipt: it changes with the application's version and language."""
    return f"{application.id}-v{application.version}-{size}-{get_locale()}"


def cached_receipt(application, size: str = "a4") -> bytes:
    """Return the receipt PDF of `application`, rendering it only if this version was never rendered.

    Called right after submission too, so the resident's first download is already a cache hit.
    """
    return document_cache().get_or_render(receipt_key(application, size),
                                          lambda: render_receipt(receipt_data(application), size))


def receipt_data(application) -> ReceiptData:
    """Return what the receipt of `application` shows (the NIK masked before it leaves this function)."""
    names = application_text.document_names(application)
    first_look = calendar.status().submission
    steps = [application_text.next_step(application.state, application.service.visit_required)]
    if application.state == lifecycle.SUBMITTED and not first_look.open and first_look.next_open:
        steps.append(_("Petugas mulai memeriksa %(date)s pukul %(time)s %(zone)s.",
                       date=long_date(first_look.next_open), time=clock_time(first_look.next_open),
                       zone=calendar.zone_label()))
    steps.append(_("Lacak status di %(url)s dengan nomor permohonan dan PIN Anda.",
                   url=public_url(url_for("track.form"))))
    return ReceiptData(
        reference=application.reference, service_name=localized(application.service, "name"),
        masked_nik=mask(application.nik or ""), full_name=application.full_name or "",
        documents=tuple(names.get(d.code, d.code) for d in application.documents),
        submitted_at=application.submitted_at or application.created_at,
        status_label=application_text.state_label(application.state), next_steps=tuple(steps),
        verify_url=public_url(url_for("verify.page", token=application.verification_token)),
        office_name=current_app.config["OFFICE_NAME"], office_address=current_app.config["OFFICE_ADDRESS"],
        version=application.version,
    )
