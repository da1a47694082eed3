"""The counters usually on duty per queue purpose (`/admin/loket`), which give every day's hourly quotas
unless a day has its own figures (`/admin/kuota`).

Stored figures win over the `QUEUE_COUNTERS` setting; "Kembalikan ke bawaan" removes them. Each save is
audited in the same commit, and the queue's offers read the new figures on the next request.
"""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from ..auth.guard import roles_required
from ..domain import queue as rules
from ..domain.hours import Window
from ..queue.present import purpose_label
from ..services import calendar, queue, quotas
from ..templating import render
from .blueprint import SUPERVISORS, bp

HOUR = Window.parse("08:00-09:00")  # any full hour: the page shows what one hour holds


def _counters_form(formdata=None) -> FlaskForm:
    """Return a form with one field per purpose (named by its code), filled with today's usual counters."""

    class CountersForm(FlaskForm):
        pass

    for found in queue.purposes():
        setattr(CountersForm, found.code, StringField(purpose_label(found), filters=[lambda v: (v or "").strip()]))
    data = {found.code: str(queue.usual_counters(found)) for found in queue.purposes()}
    return CountersForm(formdata=formdata, data=None if formdata else data)


def _rows() -> list[dict]:
    """Return per purpose: the purpose, its usual counters, whether a supervisor set them, the setting's
    figure, and the tickets one full hour then holds."""
    stored = quotas.stored_usual_counters()
    rows = []
    for found in queue.purposes():
        counters = queue.usual_counters(found)
        rows.append({"purpose": found, "label": purpose_label(found), "counters": counters,
                     "stored": stored.get(found.code),
                     "configured": queue.configured_counters(found),
                     "per_hour": rules.default_quota(counters, found, HOUR)})
    return rows


def _page(form=None, status: int = 200):
    return render("admin/counters.html", form=form or _counters_form(), rows=_rows(),
                  maximum=quotas.MAX_COUNTERS), status


@bp.get("/loket")
@roles_required(*SUPERVISORS)
def counters():
    """Return the usual counters per purpose, what an hour holds with them, and the form to change them."""
    return _page()


def _read(form) -> dict[str, int] | None:
    """Return code → counters from `form`, or None with an Indonesian error on every unreadable field."""
    figures, ok = {}, True
    for found in queue.purposes():
        field = form[found.code]
        text = field.data or ""
        # ASCII digits only: str.isdigit() also takes "²" and "٣", which int() refuses or reads unexpectedly
        if not re.fullmatch(r"[0-9]{1,3}", text) or int(text) > quotas.MAX_COUNTERS:
            field.errors = [_("Tulis jumlah loket %(name)s sebagai angka 0 sampai %(max)s.",
                              name=purpose_label(found), max=quotas.MAX_COUNTERS)]
            ok = False
            continue
        figures[found.code] = int(text)
    return figures if ok else None


@bp.post("/loket")
@roles_required(*SUPERVISORS)
def save_counters():
    """Store the usual counters (audited) and go back (303); the page with the errors (422) otherwise."""
    form = _counters_form(request.form)  # CSRFProtect has checked the token already
    figures = _read(form)
    if figures is None:
        return _page(form, status=422)
    changed = quotas.set_usual_counters(figures, current_user, calendar.now())  # audited in the same commit
    if not changed:
        flash(_("Tidak ada yang berubah; tidak ada yang disimpan."))
        return redirect(url_for("admin.counters"), 303)
    shown = "; ".join(f"{purpose_label(code)}: {before} → {after}" for code, (before, after) in changed.items())
    flash(_("Jumlah loket disimpan: %(detail)s. Kuota setiap hari mengikuti, kecuali hari yang punya angka sendiri.",
            detail=shown))
    return redirect(url_for("admin.counters"), 303)


@bp.post("/loket/bawaan")
@roles_required(*SUPERVISORS)
def reset_counters():
    """Remove the supervisor's figures so the setting applies again (audited); 303 back."""
    if quotas.reset_usual_counters(current_user, calendar.now()):  # audited in the same commit
        flash(_("Jumlah loket kembali ke pengaturan server."))
    else:
        flash(_("Tidak ada yang berubah; tidak ada yang disimpan."))
    return redirect(url_for("admin.counters"), 303)
