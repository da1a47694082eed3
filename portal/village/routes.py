"""The village operator's area, `/desa/…`: applications on behalf of residents, batches, collective pickup."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from ..auth.guard import roles_required
from ..templating import render

bp = Blueprint("village", __name__, url_prefix="/desa")


@bp.get("")
@roles_required("operator")
def home():
    """Return the operator's home: who and which desa (the batch tools arrive with their issue)."""
    return render("account_home.html", user=current_user, area="village")
