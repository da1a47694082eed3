"""Batches (berkas kolektif) `/desa/berkas/…`: open one, add and remove the desa's drafts, submit it at once,
and print its cover sheet.

Submitting is all-or-nothing (`services.batches.submit`): when one application is incomplete nothing is
submitted and the page names which and why. Every refusal is a sentence with the page to go on from.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.guard import roles_required
from ..domain import batch as rules
from ..domain import form as form_steps
from ..domain import lifecycle
from ..domain.nik import mask
from ..models import Application, Batch
from ..pdf.cover import cover_data, render_cover
from ..services import applications, batches, calendar
from ..services.calendar import office_zone
from ..templating import localized, render, short_date
from .. import application_text
from .blueprint import OPERATOR, bp
from .ownership import own_application_or_404, own_batch_or_404
from ..downloads import pdf_response


def progress_label(progress: str) -> str:
    """Return how far a batch got, in words (see `portal.domain.batch.progress`)."""
    return {
        rules.OPEN: _("Terbuka"),
        rules.IN_PROCESS: _("Terkirim"),
        rules.PARTLY_READY: _("Sebagian siap"),
        rules.READY: _("Siap diambil"),
        rules.COLLECTED: _("Sudah diambil"),
        rules.ENDED: _("Selesai"),
    }[progress]


def missing_steps(application: Application) -> list[form_steps.Step]:
    """Return the required steps `application` still lacks ([] when it is complete)."""
    return form_steps.missing_required(applications.steps(application), applications.progress(application))


def step_names(steps: list[form_steps.Step]) -> list[str]:
    """Return what each step asks for, in words ("NIK", "Foto KK lama")."""
    fixed = {form_steps.NIK: _("NIK"), form_steps.NAME: _("Nama"), form_steps.BIRTH: _("Tanggal lahir"),
             form_steps.PHONE: _("Nomor HP"), form_steps.ADDRESS: _("Alamat")}
    names = []
    for step in steps:
        if step.kind in fixed:
            names.append(fixed[step.kind])
        else:
            field = "name" if step.kind == form_steps.DOCUMENT else "label"
            names.append(localized(step.spec, field) or step.key or step.slug)
    return names


def batch_sizes(found: list[Batch]) -> dict[int, int]:
    """Return how many applications each batch holds (0 for an empty one)."""
    counted = batches.sizes([batch.id for batch in found])
    return {batch.id: counted.get(batch.id, 0) for batch in found}


def refusal_message(code: str) -> str:
    """Return the sentence an operator reads for a refused batch change (`BatchRefused.code`)."""
    return {
        "other_desa": _("Permohonan atau berkas ini bukan milik desa Anda."),
        "not_open": _("Berkas ini sudah dikirim, jadi isinya tidak bisa diubah lagi."),
        "not_draft": _("Permohonan ini sudah dikirim atau sudah berakhir, jadi tidak bisa dimasukkan ke berkas."),
        "not_village": _("Permohonan ini diajukan sendiri oleh warga, bukan lewat desa."),
        "in_other_batch": _("Permohonan ini sudah ada di berkas lain. Keluarkan dulu dari berkas itu."),
        "not_in_batch": _("Permohonan ini tidak ada di berkas ini."),
    }.get(code, _("Perubahan ini tidak dapat dilakukan."))


@bp.get("/berkas", endpoint="batches")
@roles_required(OPERATOR)
def batches_page():
    """Return the desa's batches, open ones first, with their progress and sizes."""
    found = batches.of_desa(current_user.region_code)
    return render("village/batches.html", batches=found, sizes=batch_sizes(found), day=_day,
                  progress={batch.id: progress_label(batches.progress(batch)) for batch in found})


def _day(instant) -> str:
    """Return the office's date of an instant, compact: "3 Des 2026"."""
    return short_date(instant.astimezone(office_zone()).date())


@bp.post("/berkas")
@roles_required(OPERATOR)
def batch_open():
    """Open a new batch for the desa and go to it (303)."""
    batch = batches.open_batch(current_user, calendar.now())
    flash(_("Berkas %(number)s dibuka. Tambahkan permohonan yang sudah lengkap.", number=batch.number))
    return redirect(url_for("village.batch", batch_id=batch.id), 303)


@bp.get("/berkas/<int:batch_id>")
@roles_required(OPERATOR)
def batch(batch_id: int):
    """Return one of the desa's batches (404 otherwise): its applications and what each still lacks, the
    drafts that may be added and the submit button; after submission, how far each application got.

    A send just refused (see `batch_submit`) is said once here, its problems as they stand now."""
    found = own_batch_or_404(batch_id)
    refused = session.pop(REFUSED_SEND, None)
    if isinstance(refused, dict) and refused.get("batch") == found.id:
        code = refused.get("code")
        problems = batches.problems(found) if code == "incomplete" else None
        return _batch_page(found, _send_refusal(code), problems=problems)
    return _batch_page(found)


def _batch_page(found: Batch, refusal: str = "", problems=None, status: int = 200):
    """Return the batch page, with a refusal sentence or the problems that blocked submitting."""
    members = [(application, step_names(missing), application.state != lifecycle.DRAFT)
               for application, missing in batches.members(found)]
    addable = []
    if found.state == rules.OPEN:
        addable = [(application, step_names(missing_steps(application)))
                   for application in batches.addable(current_user)]
    html = render("village/batch.html", batch=found, members=members, addable=addable, refusal=refusal,
                  problems=_problem_lines(problems or [], {member[0]: member[1] for member in members}),
                  is_open=found.state == rules.OPEN,
                  progress=progress_label(batches.progress(found)), state_label=application_text.state_label,
                  masked=lambda nik: mask(nik) if nik else "—",
                  service_name=lambda application: localized(application.service, "name"))
    response = make_response(html, status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _problem_lines(problems: list[rules.Problem], missing_by_application: dict) -> list[str]:
    """Return one sentence per problem that blocked submitting, naming the application and what it lacks."""
    missing = {application.reference: names for application, names in missing_by_application.items()}
    lines = []
    for problem in problems:
        who = f"{problem.reference} ({problem.name})" if problem.name else problem.reference
        if problem.code == "empty":
            lines.append(_("Berkas ini masih kosong. Tambahkan paling sedikit satu permohonan."))
        elif problem.code == "not_draft":
            lines.append(_("%(who)s sudah dikirim atau sudah berakhir. Keluarkan dari berkas ini.", who=who))
        elif problem.code == "duplicate":
            lines.append(_("%(who)s: NIK ini sudah punya permohonan layanan yang sama yang masih diproses. Buka "
                           "permohonannya, tekan Lanjutkan, dan tulis alasannya di halaman periksa; atau keluarkan "
                           "dari berkas ini.", who=who))
        else:
            lines.append(_("%(who)s belum lengkap: %(missing)s.", who=who,
                           missing=", ".join(missing.get(problem.reference) or problem.missing)))
    return lines


def _application_in_form() -> Application:
    """Return the desa's application whose reference the form posted (404 otherwise)."""
    return own_application_or_404(request.form.get("nomor", "").strip())


@bp.post("/berkas/<int:batch_id>/tambah")
@roles_required(OPERATOR)
def batch_add(batch_id: int):
    """Put one of the desa's drafts into the open batch (303 back to it); 409 with a sentence when refused."""
    return _change_batch(batch_id, batches.add, _("%(reference)s dimasukkan ke berkas."))


@bp.post("/berkas/<int:batch_id>/hapus")
@roles_required(OPERATOR)
def batch_remove(batch_id: int):
    """Take an application out of the open batch (it stays a draft; 303 back); 409 with a sentence when refused."""
    return _change_batch(batch_id, batches.remove,
                         _("%(reference)s dikeluarkan dari berkas. Permohonannya tetap tersimpan sebagai draf."))


def _change_batch(batch_id: int, change, done: str):
    """Apply `change` (batches.add or batches.remove) to the desa's batch and the posted application; return
    the 303 back to the batch with `done` (its %(reference)s filled in), or the batch page with a sentence (409)."""
    found = own_batch_or_404(batch_id)
    application = _application_in_form()
    try:
        change(found, application, current_user, calendar.now())
    except batches.BatchRefused as refused:
        return _batch_page(found, refusal_message(refused.code), status=409)
    flash(done % {"reference": application.reference})
    return redirect(url_for("village.batch", batch_id=found.id), 303)


@bp.get("/berkas/<int:batch_id>/kirim")
@roles_required(OPERATOR)
def batch_send_page(batch_id: int):
    """Return the confirmation before sending: what will be sent, and the send button; or, when it cannot be
    sent, why (nothing to confirm). A batch already sent goes back to its page (303)."""
    found = own_batch_or_404(batch_id)
    if found.state != rules.OPEN:
        return redirect(url_for("village.batch", batch_id=found.id), 303)
    members = [(application, step_names(missing)) for application, missing in batches.members(found)]
    problems = _problem_lines(batches.problems(found), dict(members))
    html = render("village/batch_send.html", batch=found, members=members, problems=problems,
                  service_name=lambda application: localized(application.service, "name"))
    response = make_response(html)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Kept in the (signed, readable) cookie session until the batch page shows it: only the batch and a code.
REFUSED_SEND = "batch_send_refused"


@bp.post("/berkas/<int:batch_id>/kirim")
@roles_required(OPERATOR)
def batch_submit(batch_id: int):
    """Submit every application of the batch at once, then back to the batch (303) with a message. Refused
    (one incomplete: nothing is submitted; already sent; changed meanwhile), it goes back to the batch page
    too, which says why: a reload never sends again."""
    found = own_batch_or_404(batch_id)
    try:
        batches.submit(found, current_user, calendar.now())
    except batches.BatchIncomplete:
        code = "incomplete"
    except batches.BatchRefused as refused:
        code = refused.code
    except lifecycle.TransitionRefused:
        code = "changed"
    else:
        flash(_("Berkas %(number)s terkirim: %(count)s permohonan masuk ke kantor bersama-sama.",
                number=found.number, count=len(found.applications)))
        return redirect(url_for("village.batch", batch_id=found.id), 303)
    session[REFUSED_SEND] = {"batch": found.id, "code": code}
    return redirect(url_for("village.batch", batch_id=found.id), 303)


def _send_refusal(code: str | None) -> str:
    """Return why a send was refused (`code`: "incomplete", "changed" or a `BatchRefused` code)."""
    if code == "incomplete":
        return _("Berkas belum dikirim. Tidak ada permohonan yang terkirim.")
    if code == "changed":
        return _("Berkas belum dikirim: salah satu permohonan berubah statusnya. Muat ulang "
                 "halaman ini lalu coba lagi.")
    return refusal_message(code or "")


@bp.get("/berkas/<int:batch_id>/sampul.pdf")
@roles_required(OPERATOR)
def cover_sheet(batch_id: int):
    """Return the batch's A4 cover sheet PDF (marked as a draft while the batch is open); 404 otherwise."""
    found = own_batch_or_404(batch_id)
    return pdf_response(render_cover(cover_data(found)), f"sampul-{found.number}.pdf")
