"""The operator's home `/desa`: the desa's applications by status, search, what needs action first."""

from __future__ import annotations

from flask_login import current_user

from ..auth.guard import roles_required
from ..templating import render
from .routes import OPERATOR, bp


@bp.get("")
@roles_required(OPERATOR)
def home():
    """Return the operator's home (filled in by the village-home change)."""
    return render("account_home.html", user=current_user, area="village")
