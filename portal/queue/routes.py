"""Queue tickets online, `/antrean`: book a day and window, view, download and cancel a ticket."""

from __future__ import annotations

from flask import Blueprint

from ..templating import render

bp = Blueprint("queue", __name__, url_prefix="/antrean", template_folder="templates")


@bp.get("")
def index():
    """Return the queue's start page: take a ticket, or open one with its code."""
    return render("public/coming_soon.html", feature="queue", service=None)
