"""Notices shown under the banner: global or for one service, each with the dates it runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable


@dataclass(frozen=True)
class Notice:
    """A message the office wants every visitor (or every applicant of one service) to read."""

    text: str
    starts_on: date
    ends_on: date | None = None
    service_code: str | None = None
    text_en: str | None = None

    def active_on(self, day: date) -> bool:
        """Return True when `day` falls within the notice's dates (both inclusive; no end = open-ended)."""
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


def active_notices(notices: Iterable[Notice], day: date, service_code: str | None = None) -> list[Notice]:
    """Return the notices running on `day`: global ones, plus those of `service_code` when given."""
    return [
        notice for notice in notices
        if notice.active_on(day) and (notice.service_code is None or notice.service_code == service_code)
    ]
