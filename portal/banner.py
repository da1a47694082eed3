"""The open/closed banner on every page, in words a resident reads at a glance.

It is rendered with the page, so it is right without JavaScript; with JavaScript it asks for itself again
every minute: any page requested by htmx with `HX-Target: banner` answers with the `banner` block of
`base.html` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app, request
from flask_babel import gettext as _

from .domain.hours import ActivityStatus
from .services import calendar
from .services.calendar import OfficeStatus, zone_label
from .templating import clock_time, closure_reason, long_date


@dataclass(frozen=True)
class Banner:
    """What the banner shows: a tone (open, soon, closed), its lines, and the notices."""

    tone: str
    headline: str
    lines: tuple[str, ...]
    notices: tuple[str, ...]


def _clock(moment: datetime) -> str:
    """Return "12.00 WIB" with a no-break space: a narrow banner never leaves "WIB" alone on the next line."""
    return f"{clock_time(moment)}\N{NO-BREAK SPACE}{zone_label()}"


def _when(moment: datetime, now: datetime) -> str:
    """Return "pukul 08.00 WIB" today, "besok pukul ..." tomorrow, else the full date and time."""
    clock = _clock(moment)
    today = now.date()
    if moment.date() == today:
        return _("hari ini pukul %(time)s", time=clock)
    if moment.date() == today + timedelta(days=1):
        return _("besok, %(date)s pukul %(time)s", date=long_date(moment), time=clock)
    return _("%(date)s pukul %(time)s", date=long_date(moment), time=clock)


def _activity_line(label_open: str, label_soon: str, label_closed: str, state: ActivityStatus,
                   now: datetime) -> str:
    """Return one activity's line: open until, closing in N minutes, or opening when."""
    if state.open:
        if state.closing_soon:
            return label_soon % {"minutes": state.minutes_left, "time": _clock(state.closes_at)}
        return label_open % {"time": _clock(state.closes_at)}
    if state.next_open is None:
        return label_closed % {"when": _("sampai ada pengumuman")}
    return label_closed % {"when": _when(state.next_open, now)}


def build_banner(status: OfficeStatus) -> Banner:
    """Return the banner for `status`: one line per activity, or one line when both reopen together."""
    now = status.at
    submission, pickup = status.submission, status.pickup
    notices = tuple(_notice_text(notice) for notice in status.notices)
    if not submission.open and not pickup.open:
        reason = closure_reason(status.closure) if status.closure else None
        headline = _("Tutup — %(reason)s", reason=reason) if reason else _("Kantor sedang tutup")
        if submission.next_open == pickup.next_open:
            when = _when(submission.next_open, now) if submission.next_open else _("sampai ada pengumuman")
            if submission.next_open and submission.next_open.date() == now.date():
                headline = _("Belum buka")
            return Banner("closed", headline, (_("Buka lagi %(when)s", when=when),), notices)
    else:
        soon = (submission.open and submission.closing_soon) or (pickup.open and pickup.closing_soon)
        headline = _("Kantor buka")
        if soon:
            headline = _("Segera tutup")
    lines = (
        _activity_line(_("Pengajuan buka sampai %(time)s"), _("Pengajuan tutup %(minutes)s menit lagi (%(time)s)"),
                       _("Pengajuan tutup. Buka lagi %(when)s"), submission, now),
        _activity_line(_("Pengambilan buka sampai %(time)s"),
                       _("Pengambilan tutup %(minutes)s menit lagi (%(time)s)"),
                       _("Pengambilan tutup. Buka lagi %(when)s"), pickup, now),
    )
    if not submission.open and not pickup.open:
        tone = "closed"
    elif (submission.open and submission.closing_soon) or (pickup.open and pickup.closing_soon):
        tone = "soon"
    else:
        tone = "open"
    return Banner(tone, headline, lines, notices)


def _notice_text(notice) -> str:
    """Return a notice's text in the visitor's language when an English text exists."""
    from flask_babel import get_locale
    if str(get_locale()) == "en" and notice.text_en:
        return notice.text_en
    return notice.text


def init_app(app: Flask) -> None:
    """Give every page its banner and answer htmx banner refreshes with the banner block alone."""
    from jinja2_fragments.flask import render_block

    from .extensions import htmx

    @app.context_processor
    def banner_context():
        """Give templates `banner`, computed once per request and only when a template asks for it."""
        return {"banner": _LazyBanner(), "banner_refresh": current_app.config["BANNER_REFRESH_SECONDS"]}

    @app.before_request
    def refresh_banner():
        """Return the `banner` block alone for an htmx GET that targets it; else let the view run."""
        environ = request.environ  # most requests stop at the first test
        if (environ.get("HTTP_HX_TARGET") == "banner" and environ["REQUEST_METHOD"] == "GET" and htmx
                and not htmx.boosted and request.endpoint != "static"):
            response = current_app.make_response(render_block("base.html", "banner"))
            response.vary.add("HX-Request")
            response.vary.add("HX-Target")
            response.headers["Cache-Control"] = "no-store"
            return response
        return None


class _LazyBanner:
    """Defers building the banner until a template reads it (error pages and fragments may not)."""

    _banner: Banner | None = None

    def _get(self) -> Banner:
        if self._banner is None:
            self._banner = build_banner(calendar.status())
        return self._banner

    def __getattr__(self, name):
        return getattr(self._get(), name)
