"""The supervisor's area, `/admin/…`: closures and notices, quotas, users, notifications, reports.

Supervisors and admins only. The blueprint lives here; each part adds its pages from its own module
(imported at the bottom): `office` (closures, date overrides, notices, quotas), `users` (accounts),
`reports` (figures, charts and CSV).
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from ..auth.guard import roles_required
from ..templating import render

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

SUPERVISORS = ("supervisor", "admin")


@bp.get("")
@roles_required(*SUPERVISORS)
def home():
    """Return the supervisor's home: today's status, the next closures, the notices running, today's queue use,
    and links to every settings page."""
    from .office import home_context

    return render("admin/home.html", user=current_user, **home_context())


from . import office as _office, reports as _reports, users as _users  # noqa: E402,F401  their views register on bp
