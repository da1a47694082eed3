"""The application receipt (bukti pengajuan): one template printed on A4 or A6, and a file cache of the PDFs.

A receipt carries only what the resident needs to keep: the reference, the service, the masked NIK, the
documents the office received, what happens next, and a QR code that opens `/verifikasi/<token>`.
Rendering needs an app and request context (for `render_template`, `_()` and the office's time zone).
Nothing is fetched while rendering: only `data:` URLs load (the QR code is one).
"""

from __future__ import annotations

import atexit
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Callable

import segno
from flask import current_app, render_template
from flask_babel import gettext as _
from jinja2 import ChoiceLoader, FileSystemLoader, Template
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from ..services.calendar import zone_label
from ..templating import clock_time, long_date

HERE = Path(__file__).resolve().parent
TEMPLATE = "pdf/receipt.html"  # in HERE / "templates"; a file of that name in the app's templates wins
SIZES = ("a4", "a6")

# The receipt's print stylesheet, one for both sizes: the root's class (a4 or a6) picks the named page and
# the scale. It is parsed once per process (`_stylesheet`), not per render. Keep it plain, it is on every
# render's path: system fonts only (DejaVu); no flex, tables or list markers; one float, kept in its own
# block formatting context (see bench/receipt.py). The QR code is 36 mm on A4 and 28 mm on A6 (at least
# 30 and 25 mm scan well from paper); its white padding is its quiet zone.
STYLESHEET = """\
@page a4 { size: A4; margin: 16mm 18mm; }
@page a6 { size: A6; margin: 6mm 6mm 5mm; }
html { font-family: "DejaVu Sans", sans-serif; color: #000; }
html.a4 { page: a4; font-size: 10.5pt; line-height: 1.4; }
html.a6 { page: a6; font-size: 7.5pt; line-height: 1.28; }
body, p, h1, h2 { margin: 0; }
h1, h2, b { font-weight: bold; }
.k, .url, .version { color: #333; }
.ref, .url { font-family: "DejaVu Sans Mono", monospace; }
.top { display: flow-root; }  /* holds the QR code's float, so lines below it do not wrap around it */
.qr { float: right; text-align: center; }
.qr img { display: block; margin: 0 auto; }  /* its padding is the QR code's quiet zone */
.url { overflow-wrap: anywhere; }
.row .k { display: inline-block; text-indent: 0; }
.item { padding-left: 0.91em; text-indent: -0.91em; }  /* hangs after "• " */
.step { padding-left: 1.27em; text-indent: -1.27em; }  /* hangs after "1. " */
.office { border-bottom: 1pt solid #000; }
.note { border-top: 0.75pt solid #000; }

/* A4: room to read. */
.a4 .office { padding-bottom: 3mm; font-size: 9.5pt; }
.a4 .office b { font-size: 12pt; }
.a4 h1 { font-size: 17pt; margin: 7mm 0 4mm; }
.a4 .qr { width: 52mm; margin-left: 4mm; font-size: 9pt; line-height: 1.3; }
.a4 .qr img { width: 36mm; height: 36mm; padding: 4mm; }
.a4 .url { font-size: 7.5pt; }
.a4 .ref { font-size: 24pt; line-height: 1.2; margin-bottom: 5mm; }
.a4 .row { padding-left: 38mm; text-indent: -38mm; margin-bottom: 1.5mm; }
.a4 .row .k { width: 38mm; }
.a4 h2 { font-size: 11.5pt; margin: 6mm 0 1.5mm; }
.a4 .item, .a4 .step { margin-bottom: 1mm; }
.a4 .note { font-size: 9.5pt; margin-top: 10mm; padding-top: 3mm; }
.a4 .version { font-size: 8pt; }

/* A6: the same, tighter. */
.a6 .office { padding-bottom: 1.2mm; font-size: 6.5pt; }
.a6 .office b { font-size: 7.5pt; }
.a6 h1 { font-size: 10pt; margin: 2mm 0 1mm; }
.a6 .qr { width: 36mm; margin-left: 1mm; font-size: 6.5pt; line-height: 1.2; }
.a6 .qr img { width: 28mm; height: 28mm; padding: 3mm; margin-top: -3mm; }
.a6 .url { font-size: 5.5pt; }
.a6 .ref { font-size: 14pt; line-height: 1.15; margin-bottom: 1.8mm; }
.a6 .row { padding-left: 19mm; text-indent: -19mm; margin-bottom: 0.8mm; }
.a6 .row .k { width: 19mm; font-size: 6.5pt; }
.a6 h2 { font-size: 7.5pt; margin: 1.8mm 0 0.4mm; }
.a6 .note { font-size: 6.5pt; margin-top: 2mm; padding-top: 1mm; }
.a6 .version { font-size: 5.5pt; }
"""

_KEY = re.compile(r"[A-Za-z0-9_-]+")
_FULL_NIK = re.compile(r"\d{16}")


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
    version: int

    def __post_init__(self) -> None:
        if self.submitted_at.tzinfo is None or self.submitted_at.utcoffset() is None:
            raise ValueError("submitted_at must be an aware datetime")
        if _FULL_NIK.search(self.masked_nik):
            raise ValueError("masked_nik must be masked (331701******0001), not a full NIK")


def render_receipt(data: ReceiptData, size: str) -> bytes:
    """Return the receipt as a one-page PDF of `size` ("a4" or "a6") in the current language.

    Needs an app and request context. Raises ValueError for any other size.
    """
    return layout_receipt(data, size).write_pdf()


def layout_receipt(data: ReceiptData, size: str) -> Document:
    """Return the receipt laid out on `size` paper, as a WeasyPrint document not yet written to PDF.

    Raises what `render_receipt` raises.
    """
    if size not in SIZES:
        raise ValueError(f"unknown receipt size: {size!r} (expected 'a4' or 'a6')")
    html = render_template(_template(), receipt=data, size=size, submitted_at=_moment(data.submitted_at),
                           qr_data_uri=qr_data_uri(data.verify_url))
    document = HTML(string=html, base_url=_BASE_URL, url_fetcher=DataOnlyFetcher())
    return document.render(stylesheets=[_stylesheet()], font_config=_font_config())


@lru_cache(maxsize=256)
def qr_data_uri(text: str) -> str:
    """Return an SVG data URI of `text` as a QR code (error level M) without quiet zone, scaled by CSS.

    The template leaves the quiet zone as white padding around the image. Kept for the last 256 texts:
    choosing the best mask is most of the encoding time, and an application's receipt is often rendered
    again with the same verification URL (the other size, the other language, a new version).
    """
    code = segno.make(text, error="m", micro=False, boost_error=False)
    return code.svg_data_uri(border=0, omitsize=True, svgclass=None, lineclass=None)


class DataOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that loads `data:` URLs and refuses everything else (no file, no network)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url, headers=None):
        """Return the decoded `data:` URL; raises ValueError for any other URL."""
        if not url.lower().startswith("data:"):
            raise ValueError(f"receipts load nothing but data: URLs, not {url[:60]!r}")
        return super().fetch(url, headers)


class ReceiptCache:
    """Rendered receipts kept as files under `root`, one per key, so an unchanged receipt is rendered once.

    A key names everything the PDF depends on, e.g. f"{application_id}-v{version}-{size}-{lang}": a new
    version gets a new key, and `drop(f"{application_id}-")` forgets an application's receipts.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def get_or_render(self, key: str, render: Callable[[], bytes]) -> bytes:
        """Return the cached bytes of `key`, or call `render`, store what it returns (atomically) and return it.

        Raises ValueError when `key` holds anything but letters, digits, "_" and "-".
        """
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        body = render()
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(body)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return body

    def drop(self, prefix: str) -> int:
        """Remove every cached receipt whose key starts with `prefix`; return how many were removed.

        Raises ValueError when `prefix` is empty or holds anything but letters, digits, "_" and "-".
        """
        _check_key(prefix)
        removed = 0
        for path in self.root.glob(f"{prefix}*.pdf"):
            path.unlink(missing_ok=True)
            removed += 1
        for leftover in self.root.glob(f".{prefix}*.tmp"):  # from a process killed mid-write
            leftover.unlink(missing_ok=True)
        return removed

    def _path(self, key: str) -> Path:
        _check_key(key)
        return self.root / f"{key}.pdf"


def _check_key(key: str) -> None:
    """Raise ValueError unless `key` is one or more of [A-Za-z0-9_-] (so it cannot leave the cache folder)."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError(f"a receipt cache key may hold only letters, digits, '_' and '-': {key!r}")


def _moment(value: datetime) -> str:
    """Return "Kamis, 3 Desember 2026 pukul 09.15 WIB": the date and time in the office's zone."""
    clock = f"{clock_time(value)} {zone_label()}"
    return _("%(date)s pukul %(time)s", date=long_date(value), time=clock)


def _template() -> Template:
    """Return the receipt template from an overlay of the app's Jinja environment: the same globals,
    filters and extensions (`_()`), plus this package's templates folder."""
    overlay = current_app.extensions.get("loket_pdf_jinja")
    if overlay is None:
        env = current_app.jinja_env
        overlay = env.overlay(loader=ChoiceLoader([env.loader, FileSystemLoader(HERE / "templates")]))
        current_app.extensions["loket_pdf_jinja"] = overlay
    return overlay.get_template(TEMPLATE)


# Relative URLs would resolve here, but the fetcher refuses them anyway: a receipt embeds all it shows.
_BASE_URL = str(HERE) + os.sep
_per_thread = threading.local()
_stylesheet_lock = threading.Lock()
_parsed_stylesheet: CSS | None = None


def _stylesheet() -> CSS:
    """Return STYLESHEET parsed once per process (parsing and compiling its selectors costs a few ms)."""
    global _parsed_stylesheet
    if _parsed_stylesheet is None:
        with _stylesheet_lock:
            if _parsed_stylesheet is None:
                _parsed_stylesheet = CSS(string=STYLESHEET, url_fetcher=DataOnlyFetcher())
    return _parsed_stylesheet


@atexit.register
def _release() -> None:
    """Drop the cached font configuration and stylesheet before the interpreter tears down its modules:
    freed any later, Pango's objects can crash the process on exit."""
    global _parsed_stylesheet
    _parsed_stylesheet = None
    _per_thread.__dict__.clear()


def _font_config() -> FontConfiguration:
    """Return this thread's font configuration, made once: loading Fontconfig and the fonts per render
    costs more than the rest of a small page. Pango's font map is not thread-safe, hence one per thread."""
    font_config = getattr(_per_thread, "font_config", None)
    if font_config is None:
        font_config = _per_thread.font_config = FontConfiguration()
    return font_config


# Shared by every PDF module (receipt, pickup, handover, batch cover sheet, manifest): the templates overlay
# and a parsed stylesheet per text, so a new document needs neither copied again.

_shared_stylesheets: dict[str, CSS] = {}


def pdf_template(name: str) -> Template:
    """Return the PDF template `name` ("pdf/manifest.html") from the overlay of the app's Jinja environment
    that every PDF shares (the app's templates first, then this package's). Needs an app context."""
    overlay = current_app.extensions.get("loket_pdf_jinja")
    if overlay is None:
        env = current_app.jinja_env
        overlay = env.overlay(loader=ChoiceLoader([env.loader, FileSystemLoader(HERE / "templates")]))
        current_app.extensions["loket_pdf_jinja"] = overlay
    return overlay.get_template(name)


def parsed_stylesheet(text: str) -> CSS:
    """Return the print stylesheet `text` parsed once per process (parsing and compiling selectors costs ms)."""
    parsed = _shared_stylesheets.get(text)
    if parsed is None:
        with _stylesheet_lock:
            parsed = _shared_stylesheets.get(text)
            if parsed is None:
                parsed = _shared_stylesheets[text] = CSS(string=text, url_fetcher=DataOnlyFetcher())
    return parsed


def layout_html(html: str, stylesheets: list[CSS]) -> Document:
    """Return `html` laid out with `stylesheets`, loading nothing but `data:` URLs, with this thread's fonts."""
    document = HTML(string=html, base_url=_BASE_URL, url_fetcher=DataOnlyFetcher())
    return document.render(stylesheets=stylesheets, font_config=_font_config())


@atexit.register
def _release_shared() -> None:
    """Drop the shared parsed stylesheets before the interpreter tears down its modules (see `_release`)."""
    _shared_stylesheets.clear()
