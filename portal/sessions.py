"""Flask's signed-cookie sessions, with the signing serializer built once per app instead of twice per request.

The signature is Flask's usual HMAC-SHA1, only computed through OpenSSL's HMAC: Flask names SHA-1 through a
Python function (so that FIPS builds import), which sends `hmac.new` down its pure-Python path on every
signature. Cookies are byte-for-byte the same either way.
"""

from __future__ import annotations

import hashlib

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    """The standard session cookie; only the serializer (key derivation, HMAC setup) is reused."""

    digest_method = staticmethod(hashlib.sha1)

    def get_signing_serializer(self, app: Flask):
        """Return the app's serializer, made on first use (None without a secret key, as Flask does)."""
        serializer = app.extensions.get("loket_session_serializer")
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                app.extensions["loket_session_serializer"] = serializer
        return serializer


def init_app(app: Flask) -> None:
    """Use the session interface above."""
    app.session_interface = SessionInterface()
