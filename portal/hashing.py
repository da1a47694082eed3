"""Slow, salted hashes of passwords and PINs, made with the method the config names.

`PASSWORD_HASH_METHOD` is a Werkzeug method string. Production uses `STRONG_METHOD` (Werkzeug's scrypt,
n = 2**15, r = 8, p = 1: about 150 ms of CPU per hash, which is what makes a stolen table expensive to
guess). The test config names a cheap method so that thousands of tests do not pay for it; outside TESTING a
weaker method is refused at start-up (`require_strong`).

A stored hash names its own method, so checking always uses the method it was made with.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

STRONG_METHOD = "scrypt"
_MIN_SCRYPT_N = 2 ** 15
_MIN_PBKDF2_ITERATIONS = 600_000  # OWASP's figure for PBKDF2-HMAC-SHA256


def method() -> str:
    """Return the configured hash method (`STRONG_METHOD` outside an app context)."""
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD") or STRONG_METHOD
    return STRONG_METHOD


def make_hash(secret: str) -> str:
    """Return the salted hash of `secret` made with the configured method."""
    return generate_password_hash(secret, method=method())


def matches(stored_hash: str, secret: str) -> bool:
    """Return True when `secret` is the one behind `stored_hash` (checked with the hash's own method)."""
    return check_password_hash(stored_hash, secret)


def dummy_hash() -> str:
    """Return a hash of no one's secret, made with the configured method, to check against when there is no
    account or application: a miss then takes as long as a wrong secret."""
    return _dummy(method())


@lru_cache(maxsize=8)
def _dummy(hash_method: str) -> str:
    return generate_password_hash("not anyone's secret", method=hash_method)


def require_strong(hash_method: str) -> None:
    """Return when `hash_method` is at least as strong as `STRONG_METHOD`; raise ValueError saying why not.

    Accepted: scrypt with n ≥ 2**15 and pbkdf2 with sha256 or sha512 and ≥ 600,000 iterations (Werkzeug's own
    defaults for both pass).
    """
    scrypt = re.fullmatch(r"scrypt(?::(\d+):(\d+):(\d+))?", hash_method)
    if scrypt:
        if scrypt.group(1) is None or int(scrypt.group(1)) >= _MIN_SCRYPT_N:
            return
        raise ValueError(f"PASSWORD_HASH_METHOD {hash_method!r} is weaker than scrypt's n = 2**15")
    pbkdf2 = re.fullmatch(r"pbkdf2(?::(sha256|sha512)(?::(\d+))?)?", hash_method)
    if pbkdf2:
        if pbkdf2.group(2) is None or int(pbkdf2.group(2)) >= _MIN_PBKDF2_ITERATIONS:
            return
        raise ValueError(f"PASSWORD_HASH_METHOD {hash_method!r} has fewer than {_MIN_PBKDF2_ITERATIONS:,} iterations")
    raise ValueError(f"PASSWORD_HASH_METHOD {hash_method!r} is not scrypt or pbkdf2 with sha256/sha512")
