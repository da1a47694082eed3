"""Flask-Limiter: a decorated view is limited even though the per-request hook is dropped."""

from portal.extensions import limiter


def test_decorated_view_is_limited_with_a_clear_message(app):
    @app.get("/_limited")
    @limiter.limit("2 per minute")
    def limited():
        return "ok"

    client = app.test_client()
    assert [client.get("/_limited").status_code for _ in range(3)] == [200, 200, 429]
    response = client.get("/_limited")
    assert "Coba lagi dalam" in response.get_data(as_text=True) and "detik" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


def test_a_long_wait_is_said_in_minutes(app):
    @app.get("/_hourly")
    @limiter.limit("1 per hour")
    def hourly():
        return "ok"

    client = app.test_client()
    assert client.get("/_hourly").status_code == 200
    text = client.get("/_hourly").get_data(as_text=True)
    assert "Coba lagi dalam 60 menit." in text and "detik" not in text
