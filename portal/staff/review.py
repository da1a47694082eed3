"""Reviewing one application, `/petugas/<reference>`: the answers, each scan, the decisions, and marking ready.

Every button is a plain POST form that redirects back to the page (303); a refused action re-renders the
page with a sentence saying why (409 when the application's state or holder stands in the way, 422 when
something typed or uploaded does not do). With htmx a document's decision swaps that document's block
only (and a refusal comes back as that block with its message, 200, since htmx swaps only successes).
Every scan is served by `review_scan`, which writes the view to the audit log.
"""

from __future__ import annotations

from datetime import date

from flask import (abort, current_app, flash, get_flashed_messages, make_response, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.guard import roles_required
from ..domain import lifecycle
from ..domain.correction import correction_message
from ..domain.hours import PICKUP, Window
from ..domain.pickup import pickup_windows
from ..extensions import db, htmx
from ..models import Application, ApplicationDocument, Region
from ..services import applications, calendar, duplicates, review
from ..templating import clock_time, localized, long_date, render
from .. import application_text
from ..uploads import UploadRejected, inspect_upload, rejection_message, sniff
from .answers import answers
from .duplicate_flags import duplicate_flag
from .review_flags import review_flags
from .blueprint import STAFF_ROLES, bp

FLASH = "review"
FIX_REASON_MAX = 300  # ApplicationDocument.fix_reason
REASON_MAX = 500  # ApplicationEvent.reason: what the resident reads


class Problem(Exception):
    """A refused action, worded for the clerk: `message`, the field it belongs to (or ""), the status."""

    def __init__(self, message: str, field: str = "", status: int = 422):
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


@bp.get("/<reference>")
@roles_required(*STAFF_ROLES)
def review_page(reference: str):
    """Return the review page of an application (404 for an unknown reference or a draft)."""
    return _page(_application_or_404(reference))


# Review: judge each document, decide


@bp.post("/<reference>/dokumen/<int:document_id>/nilai")
@roles_required(*STAFF_ROLES)
def review_judge(reference: str, document_id: int):
    """Accept a document ("benar") or ask for its fix with a reason ("perbaiki"); 303, or the page with why.

    For htmx targeting the document's block, return that block alone (its new state, or why not).
    """
    application = _application_or_404(reference)
    document = _document_or_404(application, document_id)
    accept = request.form.get("decision") == "benar"
    reason = request.form.get("reason", "").strip()
    name = application_text.document_names(application).get(document.code, document.code)
    try:
        if not accept and len(reason) > FIX_REASON_MAX:
            raise Problem(_("Alasan paling banyak %(max)s huruf.", max=FIX_REASON_MAX), f"reason-{document.id}")
        _refusal_as_problem(lambda: review.judge_document(application, document, current_user, calendar.now(),
                                                          accept, reason), application, f"reason-{document.id}")
    except Problem as problem:
        if _targets(f"judge-{document.id}"):
            return _document_block(application, document, problem, reason)
        return _page(application, problem, typed={"reason": reason, "document": document.id})
    if _targets(f"judge-{document.id}"):
        return _document_block(application, document)
    flash(_("%(document)s: benar.", document=name) if accept
          else _("%(document)s: diminta perbaikan.", document=name), FLASH)
    return redirect(url_for("staff.review_page", reference=application.reference,
                            _anchor=f"document-{document.id}"), 303)


@bp.post("/<reference>/setujui")
@roles_required(*STAFF_ROLES)
def review_approve(reference: str):
    """Approve the application in review; 303 back to the page, or the page with why not."""
    application = _application_or_404(reference)
    return _act(application, lambda now: review.approve(application, current_user, now),
                _("Permohonan disetujui. Tandai siap bila dokumennya sudah jadi."))


@bp.post("/<reference>/perbaikan")
@roles_required(*STAFF_ROLES)
def review_correction(reference: str):
    """Send the application back to the applicant with the documents to fix and an optional note; 303, or why not."""
    application = _application_or_404(reference)
    note = request.form.get("note", "").strip()
    fixes = [document.fix_reason for document in application.documents if document.state == review.NEEDS_FIX]
    if len(correction_message(note, fixes)) > REASON_MAX:
        problem = Problem(_("Catatan dan alasan perbaikan terlalu panjang untuk pemohon (paling banyak %(max)s "
                            "huruf bersama-sama). Persingkat catatannya.", max=REASON_MAX), "note")
        return _page(application, problem, typed={"note": note})
    return _act(application, lambda now: review.ask_correction(application, current_user, now, note),
                _("Permohonan dikembalikan ke pemohon untuk diperbaiki."), field="note", typed={"note": note})


@bp.post("/<reference>/tolak")
@roles_required(*STAFF_ROLES)
def review_reject(reference: str):
    """Reject the application in review with a reason; 303 back to the page, or the page with why not."""
    application = _application_or_404(reference)
    reason = request.form.get("reject_reason", "").strip()
    if len(reason) > REASON_MAX:
        problem = Problem(_("Alasan paling banyak %(max)s huruf.", max=REASON_MAX), "reject-reason")
        return _page(application, problem, typed={"reject_reason": reason})
    return _act(application, lambda now: review.reject(application, current_user, now, reason),
                _("Permohonan ditolak. Pemohon melihat alasannya saat melacak."), field="reject-reason",
                typed={"reject_reason": reason}, reason_message=_("Tulis alasan penolakan."))


# Ready


@bp.post("/<reference>/siap")
@roles_required(*STAFF_ROLES)
def review_ready(reference: str):
    """Mark an approved document ready at a place, date and window; 303 back, or the page with why not.

    With `refresh` (the "show the hours" button, or htmx when the date changes) nothing is saved: the form
    comes back with the windows of the typed date.
    """
    application = _application_or_404(reference)
    typed = {key: request.form.get(key, "").strip() for key in ("place", "day", "window")}
    if request.form.get("refresh") and application.state == lifecycle.APPROVED:
        return _page(application, typed=typed, fragments=("ready_window",))
    try:
        if application.state != lifecycle.APPROVED:  # say so before judging what was typed
            raise _problem(review.Refused("state", application.state), application, "", None, None)
        day = _typed_day(typed["day"])
        _refusal_as_problem(lambda: review.mark_ready(application, current_user, calendar.now(), typed["place"],
                                                      day, typed["window"]), application, "", day=day)
    except Problem as problem:
        return _page(application, problem, typed=typed)
    place = application.pickup_place
    flash(_("Siap diambil di %(place)s, %(date)s pukul %(window)s.", place=place.name if place else "",
            date=long_date(application.pickup_date), window=window_text(application.pickup_window)), FLASH)
    return redirect(url_for("staff.review_page", reference=application.reference), 303)


@bp.post("/<reference>/dokumen-jadi")
@roles_required(*STAFF_ROLES)
def review_output(reference: str):
    """Store the signed PDF of a self-printed document and mark it ready; 303 back, or the page with why not."""
    application = _application_or_404(reference)
    try:
        clean = _signed_pdf()
        _refusal_as_problem(lambda: review.attach_output(application, current_user, calendar.now(), clean),
                            application, "output")
    except Problem as problem:
        return _page(application, problem)
    flash(_("Dokumen jadi tersimpan. Pemohon dapat mengunduhnya saat melacak."), FLASH)
    return redirect(url_for("staff.review_page", reference=application.reference), 303)


# Helpers


def _application_or_404(reference: str) -> Application:
    """Return the application of `reference`; abort 404 when there is none or it is still a draft."""
    application = applications.find(reference)
    if application is None or application.state == lifecycle.DRAFT:
        abort(404)
    return application


def _document_or_404(application: Application, document_id: int) -> ApplicationDocument:
    """Return the document `document_id` of `application`; abort 404 when it belongs to another or none."""
    document = db.session.get(ApplicationDocument, document_id)
    if document is None or document.application_id != application.id:
        abort(404)
    return document


def _targets(block_id: str) -> bool:
    """Return True for a plain htmx request aimed at the element `block_id` (not a boosted navigation)."""
    return bool(htmx) and not htmx.boosted and request.headers.get("HX-Target") == block_id


def _act(application: Application, action, done: str, field: str = "", typed: dict | None = None,
         reason_message: str | None = None):
    """Run `action(now)`; return a 303 to the page with `done` flashed, or the page with why it was refused."""
    try:
        _refusal_as_problem(lambda: action(calendar.now()), application, field, reason_message=reason_message)
    except Problem as problem:
        return _page(application, problem, typed=typed)
    flash(done, FLASH)
    return redirect(url_for("staff.review_page", reference=application.reference), 303)


def _refusal_as_problem(action, application: Application, field: str, day: date | None = None,
                        reason_message: str | None = None) -> None:
    """Run `action()`; raise Problem with the clerk's sentence when the service refuses it."""
    try:
        action()
    except review.Refused as refused:
        raise _problem(refused, application, field, day, reason_message) from refused


def _problem(refused: review.Refused, application: Application, field: str, day: date | None,
             reason_message: str | None) -> Problem:
    """Return the sentence, field and status for a refusal of the review service."""
    code, holder = refused.code, application.assignee.full_name if application.assignee else ""
    if code in ("taken", "not_yours") and holder:
        return Problem(_("Permohonan ini sedang diperiksa oleh %(name)s.", name=holder), status=409)
    if code == "not_yours" or (code == "state" and application.state == lifecycle.SUBMITTED):
        return Problem(_("Permohonan ini belum Anda ambil. Tekan “Ambil” dulu untuk memeriksanya."), status=409)
    if code == "state" or code == "taken":
        return Problem(_("Tidak bisa: status permohonan ini sekarang “%(state)s”.",
                         state=application_text.state_label(application.state)), status=409)
    if code == "reason":
        return Problem(reason_message or _("Tulis apa yang perlu diperbaiki pada dokumen ini."), field)
    if code == "documents" and refused.detail == "needs_fix":
        return Problem(_("Masih ada dokumen yang perlu diperbaiki; minta perbaikan atau nilai ulang dokumennya."),
                       status=409)
    if code == "documents":
        return Problem(_("Tandai dulu dokumen yang perlu diperbaiki, atau tulis catatan untuk pemohon."), field)
    if code == "place":
        return Problem(_("Pilih tempat pengambilan yang melayani layanan ini."), "place")
    if code == "date":
        return Problem(_day_problem(day), "day")
    if code == "window":
        return Problem(_window_problem(day), "window")
    if code == "output" and refused.detail == "self_printed":
        return Problem(_("Dokumen layanan ini dicetak sendiri oleh pemohon; unggah PDF yang sudah ditandatangani, "
                         "tanpa jadwal pengambilan."), status=409)
    if code == "output" and refused.detail == "collected_in_person":
        return Problem(_("Dokumen layanan ini dicetak di blangko dan diambil di loket; tandai siap dengan "
                         "tempat dan jadwal pengambilan."), status=409)
    if code == "output":
        return Problem(_("Unggah dokumen yang sudah ditandatangani sebagai berkas PDF."), "output")
    return Problem(_("Tidak bisa dilakukan sekarang. Muat ulang halaman lalu coba lagi."), status=409)


def _day_problem(day: date | None) -> str:
    """Return why `day` cannot be a pickup day: past, or no pickup hours (with the closure's reason)."""
    now = calendar.now()
    office = calendar.calendar(now)
    if day is None or day < now.astimezone(office.tz).date():
        return _("Tanggal itu sudah lewat. Pilih hari ini atau sesudahnya.")
    closure = office.plan(PICKUP, day).closure
    if closure is not None:
        return _("Tidak ada jam pengambilan pada %(date)s (%(reason)s). Pilih tanggal lain.",
                 date=long_date(day), reason=localized({"reason_id": closure.reason, "reason_en": closure.reason_en},
                                                       "reason"))
    return _("Tidak ada jam pengambilan pada %(date)s. Pilih tanggal lain.", date=long_date(day))


def _window_problem(day: date | None) -> str:
    """Return the sentence for a window that is not one of `day`'s pickup windows, naming that day's windows."""
    windows = pickup_windows(calendar.calendar(calendar.now()), day) if day else ()
    return _("Pilih jam pengambilan pada hari itu: %(windows)s.",
             windows=", ".join(window_text(str(window)) for window in windows))


def _typed_day(text: str) -> date:
    """Return the typed pickup date (YYYY-MM-DD, what a date field sends); raise Problem otherwise."""
    if not text:
        raise Problem(_("Isi tanggal pengambilan."), "day")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Problem(_("Tanggal tidak dikenali. Tulis seperti 2026-12-08 (tahun-bulan-tanggal)."), "day") from None


def _signed_pdf():
    """Return the uploaded signed PDF as a CleanFile; raise Problem for no file, a photo or a bad file."""
    upload = request.files.get("output")
    limit = current_app.config["UPLOAD_MAX_MB"] * 1024 * 1024
    data = upload.read(limit + 1) if upload else b""  # one byte over the limit is enough to refuse
    if not data:
        raise Problem(_("Pilih berkas PDF dokumen yang sudah ditandatangani."), "output")
    if sniff(data) in ("jpeg", "png", "webp"):
        raise Problem(_("Berkas ini foto, bukan PDF. Unggah dokumen yang sudah ditandatangani sebagai PDF."),
                      "output")
    try:
        return inspect_upload(data, max_bytes=limit)
    except UploadRejected as rejected:
        raise Problem(rejection_message(rejected), "output") from None


def window_text(window: str | None) -> str:
    """Return a stored window "08:00-14:00" as the office reads it: "08.00–14.00 WIB"."""
    if not window:
        return ""
    parsed = Window.parse(window)
    return f"{clock_time(parsed.start)}–{clock_time(parsed.end)} {calendar.zone_label()}"


def _take_url(application: Application) -> str:
    """Return where "Ambil" posts (the inbox's take route)."""
    return url_for("staff.inbox_take", reference=application.reference)


def _release_url(application: Application) -> str:
    """Return the inbox's release route for this application."""
    return url_for("staff.inbox_release", reference=application.reference)


def _ready_choices(application: Application, typed: dict | None) -> dict:
    """Return what the ready form shows: places, the chosen place, day and window, and that day's windows."""
    now = calendar.now()
    office = calendar.calendar(now)
    place, slot = review.proposal(application, now)
    typed = typed or {}
    chosen_place = typed.get("place") or (place.code if place else "")
    day_text = typed.get("day") or (slot.day.isoformat() if slot else "")
    try:
        day = date.fromisoformat(day_text) if day_text else None
    except ValueError:
        day = None
    windows = [str(window) for window in pickup_windows(office, day)] if day else []
    window = typed.get("window") or (str(slot.window) if slot else "")
    if window not in windows:  # e.g. the date changed: that day's first window
        window = windows[0] if windows else ""
    closure = office.plan(PICKUP, day).closure if day else None
    return {"places": review.pickup_places(application), "place": chosen_place, "day_text": day_text,
            "day": day, "windows": windows, "window": window, "closure": closure, "proposal": slot,
            "today": now.astimezone(office.tz).date()}


def _page_context(application: Application, problem: Problem | None, typed: dict | None) -> dict:
    """Return everything the review page shows for `application`."""
    mine = application.state == lifecycle.IN_REVIEW and application.assigned_to == current_user.id
    region = application.region
    kecamatan = db.session.get(Region, region.parent_code) if region and region.parent_code else None
    events = application_text.timeline(application.events)
    context = {
        "application": application, "service": application.service, "mine": mine, "problem": problem,
        "typed": typed or {}, "kecamatan": kecamatan, "answers": answers(application),
        "document_names": application_text.document_names(application), "document_state": application_text.document_state_label,
        "state_label": application_text.state_label(application.state), "events": list(reversed(events)),
        "self_printed": review.self_printed(application), "window_text": window_text,
        "take_url": _take_url(application), "release_url": _release_url(application),
        "messages": get_flashed_messages(category_filter=[FLASH]),
        "inbox_url": url_for("staff.home"),
    }
    context["flags"] = review_flags(application, mine, context["self_printed"], context["take_url"],
                                    context["release_url"])
    context["duplicate"] = duplicate_flag(application, duplicates.open_others(application),
                                          application_text.state_label,
                                          lambda reference: url_for("staff.review_page", reference=reference))
    if application.state == lifecycle.APPROVED and not context["self_printed"]:
        context["ready"] = _ready_choices(application, typed)
    return context


def _page(application: Application, problem: Problem | None = None, typed: dict | None = None,
          fragments: tuple[str, ...] = ()):
    """Return the review page (or an htmx fragment of it) with the refusal `problem`, if any, and its status.

    A refusal is a 409/422 for a plain post but a 200 for htmx, which swaps only successful responses.
    """
    html = render("staff/review.html", fragments=fragments, **_page_context(application, problem, typed))
    status = problem.status if problem and not htmx else 200
    response = make_response(html, status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _document_block(application: Application, document: ApplicationDocument, problem: Problem | None = None,
                    reason: str = ""):
    """Return one document's block of the review page (for htmx), with the refusal `problem`, if any."""
    typed = {"reason": reason, "document": document.id} if problem else {}  # after a success: what was saved
    context = _page_context(application, problem, typed)
    response = make_response(render_template("staff/_review_document.html", document=document, **context))
    response.headers["Cache-Control"] = "private, no-store"
    return response
