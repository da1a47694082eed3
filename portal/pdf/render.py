"""What every printed document shares: its template, its stylesheet, its fonts, its QR code, and laying it out.

Each document module (receipt, ticket, pickup receipt, handover slip, cover sheet, manifest, slip) renders
its own template with `pdf_template`, parses its print stylesheet once with `parsed_stylesheet`, and lays the
HTML out with `layout_html`, which loads nothing but `data:` URLs (a document embeds all it shows) and uses
this thread's font configuration. Rendering needs an app context (and a request context for `url_for` and
the language).
"""

from __future__ import annotations

import re
from datetime import datetime

import atexit
import os
import threading
from functools import lru_cache
from pathlib import Path

import segno
from flask import current_app
from jinja2 import ChoiceLoader, FileSystemLoader, Template
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

HERE = Path(__file__).resolve().parent
# Relative URLs would resolve here, but the fetcher refuses them anyway: a document embeds all it shows.
BASE_URL = str(HERE) + os.sep

_per_thread = threading.local()
_stylesheet_lock = threading.Lock()
_stylesheets: dict[str, CSS] = {}


class DataOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that loads `data:` URLs and refuses everything else (no file, no network)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url, headers=None):
        """Return the decoded `data:` URL; raises ValueError for any other URL."""
        if not url.lower().startswith("data:"):
            raise ValueError(f"receipts load nothing but data: URLs, not {url[:60]!r}")
        return super().fetch(url, headers)


def require_aware(value: datetime, name: str) -> None:
    """Check a document's instant: raises ValueError naming `name` when `value` carries no time zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


_FULL_NIK = re.compile(r"\d{16}")


def require_masked(*niks: str) -> None:
    """Check what a document prints of NIKs: raises ValueError when any of `niks` holds a full NIK (16 digits)
    instead of a masked one (331701******0001)."""
    if any(_FULL_NIK.search(nik) for nik in niks):
        raise ValueError("NIKs must be masked (331701******0001), not full")


def require_size(size: str, sizes, document: str) -> None:
    """Check a paper size: raises ValueError naming `document` when `size` is not one of `sizes`."""
    if size not in sizes:
        expected = ", ".join(repr(known) for known in sizes)
        raise ValueError(f"unknown {document} size: {size!r} (expected {expected})")


def paper_css(**papers: tuple[str, str, str, float]) -> str:
    """Return the start of a small document's stylesheet: a named page per paper, `name=(size, margin, font
    size, line height)`, which the root's class (`page_class`) picks, DejaVu Sans in black, no margins on the
    body, paragraphs and title, bold titles."""
    rules = [f"@page {name} {{ size: {size}; margin: {margin}; }}" for name, (size, margin, _, _) in papers.items()]
    rules.append('html { font-family: "DejaVu Sans", sans-serif; color: #000; }')
    rules.append("body, p, h1 { margin: 0; }")
    rules.append("h1, b { font-weight: bold; }")
    rules += [f"html.{name} {{ page: {name}; font-size: {font}; line-height: {line}; }}"
              for name, (_, _, font, line) in papers.items()]
    return "\n".join(rules) + "\n"


def font_config() -> FontConfiguration:
    """Return this thread's font configuration, made once: loading Fontconfig and the fonts per render
    costs more than the rest of a small page. Pango's font map is not thread-safe, hence one per thread."""
    config = getattr(_per_thread, "font_config", None)
    if config is None:
        config = _per_thread.font_config = FontConfiguration()
    return config


def pdf_template(name: str) -> Template:
    """Return the PDF template `name` ("pdf/manifest.html") from the overlay of the app's Jinja environment
    that every PDF shares: the same globals, filters and extensions (`_()`), the app's templates first, then
    this package's. Needs an app context."""
    overlay = current_app.extensions.get("loket_pdf_jinja")
    if overlay is None:
        env = current_app.jinja_env
        overlay = env.overlay(loader=ChoiceLoader([env.loader, FileSystemLoader(HERE / "templates")]))
        current_app.extensions["loket_pdf_jinja"] = overlay
    return overlay.get_template(name)


def parsed_stylesheet(text: str) -> CSS:
    """Return the print stylesheet `text` parsed once per process (parsing and compiling selectors costs ms)."""
    parsed = _stylesheets.get(text)
    if parsed is None:
        with _stylesheet_lock:
            parsed = _stylesheets.get(text)
            if parsed is None:
                parsed = _stylesheets[text] = CSS(string=text, url_fetcher=DataOnlyFetcher())
    return parsed


# Practice mode's mark on every document (the templates write it when `practice` is true): a framed line at
# the top, and "LATIHAN" across every page (a fixed element repeats on each page), so no practice receipt can
# pass for a real one.
PRACTICE_STYLESHEET = """\
.practice-mark { border: 1.5pt solid #000; text-align: center; font-weight: bold; font-size: 8pt;
  line-height: 1.2; letter-spacing: 0.04em; padding: 0.6mm 1mm; margin: 0 0 1.5mm; }
.practice-watermark { position: fixed; top: 40%; left: 0; right: 0; margin: 0; text-align: center;
  font-size: 30pt; font-weight: bold; letter-spacing: 0.1em; color: #000; opacity: 0.2;
  transform: rotate(-30deg); z-index: -1; }
html.t58 .practice-watermark { font-size: 22pt; }
html.a4 .practice-mark, html:not([class]) .practice-mark { font-size: 11pt; padding: 1mm; }
html.a4 .practice-watermark, html:not([class]) .practice-watermark { font-size: 90pt; }
"""


def layout_html(html: str, stylesheets: list[CSS], fetcher: URLFetcher | None = None) -> Document:
    """Return `html` laid out with `stylesheets` (and practice mode's marks, in practice mode) and this
    thread's fonts, loading nothing but `data:` URLs (through `fetcher` when given, a new DataOnlyFetcher
    otherwise). Needs an app context."""
    if current_app.config.get("PRACTICE"):
        stylesheets = [*stylesheets, parsed_stylesheet(PRACTICE_STYLESHEET)]
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher or DataOnlyFetcher())
    return document.render(stylesheets=stylesheets, font_config=font_config())


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

    For printed documents: WeasyPrint draws an SVG QR code path by path (about 5 ms for a verification URL)
    but embeds this PNG of a few hundred bytes as it is. The stylesheet scales it up with `image-rendering:
    pixelated`, so the PDF keeps the modules sharp instead of smoothing them.
    """
    return _qr(text).png_data_uri(border=0, scale=1)


def _qr(text: str) -> segno.QRCode:
    """Return `text` as a QR code of error level M, never a Micro QR (phones' readers skip those)."""
    return segno.make(text, error="m", micro=False, boost_error=False)


@atexit.register
def _release() -> None:
    """Drop the font configurations and parsed stylesheets before the interpreter tears down its modules:
    freed any later, Pango's objects can crash the process on exit."""
    _per_thread.__dict__.clear()
    _stylesheets.clear()
