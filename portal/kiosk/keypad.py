"""The kiosk's on-screen keypad: what has been typed so far, and what one key press makes of it.

Pure Python. Nothing is kept between presses: the page carries the entry in hidden fields of its form and
every key is a submit button, so the keypad works with no JavaScript and no keyboard, and walking away
from the kiosk leaves nothing behind on the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.reference import ALPHABET, PIN_DIGITS, SYMBOLS

DELETE = "hapus"
CLEAR = "ulang"
CHECK = "cek"
REFERENCE, PIN = "reference", "pin"


@dataclass(frozen=True)
class Entry:
    """A reference's 8 symbols (without the office's prefix) and a PIN, each as far as typed.

    The PIN is typed only once the reference is complete.
    """

    reference: str = ""
    pin: str = ""

    @classmethod
    def from_form(cls, reference: str | None, pin: str | None) -> "Entry":
        """Return the entry carried by a posted form, with anything a key could not have typed dropped."""
        symbols = "".join(symbol for symbol in (reference or "").upper() if symbol in ALPHABET)[:SYMBOLS]
        digits = re.sub(r"\D", "", pin or "")[:PIN_DIGITS] if len(symbols) == SYMBOLS else ""
        return cls(symbols, digits)

    @property
    def stage(self) -> str:
        """Return which part the next key types: REFERENCE or PIN."""
        return PIN if len(self.reference) == SYMBOLS else REFERENCE

    @property
    def complete(self) -> bool:
        """Return True when the reference and the PIN are both fully typed."""
        return len(self.reference) == SYMBOLS and len(self.pin) == PIN_DIGITS

    def press(self, key: str | None) -> "Entry":
        """Return the entry after pressing `key`: a symbol, DELETE or CLEAR; anything else changes nothing.

        DELETE takes back the last symbol typed, from the PIN first and then from the reference.
        """
        if key == CLEAR:
            return Entry()
        if key == DELETE:
            if self.pin:
                return Entry(self.reference, self.pin[:-1])
            return Entry(self.reference[:-1], "")
        if not key or len(key) != 1:
            return self
        if self.stage == REFERENCE and key in ALPHABET:
            return Entry(self.reference + key, "")
        if self.stage == PIN and key.isdigit() and len(self.pin) < PIN_DIGITS:
            return Entry(self.reference, self.pin + key)
        return self

    def reference_text(self, prefix: str) -> str:
        """Return the reference as the office writes it, e.g. "RBG-7K3M-Q9PX" (complete or not)."""
        return f"{prefix}-{self.reference[:4]}-{self.reference[4:]}"


def reference_rows() -> tuple[str, ...]:
    """Return the reference keypad's rows: the digits as on a keyboard, then the letters in two rows."""
    letters = [symbol for symbol in ALPHABET if symbol.isalpha()]
    half = (len(letters) + 1) // 2
    return ("1234567890", "".join(letters[:half]), "".join(letters[half:]))


PIN_ROWS = ("123", "456", "789")
