"""Helpers for walking the application form with the test client."""

from __future__ import annotations

import io
import re
from functools import lru_cache

from PIL import Image

GOOD_NIK = "3317014101900001"  # a woman born 1 January 1990 in Kecamatan Sumber, Rembang


def csrf(client, path: str) -> str:
    """Return the CSRF token of the form on `path`."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@lru_cache(maxsize=32)
def photo(width: int = 1200, height: int = 1600, color=(200, 200, 190)) -> bytes:
    """Return a JPEG that reads like a phone photo of a document (made once per size and colour: bytes do not
    change)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def post_step(client, service: str, slug: str, data: dict, files: dict | None = None, follow=False):
    """Post one step of the form with its CSRF token; return the response."""
    path = f"/ajukan/{service}/{slug}"
    payload = {"csrf_token": csrf(client, path), "next": "1", **data}
    if files:
        for name, (content, filename) in files.items():
            payload[name] = (io.BytesIO(content), filename)
        return client.post(path, data=payload, content_type="multipart/form-data", follow_redirects=follow)
    return client.post(path, data=payload, follow_redirects=follow)


def applicant_steps(client, service: str, desa: str = "33.17.01.2001", nik: str = GOOD_NIK) -> None:
    """Answer the five applicant pages (NIK, name, birth date, phone, address) correctly."""
    for slug, data in (
        ("nik", {"nik": nik}),
        ("nama", {"full_name": "Siti  Wulandari"}),
        ("tanggal-lahir", {"day": "1", "month": "1", "year": "1990"}),
        ("telepon", {"phone": "0812 3456 7890"}),
        ("alamat", {"desa": desa, "address_line": "Jl. Pemuda 12, RT 02/RW 03"}),
    ):
        response = post_step(client, service, slug, data)
        assert response.status_code == 303, (slug, response.get_data(as_text=True)[:3000])


def submit(client, service: str, duplicate_reason: str | None = None):
    """Tick the declaration and submit (with `duplicate_reason` for another application of a NIK that has an
    open one); return the response."""
    path = f"/ajukan/{service}/periksa"
    data = {"csrf_token": csrf(client, path), "declaration": "y", "submit": "1"}
    if duplicate_reason is not None:
        data["duplicate_reason"] = duplicate_reason
    return client.post(path, data=data)


def pin_on(html: str) -> str:
    """Return the 6-digit PIN shown on a confirmation or saved page."""
    return re.search(r'<strong class="reference">(\d{6})</strong>', html).group(1)


def reference_on(html: str) -> str:
    """Return the reference shown on a confirmation or saved page."""
    return re.search(r'<strong class="reference">([A-Z]{3}-[0-9A-Z]{4}-[0-9A-Z]{4})</strong>', html).group(1)


def fill_lost_ktp(client, nik: str = GOOD_NIK) -> None:
    """Answer every page of a KTP-el Hilang application for `nik` (applicant pages, police letter, both photos),
    up to the check page. Raises AssertionError when a step is refused."""
    applicant_steps(client, "ktp_hilang", nik=nik)
    post_step(client, "ktp_hilang", "tanya-police-report-number", {"answer": "LP/123/XI/2026"})
    post_step(client, "ktp_hilang", "tanya-police-report-date", {"day": "20", "month": "11", "year": "2026"})
    for slug in ("dokumen-surat-kehilangan", "dokumen-kk"):
        response = post_step(client, "ktp_hilang", slug, {}, files={"document": (photo(), "foto.jpg")})
        assert response.status_code == 303, (slug, response.get_data(as_text=True)[:2000])


def apply_lost_ktp(client, nik: str = GOOD_NIK, duplicate_reason: str | None = None) -> tuple[str, str]:
    """File a whole KTP-el Hilang application for `nik` (see `fill_lost_ktp`) and submit it (with
    `duplicate_reason` when that NIK has one open already).

    Returns (reference, PIN) as the confirmation page shows them. Raises AssertionError when a step is refused."""
    fill_lost_ktp(client, nik)
    assert submit(client, "ktp_hilang", duplicate_reason).status_code == 303
    done = client.get("/ajukan/ktp_hilang/selesai").get_data(as_text=True)
    return reference_on(done), pin_on(done)
