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
from urllib.parse import urlsplit
from urllib.request import url2pathname

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
                           qr_data_uri=qr_png_data_uri(data.verify_url))
    font_config, stylesheet, fetcher = _renderer()
    document = HTML(string=html, base_url=_BASE_URL, url_fetcher=fetcher)
    return document.render(stylesheets=[stylesheet], font_config=font_config)


@lru_cache(maxsize=256)
def qr_data_uri(text: str) -> str:
    """Return an SVG data URI of `text` as a QR code (error level M) without quiet zone, scaled by CSS.

    For web pages and sheets printed now and then. The template leaves the quiet zone as white padding
    around the image. Kept for the last 256 texts: choosing the best mask is most of the encoding time, and
    an application's receipt is often rendered again with the same verification URL (the other size, the
    other language, a new version).
    """
    return _qr(text).svg_data_uri(border=0, omitsize=True, svgclass=None, lineclass=None)


@lru_cache(maxsize=256)
def qr_png_data_uri(text: str) -> str:
    """Return a PNG data URI of `text` as a QR code (error level M), one pixel per module, no quiet zone.

    For the receipt: WeasyPrint draws an SVG QR code path by path (about 5 ms for a verification URL) but
    embeds this PNG of a few hundred bytes as it is. The stylesheet scales it up with `image-rendering:
    pixelated`, so the PDF keeps the modules sharp instead of smoothing them.
    """
    return _qr(text).png_data_uri(border=0, scale=1)


def _qr(text: str) -> segno.QRCode:
    """Return `text` as a QR code of error level M, never a Micro QR (phones' readers skip those)."""
    return segno.make(text, error="m", micro=False, boost_error=False)


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
FONTS = HERE / "fonts"
_per_thread = threading.local()
_stylesheet_lock = threading.Lock()


class _FontFetcher(DataOnlyFetcher):
    """The fetcher of the receipt's own stylesheet: `data:` URLs and this package's font files, nothing else."""

    def __init__(self) -> None:
        URLFetcher.__init__(self, allowed_protocols=("data", "file"), allow_redirects=False)

    def fetch(self, url, headers=None):
        """Return the font file or `data:` URL; raises ValueError for any other URL."""
        if url.lower().startswith("file:") and Path(url2pathname(urlsplit(url).path)).resolve().parent == FONTS:
            return URLFetcher.fetch(self, url, headers)
        return super().fetch(url, headers)


def _renderer() -> tuple[FontConfiguration, CSS, DataOnlyFetcher]:
    """Return this thread's font configuration, the receipt's stylesheet parsed with it (its @font-face
    rules add the fonts to that configuration) and a URL fetcher, all made once per thread: parsing the
    stylesheet and building a fetcher on every render would cost a few milliseconds."""
    renderer = getattr(_per_thread, "receipt", None)
    if renderer is None:
        font_config = _font_config()
        stylesheet = CSS(string=STYLESHEET, base_url=_BASE_URL, url_fetcher=_FontFetcher(), font_config=font_config)
        renderer = _per_thread.receipt = (font_config, stylesheet, DataOnlyFetcher())
    return renderer


@atexit.register
def _release() -> None:
    """Drop the cached font configuration and stylesheet before the interpreter tears down its modules:
    freed any later, Pango's objects can crash the process on exit."""
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
