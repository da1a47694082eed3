"""The supervisor's area, `/admin/…`: services, hours, closures, quotas, users, reports."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from ..auth.guard import roles_required
from ..templating import render

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
@roles_required("supervisor", "admin")
def home():
    """Return the supervisor's home (the settings screens arrive with their issue)."""
    return render("account_home.html", user=current_user, area="admin")
