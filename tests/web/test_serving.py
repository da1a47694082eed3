"""Serving as an office would: `/healthz` for a load balancer, one log line per request with its id (shown
on error pages), a Redis outage answered with a calm 503 until it is back, and `flask doctor`."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from portal.extensions import limiter
from tests.conftest import _script
from tests.web.apply_helpers import csrf
from tests.web.staff_helpers import make_application


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_reports_each_check_without_a_cookie_or_a_cache(app, client):
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "storage", "rate_limits"}
    assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())
    assert body["checks"]["rate_limits"]["backend"] == "memory" and body["checks"]["storage"]["free_bytes"] > 0
    assert response.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in response.headers


def test_healthz_answers_503_naming_what_fails(app, client, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    app.config["STORAGE_URL"] = f"file://{blocker}"
    app.extensions.pop("loket.storage", None)
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "failing"
    assert body["checks"]["storage"]["ok"] is False and body["checks"]["database"]["ok"] is True
    assert str(tmp_path) not in response.get_data(as_text=True) or "error" in body["checks"]["storage"]


def test_every_request_is_logged_once_with_its_id(app, client, caplog):
    caplog.set_level(logging.INFO, logger="loket.requests")
    response = client.get("/jadwal")
    kept = client.get("/jadwal", headers={"X-Request-ID": "proxy-1234abcd"})
    forged = client.get("/jadwal", headers={"X-Request-ID": "x fake=line"})
    lines = [record.getMessage() for record in caplog.records if record.name == "loket.requests"]
    assert len(lines) == 3
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 12 and lines[0].startswith("GET /jadwal 200 ") and lines[0].endswith(f"id={request_id}")
    assert kept.headers["X-Request-ID"] == "proxy-1234abcd" and lines[1].endswith("id=proxy-1234abcd")
    assert forged.headers["X-Request-ID"] != "x fake=line" and "fake" not in lines[2]


@pytest.mark.fresh_app  # adds a route
def test_an_unexpected_error_shows_the_id_the_log_holds(app, client, caplog):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("a bug")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/_boom")
    html = response.get_data(as_text=True)
    request_id = response.headers["X-Request-ID"]
    assert response.status_code == 500 and f"Nomor kejadian: {request_id}" in html and "a bug" not in html
    assert any(f"id={request_id}" in record.getMessage() and record.exc_info for record in caplog.records)


def test_a_redis_outage_answers_503_and_the_app_recovers_when_it_is_back(app, client, regions, tmp_path):
    """The rate-limit store stops (a Redis restart): pages that count attempts answer a calm 503; when it is
    back on the same address, the same app serves again."""
    redis = _script("redis_server")
    url, process = redis.start(tmp_path / "redis")
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    app.config["RATELIMIT_STORAGE_URI"] = url
    limiter.init_app(app)  # the store is chosen when the app is set up
    reference, pin = make_application(app, "KK_BARU")
    token = csrf(client, "/lacak")
    assert client.post("/lacak", data={"csrf_token": token, "reference": reference, "pin": pin}).status_code == 303
    process.kill()
    process.wait()
    down = client.post("/lacak", data={"csrf_token": token, "reference": reference, "pin": pin})
    html = down.get_data(as_text=True)
    assert down.status_code == 503 and "Sistem sedang dipulihkan" in html and int(down.headers["Retry-After"]) > 0
    assert client.get("/healthz").get_json()["checks"]["rate_limits"]["ok"] is False
    restarted = redis.start_on(tmp_path / "redis-again", port)
    try:
        deadline = time.monotonic() + 10
        while True:
            again = client.post("/lacak", data={"csrf_token": token, "reference": reference, "pin": pin})
            if again.status_code == 303 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert again.status_code == 303
    finally:
        restarted.kill()
        restarted.wait()


def test_doctor_names_what_is_wrong_in_plain_words(app, runner, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    app.config.update(SECRET_KEY="k" * 64, SESSION_COOKIE_SECURE=False, PUBLIC_URL="http://loket.example.go.id",
                      RATELIMIT_STORAGE_URI="memory://")
    result = runner.invoke(args=["doctor", "--workers", "4"])
    assert result.exit_code == 1
    assert "FAIL  Cookies are sent over plain HTTP too (LOKET_SECURE_COOKIES=0)." in result.output
    assert "FAIL  LOKET_PUBLIC_URL (http://loket.example.go.id) is not an https:// address." in result.output
    assert "FAIL  4 workers are configured, but rate limits" in result.output
    assert "OK    Database reachable, schema up to date" in result.output
    assert "OK    Files are stored in folder " in result.output
    assert "3 problems" in result.output


def test_doctor_passes_a_sound_one_machine_setup(app, runner, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    app.config.update(SECRET_KEY="k" * 64, SESSION_COOKIE_SECURE=True, PUBLIC_URL="https://loket.example.go.id")
    result = runner.invoke(args=["doctor", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "0 problems" in result.output and "FAIL" not in result.output
    assert "WARN  No message sender is set" in result.output
    assert "Practice mode" not in result.output
