"""The clerk's flag for a NIK with several open applications of one service: on each inbox row, and on the
review page with links to the others and the reason given when one was sent beside an open one."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import ngettext

from ..domain import duplicates as duplicate_rules
from ..models import Application
from ..services import duplicates


def open_counts(rows) -> dict[tuple[str, str], int]:
    """Return how many open applications the NIK and service of each open row of `rows` has (one grouped
    query per page, none when no row is open)."""
    return duplicates.open_counts({(row.nik, row.service_code) for row in rows
                                   if row.nik and duplicate_rules.is_open(row.state)})


def inbox_flag(row, open_counts: dict, texts: dict) -> tuple[str, str | None]:
    """Return the flag of `row` and the inbox address listing its NIK's applications of the service, or
    ("", None) when the row is not open or is the only open one. `texts` keeps each count's sentence."""
    count = open_counts.get((row.nik, row.service_code), 0) if duplicate_rules.is_open(row.state) else 0
    if count < 2:
        return "", None
    if count not in texts:
        texts[count] = ngettext("NIK ini punya %(num)s permohonan terbuka untuk layanan ini",
                                "NIK ini punya %(num)s permohonan terbuka untuk layanan ini", count)
    return texts[count], url_for("staff.home", cari=row.nik, layanan=row.service_code)


@dataclass(frozen=True)
class DuplicateFlag:
    """The review page's flag for a NIK with several open applications of one service, or for one sent beside
    an open one: how many are open (this one included when it is), the others with their review pages, and
    the reason given when it was sent (with how many were open then)."""

    open_count: int
    others: list[tuple[str, str, str, object]]  # (reference, state label, review address, sent at)
    sent_beside: int
    reason: str


def duplicate_flag(application: Application, others: list[Application], state_label, review_url) -> \
        DuplicateFlag | None:
    """Return the flag for `application` given the `others` open of its NIK and service (see
    `services.duplicates.open_others`), or None when there is nothing to say. `state_label(state)` and
    `review_url(reference)` name a state and address a review page."""
    if not others and not application.duplicates_when_sent:
        return None
    own = 1 if duplicate_rules.is_open(application.state) else 0
    return DuplicateFlag(
        open_count=len(others) + own,
        others=[(other.reference, state_label(other.state), review_url(other.reference), other.submitted_at)
                for other in others],
        sent_beside=application.duplicates_when_sent or 0, reason=application.duplicate_reason or "")
