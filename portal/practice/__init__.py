"""Practice mode (`LOKET_PRACTICE=1`, `make practice`): the practice clock, the "MODE LATIHAN" mark that every
page and printed document carries, and the panel `/latihan` (routes.py)."""

from __future__ import annotations

from flask import Flask


def practice_time() -> str:
    """Return the practice clock as the mark shows it: "Senin 09.12 WIB". Needs an app and request context."""
    from ..services.calendar import now, office_zone, zone_label
    from ..templating import clock_time, weekday_name

    moment = now().astimezone(office_zone())
    return f"{weekday_name(moment.date())} {clock_time(moment)}\N{NO-BREAK SPACE}{zone_label()}"


def init_app(app: Flask) -> None:
    """Install the practice clock in practice mode, and give every template (PDFs included) `practice`, true in
    practice mode, and `practice_time()`."""
    from ..services import practice

    practice.init_app(app)
    app.jinja_env.globals.update(practice=bool(app.config["PRACTICE"]), practice_time=practice_time)
