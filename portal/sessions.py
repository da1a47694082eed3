"""Flask's signed-cookie sessions and Flask-WTF's CSRF token, made cheaper per request without changing what
a cookie or a token is.

- The signing serializer is built once per app instead of twice per request, and its signer derives the key
  from the secret once instead of for every signature.
- The signature is Flask's usual HMAC-SHA1, only computed through OpenSSL's HMAC: Flask names SHA-1 through a
  Python function (so that FIPS builds import), which sends `hmac.new` down its pure-Python path on every
  signature.
- The payload is not zlib-compressed. itsdangerous tries it on every cookie it writes, and setting up zlib
  costs more than the whole rest of signing, for payloads (a CSRF token, a few ids) that compression barely
  shortens. Compressed cookies written before still load: reading is itsdangerous' own.
- A session of plain values (strings, numbers, booleans, None: a CSRF token, ids, the language) is written as
  the compact JSON that Flask's tagged serializer makes of it, without walking its tags (`SessionJSON`).
- Saving edits the `Vary` and `Set-Cookie` headers directly instead of through Werkzeug's parsed header set,
  which `save_session` would otherwise parse and write back twice per new session.
- Opening checks a cookie's signature once per process (`_verified`) and only its age on later requests: a
  returning visitor sends the same cookie with every page until the session changes.
- `csrf_token()` signs the form token the same way (see there), once per raw token while tokens have no time
  limit; Flask-WTF still checks every post, from the hook `init_app` adds (unsafe methods only).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from functools import lru_cache

from flask import Flask, current_app, g, has_app_context, request, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Request, Response
from itsdangerous import BadSignature, Signer, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from itsdangerous.serializer import Serializer
from werkzeug.http import dump_cookie


class KeyCachingSigner(TimestampSigner):
    """itsdangerous' timestamp signer (the one its timed serializers use), remembering the key it derives.

    itsdangerous derives the key from the secret again (one more HMAC) for every signature it makes or
    checks; the key depends only on the secret, the salt and the method, so the same key comes back.
    """

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        """Return the signing key for `secret_key` (the newest secret when None), as itsdangerous derives it."""
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        return _derived_key(secret, self.salt, self.key_derivation, self.digest_method)


@lru_cache(maxsize=16)
def _derived_key(secret: bytes, salt: bytes, key_derivation: str, digest_method) -> bytes:
    """Return itsdangerous' own derivation of the key (a handful of secrets and salts per process)."""
    return Signer(secret, salt=salt, key_derivation=key_derivation, digest_method=digest_method).derive_key()


class UncompressedSerializer(URLSafeTimedSerializer):
    """itsdangerous' URL-safe timed serializer that writes its payload base64-encoded only, never zipped, and
    makes its signer once per salt instead of once per cookie or token."""

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        """Return the signer for `salt` (the serializer's own when None), made on first use: a signer holds
        only its keys and settings, so one serves every signature."""
        salt = self.salt if salt is None else salt
        signers = self.__dict__.setdefault("_signers", {})
        signer = signers.get(salt)
        if signer is None:
            signer = signers[salt] = super().make_signer(salt)
        return signer

    def dump_payload(self, obj) -> bytes:
        """Return `obj` as JSON in URL-safe base64 (what the mixin writes when zlib does not help)."""
        return base64_encode(Serializer.dump_payload(self, obj))


_PLAIN = (str, int, float, bool, type(None))


class SessionJSON(TaggedJSONSerializer):
    """Flask's session serializer (tagged JSON: it keeps tuples, bytes, dates…), writing a session whose values
    are all plain as compact JSON directly: for such a dict, byte for byte what the tagged form is (its keys in
    their order, as the app's JSON provider keeps them). Reading is Flask's own."""

    def dumps(self, value) -> str:
        """Return `value` (the session's dict) as the string its cookie carries."""
        if (type(value) is dict and all(type(item) in _PLAIN for item in value.values())
                and not any(key.startswith(" ") for key in value)):  # " t", " d"…: the tags' own keys
            sorted_keys = has_app_context() and current_app.json.sort_keys  # as `flask.json.dumps` decides
            return (_SORTED_COMPACT if sorted_keys else _COMPACT).encode(value)
        return super().dumps(value)


# What `json.dumps(value, separators=(",", ":"), sort_keys=…)` would make a new encoder for on every call.
_COMPACT = json.JSONEncoder(separators=(",", ":"))
_SORTED_COMPACT = json.JSONEncoder(separators=(",", ":"), sort_keys=True)


class SessionInterface(SecureCookieSessionInterface):
    """The standard session cookie; only the serializer is reused, signs through OpenSSL, does not zip, writes
    plain sessions without tags, and saves with direct header edits."""

    digest_method = staticmethod(hashlib.sha1)
    serializer = SessionJSON()

    def get_signing_serializer(self, app: Flask):
        """Return the app's serializer, made on first use (None without a secret key, as Flask does)."""
        serializer = app.extensions.get("loket_session_serializer")
        if serializer is None:
            flasks = super().get_signing_serializer(app)
            if flasks is None:
                return None
            serializer = app.extensions["loket_session_serializer"] = UncompressedSerializer(
                flasks.secret_keys, salt=flasks.salt, serializer=flasks.serializer, signer=KeyCachingSigner,
                signer_kwargs=flasks.signer_kwargs)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        """Return the session its cookie holds, as Flask's `open_session` does: a new, empty one when the cookie
        is missing, its signature wrong or older than PERMANENT_SESSION_LIFETIME; None without a secret key.

        A cookie's signature is checked once per process (`_verified`): a returning visitor sends the same
        cookie with every page until the session changes, and only its age is checked again."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookies, name = request.cookies, self.get_cookie_name(app)
        value = cookies[name] if name in cookies else None  # as in `extensions.select_locale`
        if not value:
            return self.session_class()
        try:
            payload, signed_at = _verified(serializer, value)
            age = int(time.time()) - signed_at  # what itsdangerous compares with `max_age`, as Flask passes it
            if not 0 <= age <= int(app.permanent_session_lifetime.total_seconds()):
                return self.session_class()
            return self.session_class(serializer.load_payload(payload))
        except BadSignature:  # forged, or signed with a secret no longer known
            return self.session_class()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Do what Flask's `save_session` does — `Vary: Cookie` once the session was read, the cookie
        deleted when the session was emptied, set when it changed (or, permanent, on every request when
        SESSION_REFRESH_EACH_REQUEST) — writing the two headers directly."""
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        attributes = {"domain": domain, "path": path, "secure": self.get_cookie_secure(app),
                      "partitioned": self.get_cookie_partitioned(app), "samesite": self.get_cookie_samesite(app),
                      "httponly": self.get_cookie_httponly(app)}
        if session.accessed or session.modified:  # modified: a cookie is set or deleted below
            vary_on_cookie(response)
        if not session:
            if session.modified:
                response.delete_cookie(name, **attributes)
            return
        if not self.should_set_cookie(app, session):
            return
        value = self.get_signing_serializer(app).dumps(dict(session))
        response.headers.add("Set-Cookie", dump_cookie(
            name, value, expires=self.get_expiration_time(app, session), max_size=response.max_cookie_size,
            **attributes))
        if not (session.accessed or session.modified):  # refreshed unread (SESSION_REFRESH_EACH_REQUEST)
            vary_on_cookie(response)


@lru_cache(maxsize=1024)
def _verified(serializer: URLSafeTimedSerializer, value: str) -> tuple[bytes, int]:
    """Return the payload of the signed cookie `value` and the time it was signed (seconds since the epoch),
    its signature checked by `serializer`'s signer (under any of its secret keys) the first time only; the most
    recent cookies are kept, about 1 MB. Raises BadSignature when the signature does not match (not kept)."""
    payload, signed_at = serializer.make_signer().unsign(value, return_timestamp=True)
    return payload, int(signed_at.timestamp())


def vary_on_cookie(response: Response) -> None:
    """Add `Cookie` to the response's `Vary` header unless it is there (what `response.vary.add` does)."""
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = "Cookie"
    elif "cookie" not in (item.strip().lower() for item in vary.split(",")):
        response.headers["Vary"] = f"{vary}, Cookie"


def init_app(app: Flask) -> None:
    """Use the session interface above, and check CSRF tokens on the methods that change something.

    Flask-WTF's default check (WTF_CSRF_CHECK_DEFAULT, off in `config.Defaults`) looks up the view's exemptions
    before it looks at the method, on every GET too; this hook calls the same `csrf.protect`, exemptions
    applied, only for WTF_CSRF_METHODS: its documented way to choose which requests are checked.
    """
    from .extensions import csrf

    app.session_interface = SessionInterface()

    @app.before_request
    def check_csrf():
        """Refuse (400) a POST, PUT, PATCH or DELETE without a valid token, as Flask-WTF's own hook does."""
        config = app.config
        if request.method in config["WTF_CSRF_METHODS"] and config["WTF_CSRF_ENABLED"]:
            csrf.protect(apply_exemptions=True)


CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's, so that its `validate_csrf` reads the tokens made here


def csrf_token() -> str:
    """Return this visitor's signed CSRF token, made as `flask_wtf.csrf.generate_csrf()` makes it: the raw
    token kept in the session (made on first use), signed with the time by itsdangerous under Flask-WTF's
    salt, and kept in `g` for the rest of the request, so both functions give the same token.

    It differs only in cost, as the session does above: the serializer is made once per app and signs
    through OpenSSL's HMAC without trying zlib, which halves the time of the cached tracking page's
    response (bench/run.py); without a time limit a raw token is signed once (`_signed_once`). Raises
    RuntimeError without a secret key, as Flask-WTF does.
    """
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    if token is None:
        raw = session.get(field)
        if not isinstance(raw, str):
            raw = session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
        serializer = _csrf_serializer(config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key)
        timeless = config.get("WTF_CSRF_TIME_LIMIT") is None
        token = _signed_once(serializer, raw) if timeless else serializer.dumps(raw)
        setattr(g, field, token)
    return token


@lru_cache(maxsize=2048)
def _signed_once(serializer: URLSafeTimedSerializer, raw: str) -> str:
    """Return the token `serializer` signs for the raw token `raw`, signed the first time only.

    Without a time limit (WTF_CSRF_TIME_LIMIT None, see `config.Defaults`) Flask-WTF never reads the time a
    token was signed, so the token made for a visitor's first form is as good for every later one: a returning
    visitor's form page skips the signature. The most recent visitors are kept, about 0.3 MB."""
    return serializer.dumps(raw)


def _csrf_serializer(secret_key) -> URLSafeTimedSerializer:
    """Return the app's serializer of CSRF tokens for `secret_key`, made on first use.

    Raises RuntimeError when `secret_key` is empty."""
    if not secret_key:
        raise RuntimeError("A secret key is required to use CSRF.")
    cached = current_app.extensions.get("loket_csrf_serializer")
    if cached is None or cached[0] != secret_key:
        serializer = UncompressedSerializer(secret_key, salt=CSRF_SALT, signer=KeyCachingSigner,
                                            signer_kwargs={"digest_method": hashlib.sha1})
        cached = current_app.extensions["loket_csrf_serializer"] = (secret_key, serializer)
    return cached[1]
