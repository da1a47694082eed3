"""The tracking blueprint, `/lacak/…`. `routes` and `correction` add their views to `bp`."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("track", __name__, url_prefix="/lacak", template_folder="templates")
