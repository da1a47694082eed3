"""The JSON API for kiosks, lobby boards and other sites: `/api/status`."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Blueprint, jsonify, request

from ..domain.hours import ActivityStatus
from ..pagecache import cached_page
from ..services import calendar
from ..services.calendar import OfficeStatus

bp = Blueprint("api", __name__, url_prefix="/api")

_SPACED_OFFSET = re.compile(r" (\d{2}(?::?\d{2})?)$")


def _iso(moment: datetime | None) -> str | None:
    """Return `moment` in ISO 8601 with its offset, to the second, or None."""
    return moment.isoformat(timespec="seconds") if moment else None


def _activity(state: ActivityStatus) -> dict:
    """Return one activity's status as JSON-ready data."""
    return {
        "open": state.open,
        "closes_at": _iso(state.closes_at),
        "next_open": _iso(state.next_open),
        "closing_soon": state.closing_soon,
        "minutes_left": state.minutes_left,
        "closure": {"date": state.closure.day.isoformat(), "reason": state.closure.reason}
        if state.closure else None,
    }


def status_document(status: OfficeStatus) -> dict:
    """Return the `/api/status` document for `status` (the contract of product.md, plus a few extras)."""
    return {
        "at": _iso(status.at),
        "timezone": str(status.at.tzinfo),
        "submission": _activity(status.submission),
        "pickup": _activity(status.pickup),
        "closure": {"date": status.closure.day.isoformat(), "reason": status.closure.reason,
                    "reason_en": status.closure.reason_en} if status.closure else None,
        "notices": [{"text": notice.text, "text_en": notice.text_en, "service": notice.service_code,
                     "starts_on": notice.starts_on.isoformat(),
                     "ends_on": notice.ends_on.isoformat() if notice.ends_on else None}
                    for notice in status.notices],
    }


def parse_instant(text: str) -> datetime:
    """Return the ISO 8601 instant `text`; one without an offset is read in the office's zone.

    Raises ValueError when `text` is not an ISO 8601 date-time.
    """
    # An unencoded "+07:00" in a query string arrives as " 07:00": read it as the offset it was.
    moment = datetime.fromisoformat(_SPACED_OFFSET.sub(r"+\1", text.strip()))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=calendar.office_zone())
    return moment


@bp.get("/status")
@cached_page(per="second")
def status():
    """Return the office status now, or at `?at=<ISO 8601>`; 400 with a JSON error for a bad `at`."""
    at_text = request.args.get("at")
    if at_text is None:
        at = calendar.now()
    else:
        try:
            at = parse_instant(at_text)
        except ValueError:
            response = jsonify(error="invalid_at",
                               message="Parameter 'at' harus berupa waktu ISO 8601, "
                                       "misalnya 2026-12-04T09:30:00+07:00.")
            response.status_code = 400
            return response
    response = jsonify(status_document(calendar.status(at)))
    response.headers["Cache-Control"] = "public, max-age=30"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
