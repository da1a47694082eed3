"""The clerk's blueprint, `/petugas/…`, and who may use it. Every staff module adds its views to `bp`."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/petugas", template_folder="templates")

STAFF_ROLES = ("clerk", "supervisor", "admin")
SUPERVISOR_ROLES = ("supervisor", "admin")
