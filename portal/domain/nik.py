"""The NIK (Nomor Induk Kependudukan): what is wrong with one, and what only deserves a second look.

A NIK is 16 digits: the kecamatan where it was first issued (6), the birth date as DDMMYY with 40 added to
the day for women (6), and a serial that is never 0000 (4). It never changes, even when a birth date is
corrected, so a birth date that differs from the NIK's is a warning, never a rejection; and a resident who
moved in keeps a NIK from elsewhere, so another regency is a warning too. Parsing is `lokal-id`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from lokal import nik as lokal_nik

NON_DIGITS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class NikCheck:
    """The verdict on a NIK: `errors` block it; `warnings` the resident may accept after checking."""

    nik: str
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    birth_date: date | None = None
    gender: str | None = None
    district_code: str | None = None
    details: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """Return True when nothing blocks the NIK (warnings may remain)."""
        return not self.errors


def normalize(text: str) -> str:
    """Return `text` without the spaces, dots and dashes people type between digit groups."""
    return NON_DIGITS.sub("", text or "")


def check_nik(text: str, regency_code: str, stated_birth_date: date | None = None) -> NikCheck:
    """Return the verdict on the NIK `text` for an office serving `regency_code` (e.g. "33.17").

    Error codes: "format" (not 16 digits), "birth_date" (no real date in it), "serial" (0000), "region"
    (no such province/kecamatan code). Warning codes: "other_regency", "birth_date_mismatch" (only when
    `stated_birth_date` is given and differs from the NIK's).
    """
    nik = normalize(text)
    parsed = lokal_nik.parse_nik(nik)
    errors = tuple(dict.fromkeys(_error_code(issue.code) for issue in parsed.errors))
    if errors:
        return NikCheck(nik, errors)
    birth = date.fromisoformat(parsed.birth_date) if parsed.birth_date else None
    warnings: list[str] = []
    if parsed.regency_code != regency_code:
        warnings.append("other_regency")
    if stated_birth_date is not None and birth is not None and stated_birth_date != birth:
        warnings.append("birth_date_mismatch")
    return NikCheck(nik, (), tuple(warnings), birth, parsed.gender, parsed.district_code,
                    {"nik_birth_date": birth.isoformat() if birth else None})


def _error_code(code: str) -> str:
    """Return our error code for one of lokal-id's issue codes."""
    return {"format": "format", "birth_date": "birth_date", "serial": "serial"}.get(code, "region")


def mask(nik: str) -> str:
    """Return the NIK with its middle six digits hidden: "331701******0001"."""
    return f"{nik[:6]}******{nik[-4:]}" if len(nik) == 16 else "*" * len(nik)
