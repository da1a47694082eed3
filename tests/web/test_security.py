"""Security from day one: headers, CSRF on every post, cookie flags, settings from the environment."""

import re
from pathlib import Path

import pytest

from portal import create_app
from portal.config import SETTINGS


@pytest.mark.parametrize("path", ["/", "/api/status", "/nope"])
def test_security_headers_on_every_response(client, catalogue, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_carry_no_inline_script_or_style(client, catalogue):
    html = client.get("/").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and " style=" not in html and " on" + "click=" not in html


@pytest.mark.fresh_app  # adds a route
def test_every_post_route_requires_a_csrf_token(app):
    """Walk the URL map: every route that accepts POST refuses a post without a token."""

    @app.post("/_probe")
    def probe():
        return "changed"

    client = app.test_client()
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods and not rule.arguments]
    assert any(rule.rule == "/_probe" for rule in posts)
    for rule in posts:
        response = client.post(rule.rule, data={"anything": "1"})
        assert response.status_code == 400, rule.rule
        assert "changed" not in response.get_data(as_text=True)
    htmx_post = client.post("/_probe", headers={"HX-Request": "true"})
    assert htmx_post.status_code == 400


def test_language_cookie_flags(client):
    cookie = client.get("/bahasa/en").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_defaults_are_strict(monkeypatch, tmp_path):
    monkeypatch.delenv("LOKET_SECURE_COOKIES", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_environment_overrides_settings_and_bad_values_name_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("LOKET_REGION_CODE", "33.18")
    monkeypatch.setenv("LOKET_CLOSING_SOON_MINUTES", "45")
    monkeypatch.setenv("LOKET_SECURE_COOKIES", "0")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.invalid/loket")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["REGION_CODE"] == "33.18"  # a string, not the number 33.18
    assert app.config["CLOSING_SOON_MINUTES"] == 45
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.invalid/loket"
    monkeypatch.setenv("LOKET_CLOSING_SOON_MINUTES", "soon")
    with pytest.raises(ValueError, match="LOKET_CLOSING_SOON_MINUTES"):
        create_app({"SECRET_KEY": "x"})


def test_secret_key_is_made_once_in_instance_and_never_in_the_repository(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    from flask import Flask

    from portal.config import load_config
    first, second = Flask("a", instance_path=str(tmp_path)), Flask("b", instance_path=str(tmp_path))
    load_config(first, None)
    load_config(second, None)
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_readme_documents_every_setting():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.env}`" in readme, setting.env


def test_hsts_over_https_and_proxies_trusted_only_when_configured(app, catalogue, monkeypatch, tmp_path):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert "max-age=31536000" in client.get("/", base_url="https://loket.example").headers["Strict-Transport-Security"]
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert "Strict-Transport-Security" not in client.get("/", headers=forwarded).headers  # not trusted by default
    monkeypatch.setenv("LOKET_PROXIES", "1")
    behind_proxy = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "x"})
    assert "Strict-Transport-Security" in behind_proxy.test_client().get("/api/status", headers=forwarded).headers


@pytest.mark.fresh_app  # adds a route
def test_response_headers_complete_what_a_view_sets(app):
    @app.get("/_strict")
    def strict():
        return "<p>x</p>", 200, {"Content-Security-Policy": "default-src 'none'", "Vary": "Cookie"}

    @app.get("/_json")
    def json_view():
        return {"x": 1}

    @app.get("/_hsts")
    def own_hsts():
        return "x", 200, {"Strict-Transport-Security": "max-age=60"}

    client = app.test_client()
    page = client.get("/_strict")
    assert page.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]  # the view's own, alone
    assert page.headers["X-Frame-Options"] == "DENY"
    vary = page.headers.getlist("Vary")  # one header, the view's value first, htmx's added once
    assert len(vary) == 1 and vary[0].startswith("Cookie, ") and vary[0].endswith(", HX-Request, HX-Target")
    assert "Strict-Transport-Security" not in page.headers
    assert client.get("/_strict", base_url="https://localhost").headers["Strict-Transport-Security"].startswith(
        "max-age=")
    assert client.get("/_hsts", base_url="https://localhost").headers.getlist("Strict-Transport-Security") == [
        "max-age=60"]
    api = client.get("/_json")
    assert "HX-Target" not in api.headers.get("Vary", "") and api.headers["X-Content-Type-Options"] == "nosniff"
