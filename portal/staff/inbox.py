"""The inbox, `/petugas`: applications to review, filtered and searched, oldest first, with take and release."""

from __future__ import annotations

from flask_login import current_user

from ..auth.guard import roles_required
from ..templating import render
from .routes import STAFF_ROLES, bp


@bp.get("")
@roles_required(*STAFF_ROLES)
def home():
    """Return the clerk's inbox."""
    return render("account_home.html", user=current_user, area="staff")
