"""The supervisor's blueprint, `/admin/…`, and who may use it. Every admin module adds its views to `bp`."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

SUPERVISORS = ("supervisor", "admin")
