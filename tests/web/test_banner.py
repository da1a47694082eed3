"""The open/closed banner: its words at each kind of instant, and its htmx refresh."""

import pytest

from tests.conftest import wib


NBSP = "\u00a0"


def banner_html(client) -> str:
    html = client.get("/").get_data(as_text=True)
    start = html.index('id="banner"')
    return html[start:html.index("</div>", start)]


def banner_text(client) -> str:
    """Return the banner's HTML with its no-break spaces read as spaces."""
    return banner_html(client).replace(NBSP, " ")


@pytest.mark.parametrize("moment, expected", [
    (wib(2026, 12, 3, 9, 0), ["Kantor buka", "Pengajuan buka sampai 12.00 WIB", "Pengambilan buka sampai 14.00 WIB"]),
    (wib(2026, 12, 3, 11, 35), ["Segera tutup", "Pengajuan tutup 25 menit lagi (12.00 WIB)",
                                "Pengambilan buka sampai 14.00 WIB"]),
    (wib(2026, 12, 3, 12, 30), ["Pengajuan tutup. Buka lagi besok, Jumat, 4 Desember 2026 pukul 08.00 WIB",
                                "Pengambilan buka sampai 14.00 WIB"]),
    (wib(2026, 12, 3, 7, 0), ["Belum buka", "Buka lagi hari ini pukul 08.00 WIB"]),
    (wib(2026, 12, 4, 10, 0), ["Kantor sedang tutup", "Buka lagi Senin, 7 Desember 2026 pukul 08.00 WIB"]),
    (wib(2026, 12, 5, 9, 0), ["Kantor sedang tutup", "Buka lagi Senin, 7 Desember 2026 pukul 08.00 WIB"]),
    (wib(2026, 12, 25, 9, 0), ["Tutup — Hari Raya Natal", "Buka lagi Senin, 28 Desember 2026 pukul 08.00 WIB"]),
    (wib(2027, 3, 10, 9, 0), ["Tutup — Hari Raya Idul Fitri", "Buka lagi Selasa, 16 Maret 2027 pukul 08.00 WIB"]),
])
def test_banner_words(client, catalogue, clock, moment, expected):
    clock.now = moment
    text = banner_text(client)
    for line in expected:
        assert line in text


def test_a_time_and_its_zone_stay_on_one_line(client, catalogue, clock):
    clock.now = wib(2026, 12, 3, 11, 35)
    html = banner_html(client)
    assert f"sampai 14.00{NBSP}WIB" in html and f"(12.00{NBSP}WIB)" in html
    clock.now = wib(2026, 12, 3, 12, 30)
    assert f"pukul 08.00{NBSP}WIB" in banner_html(client)


def test_banner_tones(client, catalogue, clock):
    clock.now = wib(2026, 12, 3, 9, 0)
    assert "banner-open" in banner_text(client)
    clock.now = wib(2026, 12, 3, 11, 50)
    assert "banner-soon" in banner_text(client)
    clock.now = wib(2026, 12, 5, 9, 0)
    assert "banner-closed" in banner_text(client)


def test_closing_soon_threshold_is_configurable(app, client, catalogue, clock):
    app.config["CLOSING_SOON_MINUTES"] = 60
    clock.now = wib(2026, 12, 3, 11, 5)
    assert "Pengajuan tutup 55 menit lagi" in banner_text(client)


def test_banner_shows_global_notices_and_office_closures(client, catalogue, runner, clock):
    runner.invoke(args=["notice", "add", "Blangko KTP-el sedang habis", "--until", "2026-12-10"])
    runner.invoke(args=["closure", "add", "2026-12-03", "--reason", "Server pusat sedang gangguan"])
    text = banner_text(client)
    assert "Blangko KTP-el sedang habis" in text
    assert "Tutup — Server pusat sedang gangguan" in text
    assert "Buka lagi besok, Jumat, 4 Desember 2026 pukul 08.00 WIB" in text
    clock.now = wib(2026, 12, 11, 9, 0)
    assert "Blangko KTP-el" not in banner_text(client)


def test_banner_in_english(client, catalogue, clock):
    client.set_cookie("bahasa", "en")
    clock.now = wib(2026, 12, 25, 9, 0)
    text = banner_text(client)
    assert "Closed — Christmas Day" in text
    assert "Monday, December 28, 2026 at 08:00 WIB" in text or "Monday, 28 December 2026 at 08:00 WIB" in text


def test_htmx_banner_refresh_returns_the_fragment_only(client, catalogue):
    response = client.get("/jadwal", headers={"HX-Request": "true", "HX-Target": "banner"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="banner"') and "<html" not in html and "<main" not in html
    assert "HX-Target" in response.headers["Vary"] and response.headers["Cache-Control"] == "no-store"


def test_boosted_and_other_htmx_requests_get_the_whole_page(client, catalogue):
    boosted = client.get("/", headers={"HX-Request": "true", "HX-Boosted": "true", "HX-Target": "banner"})
    assert "<html" in boosted.get_data(as_text=True)
    other = client.get("/", headers={"HX-Request": "true", "HX-Target": "main"})
    assert "<html" in other.get_data(as_text=True)


def test_banner_asks_for_itself_every_minute(client, catalogue):
    html = client.get("/layanan").get_data(as_text=True)
    assert 'data-hx-get="/layanan"' in html and 'data-hx-trigger="every 60s"' in html
