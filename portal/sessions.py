"""Flask's signed-cookie sessions, made cheaper per request without changing what a cookie is.

- The signing serializer is built once per app instead of twice per request.
- The signature is Flask's usual HMAC-SHA1, only computed through OpenSSL's HMAC: Flask names SHA-1 through a
  Python function (so that FIPS builds import), which sends `hmac.new` down its pure-Python path on every
  signature.
- The payload is not zlib-compressed. itsdangerous tries it on every cookie it writes, and setting up zlib
  costs more than the whole rest of signing, for payloads (a CSRF token, a few ids) that compression barely
  shortens. Compressed cookies written before still load: reading is itsdangerous' own.
"""

from __future__ import annotations

import hashlib

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer


class UncompressedSerializer(URLSafeTimedSerializer):
    """itsdangerous' URL-safe timed serializer that writes its payload base64-encoded only, never zipped."""

    def dump_payload(self, obj) -> bytes:
        """Return `obj` as JSON in URL-safe base64 (what the mixin writes when zlib does not help)."""
        return base64_encode(Serializer.dump_payload(self, obj))


class SessionInterface(SecureCookieSessionInterface):
    """The standard session cookie; only the serializer is reused, signs through OpenSSL and does not zip."""

    digest_method = staticmethod(hashlib.sha1)

    def get_signing_serializer(self, app: Flask):
        """Return the app's serializer, made on first use (None without a secret key, as Flask does)."""
        serializer = app.extensions.get("loket_session_serializer")
        if serializer is None:
            flasks = super().get_signing_serializer(app)
            if flasks is None:
                return None
            serializer = app.extensions["loket_session_serializer"] = UncompressedSerializer(
                flasks.secret_keys, salt=flasks.salt, serializer=flasks.serializer,
                signer_kwargs=flasks.signer_kwargs)
        return serializer


def init_app(app: Flask) -> None:
    """Use the session interface above."""
    app.session_interface = SessionInterface()
