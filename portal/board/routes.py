"""The lobby board, `/papan`: who is being served at each counter, the last called, who waits."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("board", __name__, url_prefix="/papan", template_folder="templates")
