"""The village operator's blueprint, `/desa/…`. Every village module adds its views to `bp`."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("village", __name__, url_prefix="/desa", template_folder="templates")

OPERATOR = "operator"
