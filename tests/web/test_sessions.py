"""The session cookie and the CSRF token keep Flask's and Flask-WTF's formats and checks, only signed more cheaply."""

import base64
import hashlib
import os
import time
from datetime import datetime, timedelta, timezone
from uuid import UUID

import pytest
from flask import Response, g, request, session
from flask.json.tag import JSONTag, TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface, session_json_serializer
from markupsafe import Markup
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError

from portal.sessions import ReusedSignerSerializer, _CompactJSON, _SessionJSON, csrf_token

NOW = 1_796_000_000  # a fixed instant (2026-11-30), so that two signatures of the same value are comparable


@pytest.fixture
def frozen(monkeypatch):
    """Return a settable clock that itsdangerous and the memos of portal.sessions both read."""

    class Clock:
        now = float(NOW)

    clock = Clock()
    monkeypatch.setattr(time, "time", lambda: clock.now)
    return clock


def test_session_round_trip_and_tampering(app):
    @app.get("/_set")
    def set_value():
        session["x"] = 1
        return "ok"

    @app.get("/_get")
    def get_value():
        return str(session.get("x"))

    client = app.test_client()
    client.get("/_set")
    assert client.get("/_get").get_data(as_text=True) == "1"
    cookie = client.get_cookie("session")
    assert "HttpOnly" in client.get("/_set").headers["Set-Cookie"]
    tampered = app.test_client()
    tampered.set_cookie("session", cookie.value[:-2] + "xx")
    assert tampered.get("/_get").get_data(as_text=True) == "None"
    assert app.session_interface.get_signing_serializer(app) is app.session_interface.get_signing_serializer(app)


def test_reused_signer_signs_like_itsdangerous(frozen):
    ours = ReusedSignerSerializer(["old key", "key"], salt="s")
    theirs = URLSafeTimedSerializer(["old key", "key"], salt="s")
    raw_token = hashlib.sha1(b"visitor").hexdigest()  # as random as Flask-WTF's raw tokens
    long_values = {"text": "ulang " * 100}, {"id": raw_token * 8}  # one compresses, one does not
    for value in (raw_token, {"csrf_token": raw_token, "n": 3}, *long_values):
        assert ours.dumps(value) == theirs.dumps(value)  # byte for byte
        assert ours.loads(theirs.dumps(value), max_age=60) == value
    short_and_repetitive = {"x": "a" * 40}
    assert ours.dumps(short_and_repetitive) != theirs.dumps(short_and_repetitive)  # left uncompressed...
    assert theirs.loads(ours.dumps(short_and_repetitive)) == short_and_repetitive  # ...and read all the same
    assert ours.loads(URLSafeTimedSerializer("old key", salt="s").dumps("x")) == "x"  # fallback keys still check
    with pytest.raises(BadSignature):
        ours.loads(URLSafeTimedSerializer("other key", salt="s").dumps("x"))
    with pytest.raises(BadSignature):
        ours.loads(theirs.dumps("x"), salt="another salt")
    signed = ours.dumps("x")
    frozen.now += 61
    with pytest.raises(SignatureExpired):
        ours.loads(signed, max_age=60)


SESSIONS = [
    {"csrf_token": "0f" * 20, "n": 3, "f": 1.5, "yes": True, "none": None, "z": "last"},
    {"nama": "Siti Ä ✓", "a": "first"},  # non-ASCII, and keys out of order
    {" t": "looks like a tag"},  # Flask wraps a one-key dict whose key is a tag
    {"html": Markup("<b>x</b>")},  # a str subclass: Flask tags it
    {"when": datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc), "raw": b"x", "pair": (1, 2), "list": [1, {"a": 2}],
     "id": UUID(int=7)},
    {},
]


@pytest.mark.parametrize("sort_keys", [True, False])
def test_session_json_writes_what_flask_writes(app, sort_keys):
    app.json.sort_keys = sort_keys  # Loket sets False (for /api/status); Flask's default is True
    ours = _SessionJSON(session_json_serializer, app.json)
    assert ours.shortcut is not None
    with app.app_context():
        for value in SESSIONS:
            written = ours.dumps(value)
            assert written == session_json_serializer.dumps(value)
            assert ours.loads(written) == session_json_serializer.loads(written)


def test_session_json_shortcut_only_with_flasks_own_tags(app):
    class TagAnything(JSONTag):
        key = " any"

        def check(self, value):
            return isinstance(value, str)

        def to_json(self, value):
            return value.upper()

        def to_python(self, value):
            return value.lower()

    tagged = TaggedJSONSerializer()
    tagged.register(TagAnything, index=0)
    ours = _SessionJSON(tagged, app.json)
    assert ours.shortcut is None
    with app.app_context():
        assert ours.dumps({"a": "x"}) == tagged.dumps({"a": "x"}) == '{"a":{" any":"X"}}'


def test_compact_json_is_itsdangerous_json():
    for value in ("0f" * 20, "ünï ✓", {"b": [1, 2.5, None], "a": True}):
        assert _CompactJSON.dumps(value) == URLSafeTimedSerializer.default_serializer.dumps(value)
        assert _CompactJSON.loads(_CompactJSON.dumps(value)) == value
    assert _CompactJSON.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a":2,"b":1}'


def test_csrf_token_is_flask_wtfs_token_for_the_session(app, frozen):
    with app.test_request_context("/lacak"):
        ours = csrf_token()
        raw = session["csrf_token"]
        assert csrf_token() is ours  # kept for the rest of the request, as Flask-WTF does
        del g.csrf_token
        assert generate_csrf() == ours  # Flask-WTF signs the same raw token into the same string
        validate_csrf(ours)
        assert session["csrf_token"] == raw
    with app.test_request_context("/lacak"):
        session["csrf_token"] = "f" * 40  # another visitor's session
        with pytest.raises(ValidationError):
            validate_csrf(ours)


def test_csrf_token_signed_again_each_second(app, frozen):
    with app.test_request_context("/lacak"):
        session["csrf_token"] = "a" * 40
        first = csrf_token()
    with app.test_request_context("/lacak"):
        session["csrf_token"] = "a" * 40
        assert csrf_token() == first  # the same second: the remembered signature
        frozen.now += 1
        del g.csrf_token
        later = csrf_token()
        assert later != first
        validate_csrf(first)
        validate_csrf(later)


def _session_headers(app, interface, prepare, data=None):
    """Return the Set-Cookie and Vary headers `interface` gives a response for a session that held `data`
    (default {"kept": "1"}) once `prepare(session)` ran."""
    with app.test_request_context("/"):
        current = interface.session_class(data or {"kept": "1"})
        prepare(current)
        response = Response("x")
        response.headers["Vary"] = "Accept-Encoding"
        interface.save_session(app, current, response)
        return response.headers.getlist("Set-Cookie"), response.headers.get("Vary")


@pytest.mark.parametrize("prepare", [
    pytest.param(lambda s: None, id="untouched"),
    pytest.param(lambda s: s.get("kept"), id="read"),
    pytest.param(lambda s: s.update(x="2"), id="changed"),
    pytest.param(lambda s: s.update(x="ä \"; ,"), id="changed-odd-characters"),
    pytest.param(lambda s: s.clear(), id="emptied"),
    pytest.param(lambda s: setattr(s, "permanent", True), id="permanent"),
])
@pytest.mark.parametrize("settings", [
    pytest.param({}, id="loket"),
    pytest.param({"SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_DOMAIN": "loket.example",
                  "SESSION_COOKIE_PATH": "/a b", "SESSION_COOKIE_SAMESITE": "Strict"}, id="domain-path-secure"),
    pytest.param({"SESSION_COOKIE_PARTITIONED": True, "SESSION_COOKIE_HTTPONLY": False,
                  "SESSION_COOKIE_SAMESITE": None, "SESSION_COOKIE_NAME": "x_loket"}, id="partitioned"),
])
def test_session_cookie_headers_are_flasks(app, frozen, prepare, settings):
    app.config.update(settings)
    app.permanent_session_lifetime = timedelta(days=31)
    standard = SecureCookieSessionInterface()
    assert _session_headers(app, app.session_interface, prepare) == _session_headers(app, standard, prepare)
    permanent = {"kept": "1", "_permanent": True}  # refreshed on every request, even untouched
    ours = _session_headers(app, app.session_interface, prepare, permanent)
    assert ours == _session_headers(app, standard, prepare, permanent)


def test_oversized_session_cookie_still_warns(app, frozen):
    big = base64.b64encode(os.urandom(4000)).decode()  # random: compression cannot bring it under the limit
    grow = lambda s: s.update(big=big)  # noqa: E731
    with pytest.warns(UserWarning, match="too large"):
        ours = _session_headers(app, app.session_interface, grow)
    with pytest.warns(UserWarning, match="too large"):
        assert ours == _session_headers(app, SecureCookieSessionInterface(), grow)


def test_session_with_nested_values_is_read_afresh(app, frozen):
    @app.get("/_put")
    def put():
        session["items"] = ["a"]
        return "ok"

    @app.get("/_change_in_place")
    def change_in_place():
        session["items"].append("b")  # Flask does not notice: the cookie is not set again
        return ",".join(session["items"])

    client = app.test_client()
    client.get("/_put")
    assert client.get("/_change_in_place").get_data(as_text=True) == "a,b"
    assert client.get("/_change_in_place").get_data(as_text=True) == "a,b"  # not a,b,b: nothing carried over


def test_session_remembered_within_a_second_is_a_copy_each_time(app, frozen):
    value = app.session_interface.get_signing_serializer(app).dumps({"name": "Budi"})
    with app.test_request_context("/", headers={"Cookie": f"session={value}"}):
        first = app.session_interface.open_session(app, request)
        assert value in app.extensions["loket_session_memo"][1]
        first["name"] = "changed"
        again = app.session_interface.open_session(app, request)
        assert again == {"name": "Budi"} and not again.modified


def test_expired_session_cookie_is_refused_even_after_being_remembered(app, frozen):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=10)

    @app.get("/_who")
    def who():
        return str(session.get("who"))

    value = app.session_interface.get_signing_serializer(app).dumps({"who": "budi", "_permanent": True})
    headers = {"Cookie": f"session={value}"}  # sent as it is, whatever the test client thinks of its age
    client = app.test_client(use_cookies=False)
    assert client.get("/_who", headers=headers).get_data(as_text=True) == "budi"
    frozen.now += 9
    assert client.get("/_who", headers=headers).get_data(as_text=True) == "budi"
    frozen.now += 2
    assert client.get("/_who", headers=headers).get_data(as_text=True) == "None"
