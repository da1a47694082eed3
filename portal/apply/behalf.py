"""The shared application form when a village operator fills it in for a resident (channel "village").

The form's pages (`routes.py`, `steps.py`) stay one implementation; what differs for a draft an operator
filed lives here: only a signed-in operator of the filing desa may continue it, the address is the
operator's own desa, and the check page saves it into the desa's open batch (berkas kolektif) instead of
submitting it.
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from .. import access
from ..models import Application, Batch, Region
from ..services import batches, calendar
from ..templating import short_date
from . import forms

VILLAGE = "village"


def is_village(application: Application | None) -> bool:
    """Return True when `application` is a draft a village operator filed for a resident."""
    return application is not None and application.channel == VILLAGE


def is_operator() -> bool:
    """Return True when a village operator is signed in (their filings start by recording consent)."""
    return current_user.is_authenticated and current_user.role == "operator"


def may_continue(application: Application) -> bool:
    """Return True when this browser may go on filling in `application`.

    A resident's own draft: yes (the browser has it). A village draft: only for a signed-in operator of
    the filing desa. Raises (through `abort`) a 303 to the sign-in page when the operator who took it up in
    this browser is no longer signed in, so they can sign in and carry on.
    """
    if not is_village(application):
        return True
    if current_user.is_authenticated:
        return current_user.role == "operator" and batches.owned(current_user, application)
    if access.draft_operator(application.service_code) is not None:
        abort(redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")), 303))
    return False  # a resident who unlocked it with reference and PIN: the operator fills it in


def filing_desa(application: Application | None) -> Region | None:
    """Return the only desa a village draft may give as the resident's address (the operator's), else None."""
    if not is_village(application) or application.filer is None:
        return None
    return application.filer.region


def wrong_desa_message(desa: Region) -> str:
    """Return the sentence refusing another desa on a village draft's address page."""
    return _("Operator desa hanya mengajukan untuk warga desa %(desa)s. Warga desa lain mengajukan lewat "
             "operator desanya sendiri atau langsung dari HP.", desa=desa.name)


def declaration_form(application: Application) -> tuple[forms.VillageDeclarationForm, list[Batch]]:
    """Return the village check page's form and the desa's open batches it may choose from.

    The batch choice is offered only when the draft is in no batch yet and the desa has several open ones.
    """
    form = forms.VillageDeclarationForm()
    open_batches = [] if application.batch_id else batches.open_of_desa(current_user.region_code)
    if len(open_batches) > 1:
        sizes = batches.sizes([batch.id for batch in open_batches])
        form.batch.choices = [SelectChoice(str(batch.id), _(
            "%(number)s — dibuka %(date)s oleh %(name)s, %(count)s permohonan", number=batch.number,
            date=short_date(batch.created_at.astimezone(calendar.office_zone()).date()),
            name=batch.created_by_name, count=sizes.get(batch.id, 0))) for batch in open_batches]
    return form, open_batches


def save_to_batch(application: Application, form: forms.VillageDeclarationForm, open_batches: list[Batch]):
    """Check the posted village declaration and put the draft into the desa's open batch.

    Return the batch it is in, or None when the form has errors (set on the form). With no open batch one
    is opened; with one it is used; with several the operator's choice is. Raises BatchRefused when the
    batch cannot take it (e.g. submitted meanwhile).
    """
    if not form.validate():
        return None
    now = calendar.now()
    reason = form.duplicate_reason.data or ""
    if application.batch_id:  # already in one: keep the reason given now
        batches.add(application.batch, application, current_user, now, duplicate_reason=reason)
        return application.batch
    if len(open_batches) > 1:
        chosen = next((b for b in open_batches if str(b.id) == (form.batch.data or "")), None)
        if chosen is None:
            form.batch.errors = [_("Pilih berkas kolektif untuk permohonan ini.")]
            return None
    elif open_batches:
        chosen = open_batches[0]
    else:
        chosen = batches.open_batch(current_user, now)
    batches.add(chosen, application, current_user, now, duplicate_reason=reason)
    access.forget_draft(application.service_code)  # done here: the next filing of this service starts afresh
    return chosen


def refused_message(code: str) -> str:
    """Return the sentence for a batch that would not take the draft."""
    if code == "not_open":
        return _("Berkas kolektif itu sudah dikirim. Pilih lagi atau buka berkas baru di halaman Berkas kolektif.")
    if code == "not_draft":
        return _("Permohonan ini sudah dikirim, jadi tidak bisa dimasukkan ke berkas kolektif lagi.")
    return _("Permohonan ini tidak bisa dimasukkan ke berkas kolektif itu.")


def check_page(service, application: Application, all_steps, progress, missing, kecamatan_name: str,
               duplicate=None):
    """Return the check page of a village draft, with the warning `duplicate` (see `duplicate_notice`); on a
    valid post, save it into a batch (303 to the operator's "saved" page). A refused batch answers 409 with
    the reason, bad input 422."""
    from ..services.applications import DuplicateOpen
    from ..services.batches import BatchRefused
    from ..templating import render
    from .duplicate_notice import reason_message

    form, open_batches = declaration_form(application)
    if request.method == "GET" and application.duplicate_reason:
        form.duplicate_reason.data = application.duplicate_reason  # given before: shown to change or keep
    refusal = None
    if request.method == "POST":
        try:
            batch = save_to_batch(application, form, open_batches)
        except BatchRefused as refused:
            refusal, batch = refused_message(refused.code), None
        except DuplicateOpen as refused:
            form.duplicate_reason.errors, batch = [reason_message(refused.code)], None
        if batch is not None:
            return redirect(url_for("village.filed", reference=application.reference), 303)
    status = 409 if refusal else 422 if request.method == "POST" else 200
    return render("apply/check.html", service=service, application=application, steps=all_steps,
                  progress=progress, form=form, missing=missing, kecamatan_name=kecamatan_name, village=True,
                  open_batches=open_batches, refusal=refusal, duplicate=duplicate), status
