"""Every public page: status codes, content, language, static files, error pages."""

import re

import pytest

from tests.conftest import wib

PAGES = ["/", "/layanan", "/layanan/ktp_baru", "/jadwal", "/ajukan", "/ajukan/kk_baru", "/antrean", "/lacak"]


@pytest.mark.parametrize("path", PAGES)
def test_public_page_renders_with_banner(client, catalogue, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="banner"' in html
    assert "Kantor buka" in html  # the default test clock is Thursday 09:00 WIB
    assert response.headers["Content-Type"].startswith("text/html")


def test_home_has_the_three_actions_and_the_services(client, catalogue):
    html = client.get("/").get_data(as_text=True)
    for action in ("Ajukan permohonan", "Ambil nomor antrean", "Lacak permohonan"):
        assert action in html
    assert 'href="/layanan/ktp_baru"' in html
    assert html.count('href="/layanan/') == 15


def test_catalogue_lists_every_service_by_group(client, catalogue):
    html = client.get("/layanan").get_data(as_text=True)
    for heading in ("KTP elektronik", "Kartu Keluarga", "Akta pencatatan sipil"):
        assert heading in html
    assert html.count('href="/layanan/') == 15


def test_service_page_shows_requirements_documents_and_places(client, catalogue):
    html = client.get("/layanan/ktp_hilang").get_data(as_text=True)
    assert "KTP-el Hilang" in html
    assert "Surat keterangan kehilangan" in html or "kehilangan" in html.lower()
    assert "Gratis" in html
    assert "Kantor Kecamatan Lasem" in html  # KTP-el is printed at five kecamatan offices
    assert 'href="/ajukan/ktp_hilang"' in html


def test_service_code_is_case_insensitive_and_unknown_is_404(client, catalogue):
    assert client.get("/layanan/KTP_BARU").status_code == 200
    response = client.get("/layanan/tidak_ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)
    assert client.get("/ajukan/tidak_ada").status_code == 404


def test_service_notice_shows_on_its_page_only(client, catalogue, runner):
    result = runner.invoke(args=["notice", "add", "Blangko KTP-el sedang habis, diberikan Suket",
                                 "--service", "KTP_BARU", "--until", "2026-12-31"])
    assert result.exit_code == 0, result.output
    assert "Blangko KTP-el sedang habis" in client.get("/layanan/ktp_baru").get_data(as_text=True)
    assert "Blangko KTP-el sedang habis" not in client.get("/layanan/kk_baru").get_data(as_text=True)


def test_schedule_shows_this_week_and_the_closures_ahead(client, catalogue, clock):
    clock.now = wib(2026, 12, 3, 9, 0)
    html = client.get("/jadwal").get_data(as_text=True)
    assert "Minggu ini" in html
    assert "Senin<br><span class=\"date\">30 Nov 2026" in html and "Minggu<br><span class=\"date\">6 Des 2026" in html
    hours = re.sub(r"<[^>]+>", "", html)  # a window's end is in its own span, to go under its start on a phone
    assert "08.00–12.00" in hours and "08.00–14.00" in hours and "08.00–10.00" in hours
    assert 'aria-current="date"' in html
    assert "Jumat, 25 Desember 2026" in html and "Hari Raya Natal" in html
    assert "Cuti Bersama Hari Raya Natal" in html
    assert "Tahun Baru Masehi" in html  # 1 January 2027 is within 60 days


def test_schedule_on_a_weekend_shows_the_coming_week(client, catalogue, clock):
    clock.now = wib(2026, 12, 5, 9, 0)
    html = client.get("/jadwal").get_data(as_text=True)
    assert "Minggu depan" in html and "7 Des 2026" in html and "30 Nov 2026" not in html


def test_schedule_after_the_weeks_last_window_shows_the_coming_week(client, catalogue, clock):
    clock.now = wib(2026, 12, 4, 9, 30)  # Friday, still open until 10:00
    assert "Minggu ini" in client.get("/jadwal").get_data(as_text=True)
    clock.now = wib(2026, 12, 4, 10, 30)  # closed until Monday
    html = client.get("/jadwal").get_data(as_text=True)
    assert "Minggu depan" in html and "7 Des 2026" in html and "30 Nov 2026" not in html


def test_schedule_shows_office_closure_reason(client, catalogue, runner, clock):
    runner.invoke(args=["closure", "add", "2026-12-02", "--reason", "Pemadaman listrik"])
    html = client.get("/jadwal").get_data(as_text=True)
    assert "Pemadaman listrik" in html


def test_language_switch_is_remembered_and_safe(client, catalogue):
    response = client.get("/bahasa/en?next=/layanan")
    assert response.status_code == 303 and response.headers["Location"] == "/layanan"
    assert "bahasa=en" in response.headers["Set-Cookie"]
    html = client.get("/layanan").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Services" in html and "The office is open" in html
    # An off-site `next` is ignored (no open redirect); an unknown language is 404.
    assert client.get("/bahasa/id?next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/bahasa/id?next=//evil.example/").headers["Location"] == "/"
    for unsafe in ("/jadwal%0Aenv", "/jadwal%0D%0ASet-Cookie:%20x=1", "/%5Cevil.example/", "/jadwal%00"):
        response = client.get(f"/bahasa/id?next={unsafe}")
        assert response.status_code == 303 and response.headers["Location"] == "/", unsafe
    assert client.get("/bahasa/fr").status_code == 404
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


def test_english_service_page_uses_english_catalogue(client, catalogue):
    client.set_cookie("bahasa", "en")
    html = client.get("/layanan/ktp_baru").get_data(as_text=True)
    assert "Free" in html and "Who can apply" in html


def test_static_files_have_hashed_names_long_cache_and_compression(client, catalogue):
    html = client.get("/").get_data(as_text=True)
    import re
    css = re.search(r'href="(/static/css/site\.[0-9a-f]{10}\.css)"', html).group(1)
    script = re.search(r'src="(/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]{10}\.js)" defer', html).group(1)
    for url in (css, script):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
        etag = response.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/static/css/site.css").status_code == 404  # only hashed names are served
    assert client.get(css, headers={"Accept-Encoding": "br"}).headers["Content-Encoding"] == "br"


def test_pages_are_compressed(client, catalogue):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"
    assert "HX-Request" in response.headers["Vary"]
    # Not from the page cache (htmx gets its own answer): compressed by Flask-Compress as it is made.
    for encoding in ("br", "gzip"):
        made = client.get("/", headers={"Accept-Encoding": encoding, "HX-Request": "true"})
        assert made.headers.get("Content-Encoding") == encoding and "Accept-Encoding" in made.headers["Vary"]
    assert "Content-Encoding" not in client.get("/", headers={"HX-Request": "true"}).headers


def test_favicon_redirects_to_hashed_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].startswith("/static/favicon.")
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.fresh_app  # adds a route
def test_unexpected_error_gives_the_500_page_without_details(app, client):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("secret detail")

    response = client.get("/_boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Terjadi gangguan" in html and "secret detail" not in html


def test_method_not_allowed_is_a_styled_page(client):
    response = client.post("/jadwal")
    assert response.status_code in (400, 405)  # CSRF runs first on posts without a token
    assert "<html" in response.get_data(as_text=True)
