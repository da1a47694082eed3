"""Application references and PINs.

A reference is short enough to read over the phone and has no ambiguous characters: Crockford's base32
(no I, L, O or U), eight random symbols in two groups after the office's prefix: `RBG-7K3M-Q9PX` (40 bits).
Looking one up also needs the 6-digit PIN, which is shown once and stored only as a hash.
"""

from __future__ import annotations

import re
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
SYMBOLS = 8
PIN_DIGITS = 6
# What people type for what they see: Crockford's decoding rules.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]")


def new_reference(prefix: str, random_symbol=secrets.choice) -> str:
    """Return a fresh reference such as "RBG-7K3M-Q9PX" (uniqueness is the database's to enforce)."""
    body = "".join(random_symbol(ALPHABET) for _ in range(SYMBOLS))
    return f"{prefix}-{body[:4]}-{body[4:]}"


def normalize_reference(text: str, prefix: str) -> str | None:
    """Return the canonical form of a typed reference, or None when it cannot be one.

    Case, spaces, dashes and look-alike letters (O for 0, I or L for 1) are forgiven; the prefix may be
    left out.
    """
    compact = _SEPARATORS.sub("", (text or "").upper())
    if compact.startswith(prefix.upper()):
        compact = compact[len(prefix):]
    compact = compact.translate(_LOOKALIKES)
    if len(compact) != SYMBOLS or any(symbol not in ALPHABET for symbol in compact):
        return None
    return f"{prefix}-{compact[:4]}-{compact[4:]}"


def new_pin(random_below=secrets.randbelow) -> str:
    """Return a fresh 6-digit PIN (leading zeros kept)."""
    return f"{random_below(10 ** PIN_DIGITS):0{PIN_DIGITS}d}"


def hash_pin(pin: str, method: str) -> str:
    """Return the salted, slow hash of `pin` to store, made with the Werkzeug hash `method` (the caller passes
    the configured one: `portal.hashing.method()`)."""
    return generate_password_hash(pin, method=method)


def pin_matches(stored_hash: str | None, typed: str) -> bool:
    """Return True when `typed` (spaces ignored) is the PIN behind `stored_hash`."""
    typed = re.sub(r"\s", "", typed or "")
    if not stored_hash or not re.fullmatch(rf"\d{{{PIN_DIGITS}}}", typed):
        return False
    return check_password_hash(stored_hash, typed)
