"""The clerk's area, `/petugas/…`: inbox, review, ready, handover, prints and the audit log.

The blueprint lives here; each area adds its views to it from its own module (imported at the bottom).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/petugas", template_folder="templates")

STAFF_ROLES = ("clerk", "supervisor", "admin")
SUPERVISOR_ROLES = ("supervisor", "admin")

from . import audit_log, handover, inbox, prints, review, review_files  # noqa: E402,F401  (their views register on bp)
