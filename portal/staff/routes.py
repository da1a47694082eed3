"""The clerk's area, `/petugas/…`: inbox, review, ready, handover, counter."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from ..auth.guard import roles_required
from ..templating import render

bp = Blueprint("staff", __name__, url_prefix="/petugas")


@bp.get("")
@roles_required("clerk", "supervisor", "admin")
def home():
    """Return the clerk's home (the inbox arrives with its issue)."""
    return render("account_home.html", user=current_user, area="staff")
