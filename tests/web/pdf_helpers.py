"""Reading a rendered PDF as a person would: its words, and what a phone's camera reads from its QR codes."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import cached_property
import subprocess
from io import BytesIO

import pytest
from pypdf import PdfReader


def pdf_text(body: bytes) -> str:
    """Return the text of every page of a PDF, with runs of white space made single spaces."""
    return pdf_text_of(PdfReader(BytesIO(body)))


def pdf_text_of(reader: PdfReader) -> str:
    """Return the text of every page `reader` holds, with runs of white space made single spaces."""
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def missing(text: str, expected) -> list[str]:
    """Return the strings of `expected` that `text` does not contain, in their order (empty when all are there)."""
    return [phrase for phrase in expected if phrase not in text]


def scanned_qr(body: bytes, tmp_path) -> list[str]:
    """Return what zbarimg reads from each page of `body` printed at 200 dpi."""
    for tool in ("pdftoppm", "zbarimg"):
        assert shutil.which(tool), f"{tool} is missing: apt-get install poppler-utils zbar-tools"
    (tmp_path / "document.pdf").write_bytes(body)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "document.pdf", "page"], cwd=tmp_path, check=True, timeout=60)
    codes = []
    for page in sorted(tmp_path.glob("page*.png")):
        scanned = subprocess.run(["zbarimg", "--raw", "-q", page.name], cwd=tmp_path, capture_output=True,
                                 text=True, timeout=60)
        codes.append(scanned.stdout.strip())
    return codes


# PDF points (1/72 in) of the papers Loket prints on. A roll's strip is as long as its content: no height.
PAPER = {"a4": (595.28, 841.89), "a6": (297.64, 419.53), "58": (164.41, None), "80": (226.77, None)}


def one_page_of(body: bytes, paper: str | tuple[float, float | None], title: str | None = None) -> PdfReader:
    """Return the reader of `body` after checking it is one page of `paper` (a name in PAPER, or a width and
    height in points, height None for a roll, which must then be longer than wide) titled `title` if given."""
    width, height = PAPER[paper] if isinstance(paper, str) else paper
    reader = PdfReader(BytesIO(body))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(width, abs=1)
    if height is None:
        assert float(box.height) > float(box.width)
    else:
        assert float(box.height) == pytest.approx(height, abs=1)
    if title is not None:
        assert reader.metadata.title == title
    return reader


# The smallest QR side (mm) that still scans well from paper: larger on A4, which is read from further away.
SMALLEST_QR_MM = {"a4": 30, "a6": 25, "58": 25, "80": 25}


@dataclass(frozen=True)
class Printed:
    """A document rendered on one paper size: the size's name, the PDF, and (read once) its text."""
    size: str
    body: bytes

    @cached_property
    def text(self) -> str:
        return pdf_text(self.body)


def printed_on(render, sample, sizes):
    """Return a fixture giving `render(sample, size)` as Printed for each of `sizes` in turn (one test each),
    rendered in a request, in Indonesian (the default)."""
    @pytest.fixture(params=sizes)
    def printed(request, app) -> Printed:
        with app.test_request_context():
            return Printed(request.param, render(sample, request.param))

    return printed


def qr_side_mm(app, layout, sample, size) -> float:
    """Return the shorter side, in mm, of the one image (the QR code) on the first page of `layout(sample, size)`,
    a WeasyPrint document laid out in a request. Raises AssertionError when that page has no image or several."""
    from weasyprint.formatting_structure.boxes import ReplacedBox

    def descendants(box):
        yield getattr(box, "_box", box)  # an absolutely positioned box sits in the tree behind a placeholder
        for child in getattr(box, "children", ()):
            yield from descendants(child)

    with app.test_request_context():
        page = layout(sample, size).pages[0]
    sides = [min(box.width, box.height) * 25.4 / 96  # CSS px
             for box in descendants(page._page_box) if isinstance(box, ReplacedBox)]
    assert len(sides) == 1, sides
    return sides[0]
