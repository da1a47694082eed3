"""Reading a rendered PDF as a person would: its words, and what a phone's camera reads from its QR codes."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO

from pypdf import PdfReader


def pdf_text(body: bytes) -> str:
    """Return the text of every page of a PDF, with runs of white space made single spaces."""
    return pdf_text_of(PdfReader(BytesIO(body)))


def pdf_text_of(reader: PdfReader) -> str:
    """Return the text of every page `reader` holds, with runs of white space made single spaces."""
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


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
