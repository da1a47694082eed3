"""Reading a date typed into a form: what a date picker sends, or what people type."""

from __future__ import annotations

import re
from datetime import date

_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")


def parse_day(text: str) -> date:
    """Return the date in `text`: "2026-12-03" (what a date picker sends) or "3-12-2026", "3/12/2026",
    "3.12.2026" (day first, as people here write it). Raises ValueError for anything else."""
    match = _DMY.fullmatch(text.strip())
    return date(int(match[3]), int(match[2]), int(match[1])) if match else date.fromisoformat(text.strip())
