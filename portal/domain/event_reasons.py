"""The reasons the system itself writes on an application's timeline, and how to read them back.

A timeline line's reason is stored as text in the source language (Bahasa Indonesia), so that it stays what
was recorded whatever language the visitor reads. The reasons the portal writes (not a clerk's own words) are
made here and read back here into a kind and its values, so that each page can say them in the visitor's
language. A reason this module did not make (a clerk's note, a rejection) is read back as None.
"""

from __future__ import annotations

import re
from typing import NamedTuple

NEW_PIN = "new_pin"
DOWNLOADED = "downloaded"
CANCELLED_BY_APPLICANT = "cancelled_by_applicant"
BATCH_SENT = "batch_sent"
HANDED_OVER = "handed_over"

FIXED = {
    NEW_PIN: "PIN baru dibuat oleh operator desa",
    DOWNLOADED: "Dokumen diunduh pemohon",
    CANCELLED_BY_APPLICANT: "Dibatalkan oleh pemohon",
}
# Read as well: a cancellation once stored in the language of the page it was made on.
FIXED_ALIASES = {"Cancelled by the applicant": CANCELLED_BY_APPLICANT}

COLLECTOR_WORDS = {"applicant": "pemohon", "operator": "operator desa"}
_BATCH = re.compile(r"Berkas kolektif (?P<number>\S+)")
_HANDED = re.compile(r"Diserahkan kepada (?P<name>.*), (?:(?P<fixed>pemohon|operator desa)|kuasa \((?P<relation>.*)\))",
                     re.DOTALL)


class Reason(NamedTuple):
    """A reason the system wrote: its kind and the values it names (a batch number, a collector's name…)."""

    kind: str
    values: dict[str, str]


def fixed(kind: str) -> str:
    """Return the stored text of a reason without values (`NEW_PIN`, `DOWNLOADED`, `CANCELLED_BY_APPLICANT`)."""
    return FIXED[kind]


def batch_sent(number: str) -> str:
    """Return "Berkas kolektif KOL-7K3M-Q9PX": an application sent with the batch `number`."""
    return f"Berkas kolektif {number}"


def handed_over(name: str, collector: str, relation: str = "") -> str:
    """Return "Diserahkan kepada Siti Aminah, pemohon" (or "…, operator desa", or "…, kuasa (suami)")."""
    who = COLLECTOR_WORDS.get(collector) or f"kuasa ({relation})"
    return f"Diserahkan kepada {name}, {who}"


def read(text: str | None) -> Reason | None:
    """Return the kind and values of a reason this module wrote, or None for any other text."""
    text = text or ""
    for kind, stored in FIXED.items():
        if text == stored:
            return Reason(kind, {})
    if text in FIXED_ALIASES:
        return Reason(FIXED_ALIASES[text], {})
    if found := _BATCH.fullmatch(text):
        return Reason(BATCH_SENT, {"number": found["number"]})
    if found := _HANDED.fullmatch(text):
        collector = {"pemohon": "applicant", "operator desa": "operator"}.get(found["fixed"] or "", "authorised")
        return Reason(HANDED_OVER, {"name": found["name"], "collector": collector,
                                    "relation": found["relation"] or ""})
    return None
