"""The lobby board, `/papan`: who is being served at each counter, the last called, who waits.

A full-screen page for a TV in the lobby, public and without the site's header. With JavaScript htmx asks
for the `board` block every `BOARD_REFRESH_SECONDS`; without it a `<noscript>` meta refresh reloads the
page. Never stored by a browser: it changes with every call. The server keeps the last renders for the
second they were made in, while today's tickets and the office's data stay as they were (`board.version`,
one cheap query at most once a second), compressed: every TV and poll within that second gets the same page
without a render.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, make_response, request

from ..counter import present
from ..extensions import select_locale
from ..pagecache import CachedPage
from ..services import board as queue_board
from ..services import calendar, queue, revisions
from ..templating import render

bp = Blueprint("board", __name__, url_prefix="/papan", template_folder="templates")

MANY_COUNTERS = 8  # past this many, the counter cards get smaller so all of them fit on one screen
KEPT_RENDERS = 8  # the board's shapes (page or block, two languages) within one second, with room to spare


@bp.get("")
def page():
    """Return the board (or only its `board` block for an htmx poll), never to be stored by the browser."""
    now = calendar.now()
    # The whole page and the htmx block differ (templating.render), and so do the languages. Read from the
    # WSGI variables: every TV asks every few seconds, and a header missing from Werkzeug's `.get` costs more.
    environ = request.environ
    shape = (select_locale(), environ.get("HTTP_HX_REQUEST") == "true", environ.get("HTTP_HX_BOOSTED") == "true",
             environ.get("HTTP_HX_TARGET"))
    key = (shape, now.isoformat()[:19], queue_board.version(now), revisions.snapshot())
    renders = current_app.extensions.setdefault("loket_board", {})
    kept = renders.get(key)
    if kept is None:
        response = make_response(_render(now))
        response.headers["Cache-Control"] = "no-store"
        kept = CachedPage.from_response(response)  # compressed once, not for every TV
        if len(renders) >= KEPT_RENDERS:  # older seconds' pages are never asked for again
            renders.clear()
        renders[key] = kept
    return kept.to_response()


def _render(now):
    """Return the board's HTML (or its `board` block for htmx) at `now`."""
    board = queue_board.board(now)
    refresh = current_app.config["BOARD_REFRESH_SECONDS"]
    latest = board.last_called[0] if board.last_called else None
    # Only a call made since the previous poll flashes, so the animation does not repeat every refresh.
    fresh = latest is not None and now - latest.called_at <= timedelta(seconds=refresh)
    html = render("board/board.html", fragments=("board",), board=board, latest=latest, fresh=fresh,
                  refresh=refresh, now=now, names=present.purpose_names(), purposes=queue.purposes(),
                  many=len(board.serving) > MANY_COUNTERS)
    return html
