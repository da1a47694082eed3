"""The lobby board, `/papan`: who is being served at each counter, the last called, who waits.

A full-screen page for a TV in the lobby, public and without the site's header. With JavaScript htmx asks
for the `board` block every `BOARD_REFRESH_SECONDS`; without it a `<noscript>` meta refresh reloads the
page. Never cached: it changes with every call.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, make_response

from ..counter import present
from ..services import calendar, queue
from ..templating import render

bp = Blueprint("board", __name__, url_prefix="/papan", template_folder="templates")

MANY_COUNTERS = 8  # past this many, the counter cards get smaller so all of them fit on one screen


@bp.get("")
def page():
    """Return the board (or only its `board` block for an htmx poll), never to be cached."""
    now = calendar.now()
    board = queue.board(now)
    refresh = current_app.config["BOARD_REFRESH_SECONDS"]
    latest = board.last_called[0] if board.last_called else None
    # Only a call made since the previous poll flashes, so the animation does not repeat every refresh.
    fresh = latest is not None and now - latest.called_at <= timedelta(seconds=refresh)
    html = render("board/board.html", fragments=("board",), board=board, latest=latest, fresh=fresh,
                  refresh=refresh, now=now, names=present.purpose_names(), purposes=queue.purposes(),
                  many=len(board.serving) > MANY_COUNTERS)
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response
