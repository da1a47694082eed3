"""Public pages: home, the service catalogue, the schedule, the language switch, and placeholders."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, redirect, request, url_for

from ..domain.hours import ACTIVITIES
from ..pagecache import cached_page
from ..redirects import safe_next
from ..services import calendar, catalogue
from ..templating import render

bp = Blueprint("public", __name__, template_folder="templates")

SCHEDULE_DAYS = 60


@bp.get("/")
@cached_page()
def home():
    """Return the home page: the three big actions and the services."""
    services = catalogue.active_services()
    return render("public/home.html", groups=catalogue.grouped(services))


@bp.get("/layanan")
@cached_page()
def services():
    """Return the catalogue of services, grouped."""
    return render("public/services.html", groups=catalogue.grouped(catalogue.active_services()))


@bp.get("/layanan/<code>")
@cached_page()
def service(code: str):
    """Return one service's requirements; 404 for an unknown or inactive service."""
    found = catalogue.find_service(code)
    if found is None:
        abort(404)
    return render("public/service.html", service=found, notices=calendar.service_notices(found.code))


@bp.get("/jadwal")
@cached_page()
def schedule():
    """Return this week's hours per activity and the closures of the next 60 days."""
    at = calendar.now().astimezone(calendar.office_zone())
    office = calendar.calendar(at)
    monday = office.week_to_show(at)  # the coming week once nothing more opens in this one
    week = [
        (monday + timedelta(days=offset),
         {activity: office.plan(activity, monday + timedelta(days=offset)) for activity in ACTIVITIES})
        for offset in range(7)
    ]
    closures = office.closures_between(at.date(), at.date() + timedelta(days=SCHEDULE_DAYS))
    # The weekdays the regular week (as set in /admin/jam) closes for every activity, named by the footnote.
    weekly = calendar.weekly_hours()
    closed = [monday + timedelta(days=offset) for offset in range(7)
              if not any(weekly.windows[activity][offset] for activity in ACTIVITIES)]
    return render("public/schedule.html", week=week, today=at.date(), closures=closures, days=SCHEDULE_DAYS,
                  next_week=monday > at.date(), closed_weekdays=closed,
                  weekend_closed=[day.weekday() for day in closed] == [5, 6])


@bp.get("/bahasa/<code>")
def language(code: str):
    """Remember the chosen language in a cookie and go back to the page the visitor was on (303)."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(_safe_next(request.args.get("next")), code=303)
    response.set_cookie(current_app.config["LANGUAGE_COOKIE"], code, max_age=365 * 24 * 3600,
                        samesite="Lax", httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _safe_next(target: str | None) -> str:
    """Return `target` when it is a plain path on this site, else the home page (no open redirect)."""
    return safe_next(target) or url_for("public.home")


@bp.get("/favicon.ico")
def favicon():
    """Redirect browsers that ask for /favicon.ico to the hashed icon (301, cached)."""
    from ..assets import ONE_YEAR
    response = redirect(current_app.jinja_env.globals["asset_url"]("favicon.svg"), code=301)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}"
    return response
