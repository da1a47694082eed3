"""The page cache: repeated requests are served from memory, and never serve stale or private content."""

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


def test_status_api_is_cached_per_second(client, catalogue, clock):
    first = client.get("/api/status").get_json()
    clock.now = wib(2026, 12, 3, 9, 0, 1)
    assert client.get("/api/status").get_json()["at"] != first["at"]


def test_cache_can_be_turned_off(app, client, catalogue):
    app.config["PAGE_CACHE_SIZE"] = 0
    client.get("/")
    assert "loket_pages" not in app.extensions
