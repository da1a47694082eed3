"""Flask's signed-cookie sessions and Flask-WTF's CSRF tokens, signed by serializers built once per app.

Both are itsdangerous `URLSafeTimedSerializer` signatures. Flask builds its serializer twice per request and
Flask-WTF once per token; for every signature itsdangerous derives the signing key and sets up an HMAC, a zlib
compressor and a JSON encoder. On a page served from the page cache (the tracking form) that costs as much as
the rest of the request. The serializers here make the same strings (same salts, keys, digests, JSON and
format; only a short payload is never zlib-compressed, which itsdangerous reads as well), so Flask and
Flask-WTF check them unchanged. Saving a session writes the headers Flask writes, with less work (see
`save_session`).

Within one second, checking the same session cookie or signing the same raw CSRF token gives the same result
every time (itsdangerous counts time in whole seconds), so both are remembered for the rest of that second:
a visitor who reloads, or several tabs and requests of one visitor, pay for the signature once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import time
import zlib

from flask import Flask, current_app, g, session
from flask.json.provider import DefaultJSONProvider
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import Serializer, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from itsdangerous.signer import HMACAlgorithm
from werkzeug.http import dump_cookie

CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's salt: what csrf_token() signs, validate_csrf must accept
UNCOMPRESSED_BELOW = 256  # bytes of JSON under which a signed payload is not zlib-compressed
MEMO_SIZE = 4096  # results remembered per second at most, whatever the traffic (later ones are just computed)
_IMMUTABLE = (str, int, float, bool, type(None))
_PLAIN = frozenset(_IMMUTABLE)  # exact types: a str subclass such as Markup is tagged
_UNQUOTED_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_.\-]+")  # signed values: URL-safe base64 and dots
_COOKIE_FORMATS: dict[tuple, tuple[str, str]] = {}  # (name, attributes) -> text before and after the value


def _memo_of_this_second(app: Flask, name: str) -> dict:
    """Return the app's memo `name` for the current second: a dict, emptied when the second changes."""
    second = int(time.time())
    kept = app.extensions.get(name)
    if kept is None or kept[0] != second:
        kept = app.extensions[name] = (second, {})
    return kept[1]


def _remember(memo: dict, key, value) -> None:
    """Store `value` under `key` in `memo` unless the memo is full; return nothing."""
    if len(memo) < MEMO_SIZE:
        memo[key] = value


class _CompactJSON:
    """itsdangerous' compact JSON for signed payloads, with its encoder made once instead of on every call."""

    _encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # what json.dumps would make

    @classmethod
    def dumps(cls, obj, **kwargs) -> str:
        """Return `obj` as the compact JSON itsdangerous writes (any keyword arguments: written by itsdangerous)."""
        return URLSafeTimedSerializer.default_serializer.dumps(obj, **kwargs) if kwargs else cls._encode(obj)

    @staticmethod
    def loads(payload: str | bytes):
        """Return the value of JSON `payload`."""
        return json.loads(payload)


class _SessionJSON:
    """Flask's session serializer (tagged JSON) with a shortcut: a session of plain strings and numbers is written
    by a JSON encoder made once, instead of tagging each value and making an encoder per call, to the same text.

    The shortcut holds for Flask's own tags and JSON provider, whose settings it reads when made; with tags or
    a provider of the app's own, `shortcut` is None and everything goes through `tagged`.
    """

    def __init__(self, tagged: TaggedJSONSerializer, provider):
        self.tagged = tagged
        self.shortcut = None
        own_tags = [type(tag) for tag in tagged.order] == list(TaggedJSONSerializer.default_tags)
        if own_tags and type(provider) is DefaultJSONProvider:
            self.shortcut = json.JSONEncoder(separators=(",", ":"), default=provider.default,
                                             ensure_ascii=provider.ensure_ascii, sort_keys=provider.sort_keys).encode

    def dumps(self, value) -> str:
        """Return `value` as Flask's tagged JSON."""
        if (self.shortcut and type(value) is dict and all(type(item) in _PLAIN for item in value.values())
                and not (len(value) == 1 and next(iter(value)) in self.tagged.tags)):  # nothing to tag
            return self.shortcut(value)
        return self.tagged.dumps(value)

    def loads(self, value: str):
        """Return the value of tagged JSON `value`."""
        return self.tagged.loads(value)


class _KeyedSigner(TimestampSigner):
    """itsdangerous' timestamp signer that derives each secret key's signing key once, not once per signature,
    and signs by copying an HMAC already keyed with the current key."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._derived: dict[bytes, bytes] = {}  # secret key -> derived key; filling it twice is harmless
        self._mac = None  # only for itsdangerous' own HMAC algorithm; any other signs as itsdangerous does
        if type(self.algorithm) is HMACAlgorithm:
            self._mac = hmac.new(self.derive_key(), digestmod=self.algorithm.digest_method)

    def get_signature(self, value: str | bytes) -> bytes:
        """Return the base64 signature of `value` by the current key, as itsdangerous makes it."""
        if self._mac is None:
            return super().get_signature(value)
        mac = self._mac.copy()
        mac.update(want_bytes(value))
        return base64_encode(mac.digest())

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        """Return the signing key derived from `secret_key` (default: the current key), as itsdangerous does."""
        key = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = super().derive_key(key)
        return derived


class ReusedSignerSerializer(URLSafeTimedSerializer):
    """itsdangerous' URL-safe timed serializer whose signer (and default JSON encoder) is made once and reused.

    A signer holds only its keys and settings, so one instance can serve every request and thread. Signatures
    are those of `URLSafeTimedSerializer` with the same arguments, except that a payload shorter than
    UNCOMPRESSED_BELOW bytes is never compressed; `loads` (here and in itsdangerous) reads either form.
    """

    default_signer = _KeyedSigner
    default_serializer = _CompactJSON
    _signer: _KeyedSigner | None = None

    def dump_payload(self, obj) -> bytes:
        """Return `obj` as URL-safe base64 JSON, zlib-compressed (marked by a leading ".") only when that is
        shorter and the JSON is at least UNCOMPRESSED_BELOW bytes long.

        itsdangerous tries zlib on every payload. Each try sets up a fresh compressor (some 256 KB of state,
        fresh pages from the system), which costs a small session cookie or CSRF token more than its signature,
        to save at most a few bytes: a CSRF token (40 hex digits) never compresses.
        """
        text = Serializer.dump_payload(self, obj)  # the JSON alone, below the URL-safe mixin that compresses
        if len(text) >= UNCOMPRESSED_BELOW:
            compressed = zlib.compress(text)
            if len(compressed) < len(text) - 1:  # itsdangerous' own rule
                return b"." + base64_encode(compressed)
        return base64_encode(text)

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        """Return the reused signer for this serializer's salt, or a new one for another salt."""
        if salt is not None and want_bytes(salt) != self.salt:
            return super().make_signer(salt)
        if self._signer is None:
            self._signer = super().make_signer(self.salt)
        return self._signer


class SessionInterface(SecureCookieSessionInterface):
    """The standard session cookie; the serializer is reused and a checked cookie is remembered for a second."""

    def open_session(self, app: Flask, request):
        """Return the session in the request's cookie, as Flask does (empty when absent, tampered or expired).

        A cookie that checked out during this second gives its data again without a new check, if its values
        are plain strings and numbers (each request gets its own copy; nested values could be changed in place).
        """
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return super().open_session(app, request)
        memo = _memo_of_this_second(app, "loket_session_memo")
        data = memo.get(cookie)
        if data is not None:
            return self.session_class(data)
        session = super().open_session(app, request)
        if session and all(isinstance(value, _IMMUTABLE) for value in session.values()):
            _remember(memo, cookie, dict(session))
        return session

    def save_session(self, app: Flask, session, response) -> None:
        """Set, refresh or delete the session cookie as Flask 3.1 does; return nothing.

        Only `Vary: Cookie` is added differently: Flask goes through `response.vary`, which parses the header
        afresh on each use (twice for a new cookie), each time costing about what signing the cookie does;
        `_vary_on_cookie` looks at the header string. tests/web/test_sessions.py checks the headers against
        Flask's own.
        """
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        attributes = {"domain": domain, "path": path, "secure": self.get_cookie_secure(app),
                      "partitioned": self.get_cookie_partitioned(app), "samesite": self.get_cookie_samesite(app),
                      "httponly": self.get_cookie_httponly(app)}
        if session.accessed:
            _vary_on_cookie(response)
        if not session:  # an emptied session loses its cookie; one that was always empty never gets one
            if session.modified:
                response.delete_cookie(name, **attributes)
                _vary_on_cookie(response)
            return
        if not self.should_set_cookie(app, session):
            return
        value = self.get_signing_serializer(app).dumps(dict(session))
        _set_cookie(response, name, value, self.get_expiration_time(app, session), attributes)
        if not session.accessed:  # otherwise Vary names Cookie already
            _vary_on_cookie(response)

    def get_signing_serializer(self, app: Flask):
        """Return the app's serializer, made on first use (None without a secret key, as Flask does)."""
        serializer = app.extensions.get("loket_session_serializer")
        if serializer is None:
            standard = super().get_signing_serializer(app)
            if standard is None:
                return None
            serializer = app.extensions["loket_session_serializer"] = ReusedSignerSerializer(
                standard.secret_keys, salt=standard.salt, serializer=_SessionJSON(standard.serializer, app.json),
                signer_kwargs=standard.signer_kwargs)
        return serializer


def _vary_on_cookie(response) -> None:
    """Add `Cookie` to the response's `Vary` header unless it is already named there; return nothing."""
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = "Cookie"
    elif "cookie" not in (part.strip().lower() for part in vary.split(",")):
        response.headers["Vary"] = f"{vary}, Cookie"


def _cookie_format(name: str, attributes: dict) -> tuple[str, str]:
    """Return what werkzeug writes before and after the value of cookie `name` with `attributes`, no expiry."""
    key = (name, tuple(sorted(attributes.items())))
    parts = _COOKIE_FORMATS.get(key)
    if parts is None:
        template = dump_cookie(name, "x", max_size=0, **attributes)  # "session=x; HttpOnly; Path=/; SameSite=Lax"
        equals = template.index("=")  # the first one: a cookie name holds none
        parts = _COOKIE_FORMATS[key] = (template[:equals + 1], template[equals + 2:])
    return parts


def _set_cookie(response, name: str, value: str, expires, attributes: dict) -> None:
    """Add the `Set-Cookie` header that werkzeug's `response.set_cookie` would add; return nothing.

    Without an expiry, what surrounds the value is the same for every cookie with these attributes, so it is
    formatted by werkzeug once (`_cookie_format`). A value werkzeug would quote, an expiry, or a header over
    the size limit (werkzeug warns about those) go through `set_cookie` itself.
    """
    if expires is None and _UNQUOTED_COOKIE_VALUE.fullmatch(value):
        head, tail = _cookie_format(name, attributes)
        header = f"{head}{value}{tail}"
        if not response.max_cookie_size or len(header) <= response.max_cookie_size:
            response.headers.add("Set-Cookie", header)
            return
    response.set_cookie(name, value, expires=expires, **attributes)


def _csrf_serializer(app: Flask, secret_key: str | bytes) -> ReusedSignerSerializer:
    """Return the app's CSRF-token serializer for `secret_key` (made again if the key changed)."""
    kept = app.extensions.get("loket_csrf_serializer")
    if kept is None or kept[0] != secret_key:
        serializer = ReusedSignerSerializer(secret_key, salt=CSRF_SALT)
        kept = app.extensions["loket_csrf_serializer"] = (secret_key, serializer)
    return kept[1]


def csrf_token() -> str:
    """Return this request's CSRF token: what `flask_wtf.csrf.generate_csrf()` returns, signed more cheaply.

    As Flask-WTF does, it keeps a random raw token in the session (made on the visitor's first form), signs it
    with the time and keeps the result in `g` for the rest of the request. The odd cases (no secret key, a raw
    token that is not a string) are left to Flask-WTF itself, which raises RuntimeError without a key.
    """
    app = current_app._get_current_object()  # once: each use of the proxy looks the app up again
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    secret_key = app.config.get("WTF_CSRF_SECRET_KEY", app.secret_key)
    token = g.get(field)
    if token is not None:
        return token
    raw = session.get(field)
    if secret_key is None or (raw is not None and not isinstance(raw, str)):
        return generate_csrf()
    if raw is None:  # a new visitor: nothing to remember their token by yet
        raw = session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # Flask-WTF's raw token
        token = _csrf_serializer(app, secret_key).dumps(raw)
    else:
        memo = _memo_of_this_second(app, "loket_csrf_memo")
        token = memo.get((secret_key, raw))
        if token is None:  # signed again in this second, the token would be the same string
            token = _csrf_serializer(app, secret_key).dumps(raw)
            _remember(memo, (secret_key, raw), token)
    setattr(g, field, token)
    return token


def init_app(app: Flask) -> None:
    """Use the session interface above."""
    app.session_interface = SessionInterface()
