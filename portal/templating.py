"""What every template can use, and `render`: one template for the page and for its htmx fragments."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Flask, current_app, render_template, request
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from jinja2_fragments.flask import render_block

from .domain.reports import days_and_hours
from .extensions import htmx
from .services.calendar import office_zone, zone_label
from .uploads import photo_shrink


def clock_time(value: datetime | time) -> str:
    """Return `value` as the office reads a clock: "12.00" in Indonesian, "12:00" in English.

    An aware datetime is first moved into the office's zone.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(office_zone())
        value = value.time()
    separator = "." if str(get_locale()) == "id" else ":"
    return f"{value.hour:02d}{separator}{value.minute:02d}"


def long_date(value: date | datetime) -> str:
    """Return "Senin, 28 Desember 2026" (or the English form) for a date or an aware datetime."""
    if isinstance(value, datetime):
        value = value.astimezone(office_zone()).date()
    return format_date(value, "EEEE, d MMMM y")  # Babel's "full" pads the day in Indonesian ("04")


def weekday_name(value: date) -> str:
    """Return the weekday's name: "Senin" (or "Monday")."""
    return format_date(value, "EEEE")


def duration_words(seconds: float | None) -> str:
    """Return a duration in words, in whole days and hours ("2 hari 3 jam", "5 jam", "kurang dari 1 jam"), or
    "—" for None."""
    if seconds is None:
        return "—"
    days, hours = days_and_hours(seconds)
    if not days and not hours:
        return _("kurang dari 1 jam")
    parts = ([ngettext("%(num)d hari", "%(num)d hari", days)] if days else []) + (
        [ngettext("%(num)d jam", "%(num)d jam", hours)] if hours else [])
    return " ".join(parts)


def short_date(value: date) -> str:
    """Return a compact date for tables: "30 Nov 2026" (or "30 Nov 2026" in English)."""
    return format_date(value, "d MMM y")


def localized(record, field: str) -> str:
    """Return `<field>_en` of `record` (a model or a dict) in English when it is filled in, else `<field>_id`."""
    def read(name: str) -> str:
        return (record.get(name) if isinstance(record, dict) else getattr(record, name, None)) or ""

    if str(get_locale()) == "en" and read(f"{field}_en"):
        return read(f"{field}_en")
    return read(f"{field}_id")


def closure_reason(closure) -> str:
    """Return why a day is closed in the visitor's language: a holiday's English name in English, else the reason."""
    if str(get_locale()) == "en" and getattr(closure, "reason_en", None):
        return closure.reason_en
    return closure.reason


def public_url(path: str) -> str:
    """Return `path` as an absolute URL on the portal's public address (`PUBLIC_URL`, else this request's host)."""
    base = current_app.config["PUBLIC_URL"] or request.host_url
    return base.rstrip("/") + path


def phone(e164: str | None) -> str:
    """Return a stored +62 number the way people write it: "0812-3456-7890"."""
    if not e164:
        return ""
    from lokal import parse_phone
    parsed = parse_phone(e164)
    return parsed.national if parsed.valid and parsed.national else e164


def render(template: str, fragments: tuple[str, ...] = (), **context) -> str:
    """Return `template` rendered whole, or only the block an htmx request targets.

    A block is rendered alone only for a plain htmx request whose `HX-Target` names one of `fragments`:
    boosted navigations and history restores need the whole page.
    """
    target = request.headers.get("HX-Target")
    if htmx and not htmx.boosted and not htmx.history_restore_request and target in fragments:
        return render_block(template, target, **context)
    return render_template(template, **context)


def init_app(app: Flask) -> None:
    """Register the template helpers and the `Vary` header that htmx fragments need."""
    app.jinja_env.globals.update(localized=localized, zone_label=zone_label, photo_shrink=photo_shrink())
    app.jinja_env.filters.update(clock_time=clock_time, long_date=long_date, weekday_name=weekday_name,
                                 short_date=short_date, phone=phone, duration_words=duration_words, closure_reason=closure_reason)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def office():
        """Give every template the office's names and the visitor's language."""
        return {"office_name": current_app.config["OFFICE_NAME"],
                "office_short_name": current_app.config["OFFICE_SHORT_NAME"],
                "office_address": current_app.config["OFFICE_ADDRESS"],
                "language": str(get_locale())}
