"""The kiosk (anjungan), `/kios`: walk-in tickets, status checks and today's hours on a touch screen."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("kiosk", __name__, url_prefix="/kios", template_folder="templates")
