"""Flask-Limiter: a decorated view is limited even though the per-request hook is dropped."""

import pytest

from portal.extensions import limiter

pytestmark = pytest.mark.fresh_app  # each test adds a route


def _client_of_a_view_limited_to(app, limit: str):
    """Add `/_limited`, limited to `limit` per client, and return a test client."""
    @app.get("/_limited")
    @limiter.limit(limit)
    def limited():
        return "ok"

    return app.test_client()


def test_decorated_view_is_limited_with_a_clear_message(app):
    client = _client_of_a_view_limited_to(app, "2 per minute")
    assert [client.get("/_limited").status_code for _ in range(3)] == [200, 200, 429]
    response = client.get("/_limited")
    assert "Coba lagi dalam" in response.get_data(as_text=True) and "detik" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


def test_a_long_wait_is_said_in_minutes(app):
    client = _client_of_a_view_limited_to(app, "1 per hour")
    assert client.get("/_limited").status_code == 200
    text = client.get("/_limited").get_data(as_text=True)
    assert "Coba lagi dalam 60 menit." in text and "detik" not in text
