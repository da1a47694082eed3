"""The page cache: repeated requests are served from memory, and never serve stale or private content."""

import gzip
import re

import pytest

from portal.extensions import db
from tests.conftest import wib


def test_repeated_page_is_served_from_the_cache(app, client, catalogue):
    first = client.get("/layanan").get_data(as_text=True)
    with app.app_context():
        db.session.execute(db.text("UPDATE service SET name_id = 'Nama Baru' WHERE code = 'KTP_BARU'"))
        db.session.commit()
    # The database changed behind the portal's back (no revision bump): the cached page stands...
    assert client.get("/layanan").get_data(as_text=True) == first
    # ...until the minute changes, when the page is rendered again.
    app.config["CLOCK"].now = wib(2026, 12, 3, 9, 1)
    assert "Nama Baru" in client.get("/layanan").get_data(as_text=True)


def test_office_changes_show_at_once(client, catalogue, runner):
    assert "Server pusat" not in client.get("/").get_data(as_text=True)
    runner.invoke(args=["closure", "add", "2026-12-03", "--reason", "Server pusat gangguan"])
    assert "Server pusat gangguan" in client.get("/").get_data(as_text=True)


def test_each_language_has_its_own_page(client, catalogue):
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)
    client.set_cookie("bahasa", "en")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_cached_page_is_compressed_for_each_client(client, catalogue):
    client.get("/")
    assert client.get("/", headers={"Accept-Encoding": "br"}).headers["Content-Encoding"] == "br"
    assert client.get("/", headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and b"<html" in plain.data
    assert "Content-Security-Policy" in plain.headers


def test_errors_queries_and_htmx_requests_bypass_the_cache(app, client, catalogue):
    client.get("/layanan/nope")
    client.get("/layanan?x=1")
    client.get("/", headers={"HX-Request": "true", "HX-Target": "banner"})
    assert len(app.extensions.get("loket_pages", [])) == 0
    client.get("/")
    assert len(app.extensions["loket_pages"]) == 1


def test_a_page_with_named_query_arguments_is_cached_per_query_string_and_others_bypass():
    from portal.pagecache import _only

    steps = ("keperluan", "hari", "jam", "langkah")
    assert _only("keperluan=KTP&hari=2026-12-07", steps) and _only("keperluan=", steps)
    assert _only("hari=2026-12-07&keperluan=KTP", steps)  # another order is another page of its own, not refused
    assert not _only("keperluan=KTP&keperluan=KK", steps)  # given twice: which one the view reads is its business
    assert not _only("keperluan=KTP&x=1", steps) and not _only("%6Beperluan=KTP&keperluan=KK", steps)
    assert not _only("keperluan=KTP", ())  # a page that names no arguments is cached only without a query


def test_booking_steps_are_cached_per_query_string(app, client, catalogue):
    first = client.get("/antrean/ambil?keperluan=KTP")
    assert first.status_code == 200
    assert client.get("/antrean/ambil?keperluan=KTP").get_data() == first.get_data()
    other = client.get("/antrean/ambil?keperluan=KTP&keperluan=AKTA")  # not cached: rendered for what it says
    assert other.status_code == 200
    assert {key[1] for key in app.extensions["loket_pages"]._entries} == {"keperluan=KTP"}


def test_status_api_is_cached_per_second(client, catalogue, clock):
    first = client.get("/api/status").get_json()
    clock.now = wib(2026, 12, 3, 9, 0, 1)
    assert client.get("/api/status").get_json()["at"] != first["at"]


def test_cache_can_be_turned_off(app, client, catalogue):
    app.config["PAGE_CACHE_SIZE"] = 0
    client.get("/")
    assert "loket_pages" not in app.extensions


def test_form_page_is_cached_with_each_visitors_own_csrf_token(app, client, catalogue):
    import re
    first_client, second_client = app.test_client(), app.test_client()
    first = first_client.get("/lacak").get_data(as_text=True)
    second = second_client.get("/lacak").get_data(as_text=True)
    assert len(app.extensions["loket_pages"]) == 1
    token_a = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', first).group(1)
    token_b = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', second).group(1)
    assert token_a != token_b and "csrf-token" not in second
    # The token served from the cache is a working one: the post is accepted as far as CSRF goes.
    response = second_client.post("/lacak", data={"csrf_token": token_b, "reference": "RBG-0000-0000", "pin": "123456"})
    assert response.status_code == 422


@pytest.mark.fresh_app  # adds a route
def test_page_with_a_form_is_not_cached_unless_it_says_so(app, client, catalogue):
    from flask_wtf.csrf import generate_csrf

    @app.get("/_form")
    def form_page():
        return f"<form><input name=csrf_token value={generate_csrf()}></form>"

    from portal.pagecache import cached_page
    app.view_functions["form_page"] = cached_page()(app.view_functions["form_page"])
    client.get("/_form")
    assert len(app.extensions.get("loket_pages", [])) == 0


@pytest.mark.parametrize("parts", [[b"<p>no form</p>"], [b"<form>", b"</form>"], [b"", b"<a>", b""],
                                   [b"x" * 70000, b"y" * 3, b"z" * 40000]])
def test_spliced_gzip_is_the_gzip_of_the_page_with_the_token(parts):
    from portal.pagecache import CSRF_PLACEHOLDER, gzip_pieces, spliced_gzip

    plain = CSRF_PLACEHOLDER.join(parts)
    token = b"ImFiYzEyMyI.aJx1bQ.signature-of-the-token"
    assert gzip.decompress(spliced_gzip(gzip_pieces(parts), plain, token)) == plain.replace(CSRF_PLACEHOLDER, token)


def test_a_cached_form_page_is_gzipped_with_the_visitors_own_working_token(app, client, catalogue):
    client.get("/lacak")  # cached now
    visitor = app.test_client()
    response = visitor.get("/lacak", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.get_data()).decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = visitor.post("/lacak", data={"csrf_token": token, "reference": "RBG-0000-0000", "pin": "123456"})
    assert answer.status_code == 422  # past the CSRF check: only the reference and PIN are wrong


@pytest.mark.parametrize("header, expected", [
    ("gzip, br", (True, True)), ("br;q=1.0, gzip;q=0.8", (True, True)), ("gzip", (False, True)),
    ("br;q=0, gzip", (False, True)), ("gzip;q=0", (False, False)), ("identity", (False, False)), ("", (False, False)),
    ("*", (True, True)),
])
def test_accepted_encodings_follow_the_q_values(header, expected):
    from portal.pagecache import accepted_encodings

    assert accepted_encodings(header) == expected


def test_a_client_without_gzip_gets_the_cached_form_page_plain(client, catalogue):
    client.get("/lacak")
    refused = client.get("/lacak", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in refused.headers and b'name="csrf_token"' in refused.data
    assert refused.headers["Vary"].startswith("Accept-Encoding")
