"""The session cookie keeps Flask's format and checks while reusing its serializer."""

import pytest
from flask import session


@pytest.mark.fresh_app  # adds a route
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


def test_cookies_are_the_ones_flasks_own_interface_signs_and_reads(app):
    from flask.sessions import SecureCookieSessionInterface

    ours = app.session_interface.get_signing_serializer(app)
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    assert flasks.loads(ours.dumps({"csrf_token": "abc"})) == {"csrf_token": "abc"}
    assert ours.loads(flasks.dumps({"drafts": {"KTP": 1}})) == {"drafts": {"KTP": 1}}


def test_a_compressed_cookie_written_before_still_loads(app):
    from flask.sessions import SecureCookieSessionInterface

    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    payload = {"unlocked": list(range(40))}  # long and repetitive: itsdangerous zips it
    cookie = flasks.dumps(payload)
    assert cookie.startswith(".")
    assert app.session_interface.get_signing_serializer(app).loads(cookie) == payload


def test_csrf_token_is_flask_wtfs_token_made_cheaper(app):
    from flask import g
    from flask_wtf.csrf import generate_csrf, validate_csrf

    from portal.sessions import csrf_token

    with app.test_request_context():
        token = csrf_token()
        assert session["csrf_token"] and g.csrf_token == token
        assert generate_csrf() == token  # the same token for the rest of the request
        validate_csrf(token)  # Flask-WTF reads it: raises ValidationError otherwise
        raw = session["csrf_token"]
    with app.test_request_context():
        session["csrf_token"] = raw  # a returning visitor keeps the raw token; the signature is new
        again = csrf_token()
        validate_csrf(again)
        assert session["csrf_token"] == raw
    with app.test_request_context():
        theirs = generate_csrf()  # Flask-WTF first: ours gives its token back instead of another one
        assert csrf_token() == theirs


def test_csrf_token_of_another_session_or_secret_is_refused(app):
    import pytest
    from flask_wtf.csrf import validate_csrf
    from wtforms import ValidationError

    from portal.sessions import csrf_token

    with app.test_request_context():
        token = csrf_token()
    with app.test_request_context(), pytest.raises(ValidationError):
        validate_csrf(token)  # a new visitor's session holds no raw token, or another one
    with app.test_request_context():
        token = csrf_token()
        app.config["WTF_CSRF_SECRET_KEY"] = "another secret"
        try:
            with pytest.raises(ValidationError):
                validate_csrf(token)
        finally:
            app.config.pop("WTF_CSRF_SECRET_KEY")


def test_key_caching_signer_derives_itsdangerous_own_key_and_signatures():
    import hashlib

    from itsdangerous import TimestampSigner

    from portal.sessions import KeyCachingSigner

    for derivation in ("hmac", "django-concat", "concat", "none"):
        ours = KeyCachingSigner(["old", "new"], salt="s", key_derivation=derivation, digest_method=hashlib.sha1)
        theirs = TimestampSigner(["old", "new"], salt="s", key_derivation=derivation, digest_method=hashlib.sha1)
        assert ours.derive_key() == theirs.derive_key() and ours.derive_key("old") == theirs.derive_key("old")
        assert theirs.unsign(ours.sign("x")) == b"x" and ours.unsign(theirs.sign("y")) == b"y"
        other = KeyCachingSigner("another", salt="s", key_derivation=derivation, digest_method=hashlib.sha1)
        assert other.derive_key() != ours.derive_key()


@pytest.mark.parametrize("value", [{"csrf_token": "abc", "sid": "x", "n": 3, "f": 1.5, "ok": True, "none": None},
                                   {"é": "ü", "b": "a\"b\\c\n"}, {}, {" t": "looks like a tag"},
                                   {"drafts": {"KTP": 1}}, {"pair": (1, 2)}, {"raw": b"\x00"}])
def test_plain_sessions_are_written_as_flasks_tagged_json_writes_them(app, value):
    from flask.json.tag import TaggedJSONSerializer

    from portal.sessions import SessionJSON

    ours, flasks = SessionJSON(), TaggedJSONSerializer()
    assert ours.dumps(value) == flasks.dumps(value)  # outside an app: keys unsorted, as flask.json does
    with app.app_context():
        assert ours.dumps(value) == flasks.dumps(value)
        assert flasks.loads(ours.dumps(value)) == value


@pytest.mark.fresh_app  # adds routes
def test_saving_says_vary_cookie_once_and_deletes_an_emptied_session(app):
    @app.get("/_fill")
    def fill():
        session["csrf_token"] = "abc"
        return "filled", {"Vary": "Accept-Encoding"}

    @app.get("/_empty")
    def empty():
        session.clear()
        return "emptied"

    @app.get("/_plain")
    def plain():
        return "untouched"

    client = app.test_client()
    filled = client.get("/_fill")
    assert filled.headers["Vary"] == "Accept-Encoding, Cookie, HX-Request, HX-Target"  # the last two: HTML
    assert filled.headers["Set-Cookie"].startswith("session=") and "HttpOnly" in filled.headers["Set-Cookie"]
    assert "SameSite=Lax" in filled.headers["Set-Cookie"] and client.get_cookie("session") is not None
    emptied = client.get("/_empty")
    assert "Expires=Thu, 01 Jan 1970" in emptied.headers["Set-Cookie"] and emptied.headers["Vary"].split(", ").count("Cookie") == 1
    assert client.get_cookie("session") is None
    assert "Set-Cookie" not in client.get("/_plain").headers


def test_a_cookie_is_verified_once_yet_still_expires_and_forgeries_are_never_kept(app, monkeypatch):
    import time

    from flask import request
    from flask.sessions import SecureCookieSessionInterface

    from portal import sessions

    interface = app.session_interface
    cookie = SecureCookieSessionInterface().get_signing_serializer(app).dumps({"csrf_token": "abc", "n": [1]})

    def opened(value):
        with app.test_request_context(headers={"Cookie": f"session={value}"}):
            return interface.open_session(app, request)

    sessions._verified.cache_clear()
    first = opened(cookie)
    assert dict(first) == {"csrf_token": "abc", "n": [1]}
    first["n"].append(2)  # a view changing what it read changes nothing for the next request
    assert dict(opened(cookie)) == {"csrf_token": "abc", "n": [1]}
    assert sessions._verified.cache_info().misses == 1  # checked once (the request context opens it too)

    lifetime = app.permanent_session_lifetime.total_seconds()
    now = time.time()
    monkeypatch.setattr(sessions.time, "time", lambda: now + lifetime + 2)
    assert dict(opened(cookie)) == {}  # kept, but too old now: a new session, as Flask gives
    monkeypatch.setattr(sessions.time, "time", lambda: now - 60)
    assert dict(opened(cookie)) == {}  # signed in the future: refused as itsdangerous refuses it
    monkeypatch.undo()

    forged = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    assert dict(opened(forged)) == {} and dict(opened(forged)) == {}
    assert sessions._verified.cache_info().currsize == 1  # a bad signature is checked each time, never kept
    assert sessions._verified.cache_info().misses == 5
    assert dict(opened("")) == {} and dict(opened("not-a-cookie")) == {}


def test_a_cookie_signed_with_a_retired_secret_still_opens(app):
    from flask import request
    from flask.sessions import SecureCookieSessionInterface

    from portal import sessions

    secret = app.secret_key
    old = SecureCookieSessionInterface().get_signing_serializer(app).dumps({"csrf_token": "old"})
    app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = "a new secret", [secret]
    app.extensions.pop("loket_session_serializer", None)  # made again with the new keys, as at a restart
    try:
        sessions._verified.cache_clear()
        with app.test_request_context(headers={"Cookie": f"session={old}"}):
            assert dict(app.session_interface.open_session(app, request)) == {"csrf_token": "old"}
        app.config["SECRET_KEY_FALLBACKS"] = []
        app.extensions.pop("loket_session_serializer", None)
        with app.test_request_context(headers={"Cookie": f"session={old}"}):
            assert dict(app.session_interface.open_session(app, request)) == {}  # the old key is gone
    finally:
        app.secret_key = secret
        app.config.pop("SECRET_KEY_FALLBACKS", None)
        app.extensions.pop("loket_session_serializer", None)


def test_a_raw_token_is_signed_once_without_a_time_limit_and_each_time_with_one(app, monkeypatch):
    import itsdangerous.timed
    from flask import g
    from flask_wtf.csrf import validate_csrf

    from portal.sessions import csrf_token

    def token_for(raw):
        with app.test_request_context():
            session["csrf_token"] = raw
            token = csrf_token()
            validate_csrf(token)  # Flask-WTF accepts it either way
            g.pop("csrf_token")
            return token

    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    first = token_for("raw-1")
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: 2_000_000_000.0)  # a later second
    assert token_for("raw-1") == first  # signed once: the time it carries is never read
    assert token_for("raw-2") != first
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    timed = token_for("raw-1")
    assert timed != first  # with a limit, each token carries the time it was made
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: 2_000_000_100.0)
    assert token_for("raw-1") != timed
