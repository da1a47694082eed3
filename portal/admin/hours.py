"""The office's regular week per activity, `/admin/jam`: set here, or the `OFFICE_HOURS` setting's ("bawaan").

A save replaces the activity's whole week in one commit with its audit line and bumps the calendar revision,
so the banner, `/api/status`, `/jadwal` and the queue's hourly windows change at once. Queue tickets already
booked outside the new hours stay valid, and so do the pickup days already given for ready documents; the page
counts both per day and saves only once that is confirmed.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..auth.guard import roles_required
from ..domain import week as rules
from ..domain.hours import ACTIVITIES, PICKUP, SUBMISSION, WEEKDAYS
from ..services import audit, calendar, office_hours, queue
from ..templating import long_date, render, weekday_name
from .office import activity_names
from .blueprint import SUPERVISORS, bp
from .forms import ResetForm, WeekForm

SLUGS = {"pengajuan": SUBMISSION, "pengambilan": PICKUP}  # the activity in the URL, as the office says it
MONDAY = date(2024, 1, 1)  # any Monday: weekday names come from Babel, in the reader's language


def _slug(activity: str) -> str:
    return next(slug for slug, found in SLUGS.items() if found == activity)


def day_names() -> dict[str, str]:
    """Return each weekday code's name ("mon" → "Senin")."""
    return {code: weekday_name(MONDAY + timedelta(days=index)) for index, code in enumerate(WEEKDAYS)}


def _week_form(activity: str, formdata=None) -> WeekForm:
    form = WeekForm(formdata=formdata, prefix=f"{activity}-")
    names = day_names()
    for code in WEEKDAYS:
        form[code].label.text = names[code]
    if formdata is None:
        week = office_hours.effective(current_app.config["OFFICE_HOURS"])[activity]
        for code, text in rules.week_text(week).items():
            form[code].data = text
    return form


def _section(activity: str, form: WeekForm | None = None, reset: ResetForm | None = None,
             outside: rules.Outside | None = None, reset_outside: rules.Outside | None = None,
             ready: rules.Outside | None = None, reset_ready: rules.Outside | None = None) -> dict:
    """Return what the page shows for one activity: its forms, where its week comes from, and any warning
    (booked tickets `outside`, ready documents `ready` left outside the new week; `reset_…` for going back)."""
    updated = office_hours.updated_at(activity)
    form = form or _week_form(activity)
    reset = reset or ResetForm(prefix=f"{activity}-bawaan-")
    if ready and ready.total:
        form.konfirmasi.label.text = _("Saya mengerti: simpan jam baru. Tiket yang sudah dipesan dan tanggal "
                                       "pengambilan yang sudah diberikan tetap berlaku.")
    if reset_ready and reset_ready.total:
        reset.konfirmasi.label.text = _("Saya mengerti: kembalikan ke jam bawaan. Tiket yang sudah dipesan dan "
                                        "tanggal pengambilan yang sudah diberikan tetap berlaku.")
    return {"activity": activity, "slug": _slug(activity), "name": activity_names()[activity],
            "form": form, "reset": reset, "stored": updated is not None, "updated": updated,
            "outside": outside if outside and outside.total else None,
            "reset_outside": reset_outside if reset_outside and reset_outside.total else None,
            "ready": ready if ready and ready.total else None,
            "reset_ready": reset_ready if reset_ready and reset_ready.total else None}


def _page(sections: dict[str, dict] | None = None, status: int = 200):
    sections = sections or {}
    shown = [sections.get(activity) or _section(activity) for activity in ACTIVITIES]
    weekly = calendar.weekly_hours()
    rows = [(names, {activity: weekly.windows[activity][index] for activity in ACTIVITIES})
            for index, names in enumerate(day_names().values())]
    failed = any(section["form"].errors or section["outside"] or section["reset_outside"] or section["ready"]
                 or section["reset_ready"] for section in shown)
    return render("admin/hours.html", sections=shown, rows=rows, failed=failed, earliest=rules.EARLIEST,
                  latest=rules.LATEST, long_date=long_date), status


@bp.get("/jam")
@roles_required(*SUPERVISORS)
def hours():
    """Return the week in force per activity with a form for each."""
    return _page()


def _activity(slug: str) -> str:
    """Return the activity named in the URL; 404 for anything else."""
    if slug not in SLUGS:
        abort(404)
    return SLUGS[slug]


def _messages(activity: str) -> dict[str, str]:
    return {
        rules.MALFORMED: _("“%(piece)s” tidak terbaca. Tulis jam seperti 08:00-12:00, 13:00-15:00."),
        rules.BACKWARDS: _("“%(piece)s”: jam selesai harus sesudah jam mulai."),
        rules.OUTSIDE: _("“%(piece)s” di luar jam kantor yang mungkin (%(earliest)s–%(latest)s)."),
        rules.OVERLAP: _("Jam %(piece)s bertumpuk. Gabungkan menjadi satu atau perbaiki salah satunya."),
        rules.NO_OPEN_DAY: _("%(activity)s harus buka paling sedikit satu hari dalam seminggu. Isi jam untuk "
                             "satu hari atau lebih.", activity=activity_names()[activity]),
        rules.TOO_LONG: _("Paling banyak %(max)s huruf.", max=rules.MAX_DAY_TEXT),
    }


def _show_problems(form: WeekForm, activity: str, reading: rules.WeekReading) -> None:
    """Put each problem of `reading` on its weekday's field (a week-wide one on Monday's, the first)."""
    messages = _messages(activity)
    for problem in reading.problems:
        text = messages[problem.code]
        if problem.code not in (rules.NO_OPEN_DAY, rules.TOO_LONG):
            # A typed piece can be anything pasted; the overlap names two windows already read, so it stays whole.
            piece = problem.piece if problem.code == rules.OVERLAP else rules.quoted(problem.piece)
            text = text % {"piece": piece, "earliest": f"{rules.EARLIEST:%H:%M}",
                           "latest": f"{rules.LATEST:%H:%M}"}
        field = form[problem.weekday or WEEKDAYS[0]]
        field.errors = [*field.errors, text]


def describe_week(activity: str, week: dict[str, list[str]]) -> str:
    """Return a week in words for the audit log: "Pengajuan: Senin 08:00-12:00; …; Minggu tutup"."""
    names = day_names()
    days = [f"{names[code]} {', '.join(week.get(code, ())) or _('tutup')}" for code in WEEKDAYS]
    return f"{activity_names()[activity]}: " + "; ".join(days)


def _outside(activity: str, week: dict[str, list[str]]) -> rules.Outside:
    now = calendar.now()
    return office_hours.booked_outside(activity, week, calendar.calendar(now), queue.purposes(), now)


def _ready(activity: str, week: dict[str, list[str]]) -> rules.Outside:
    """Return the ready documents the pickup week `week` leaves outside its hours (none for submission)."""
    if activity != PICKUP:
        return rules.Outside()
    now = calendar.now()
    return office_hours.ready_outside(week, calendar.calendar(now), now)


@bp.post("/jam/<slug>")
@roles_required(*SUPERVISORS)
def save_hours(slug: str):
    """Store the activity's week (audited) and go back (303); the page with the errors kept (422), or with the
    booked tickets it leaves out and the confirmation to tick (409)."""
    activity = _activity(slug)
    form = _week_form(activity, request.form)
    form.validate()  # only the CSRF token is checked here (the guard already refused a request without one)
    reading = rules.read_week(activity, {code: form[code].data for code in WEEKDAYS})
    if not reading.ok:
        _show_problems(form, activity, reading)
        return _page({activity: _section(activity, form)}, 422)
    week = reading.as_config()
    outside, ready = _outside(activity, week), _ready(activity, week)
    if (outside.total or ready.total) and not form.konfirmasi.data:
        return _page({activity: _section(activity, form, outside=outside, ready=ready)}, 409)
    line = audit.Line(current_user, "set_hours", calendar.now(), None, describe_week(activity, week))
    try:
        office_hours.save_week(activity, week, calendar.now(), audited=line)
    except (ValueError, IntegrityError):  # e.g. another supervisor saved the same week at the same instant
        form.mon.errors = [_("Jam tidak bisa disimpan. Periksa isiannya lalu simpan lagi.")]
        return _page({activity: _section(activity, form)}, 422)
    _flash_saved(activity, reading, outside)
    _flash_kept(outside, ready)
    return redirect(url_for("admin.hours"), 303)


def _flash_saved(activity: str, reading: rules.WeekReading, outside: rules.Outside) -> None:
    flash(_("Jam %(activity)s disimpan dan langsung berlaku di pengumuman jam buka, jadwal, dan antrean.",
            activity=activity_names()[activity]))
    names = day_names()
    for code in reading.joined:
        flash(_("Jam yang bersambung pada hari %(day)s digabung: %(windows)s.", day=names[code],
                windows=", ".join(str(window) for window in reading.windows[code])))


def _flash_kept(outside: rules.Outside, ready: rules.Outside) -> None:
    if outside.total:
        flash(_("%(n)s tiket antrean yang sudah dipesan di luar jam baru tetap berlaku.", n=outside.total))
    if ready.total:
        flash(_("%(n)s dokumen siap diambil tetap dijadwalkan pada tanggal yang sudah diberitahukan, di luar jam "
                "baru. Hubungi warganya atau ubah tanggal pengambilannya.", n=ready.total))


@bp.post("/jam/<slug>/bawaan")
@roles_required(*SUPERVISORS)
def reset_hours(slug: str):
    """Remove the activity's own week so the `OFFICE_HOURS` setting applies again (audited) and go back (303);
    the page with the booked tickets it leaves out and the confirmation to tick (409) otherwise."""
    activity = _activity(slug)
    form = ResetForm(formdata=request.form, prefix=f"{activity}-bawaan-")
    if office_hours.updated_at(activity) is None:
        flash(_("Jam %(activity)s sudah mengikuti jam bawaan.", activity=activity_names()[activity]))
        return redirect(url_for("admin.hours"), 303)
    config = current_app.config["OFFICE_HOURS"].get(activity, {})
    week = {code: list(config.get(code, ())) for code in WEEKDAYS}
    outside, ready = _outside(activity, week), _ready(activity, week)
    if (outside.total or ready.total) and not form.konfirmasi.data:
        return _page({activity: _section(activity, reset=form, reset_outside=outside, reset_ready=ready)}, 409)
    office_hours.reset_week(activity, audited=audit.Line(
        current_user, "set_hours", calendar.now(), None,
        _("%(week)s (kembali ke jam bawaan)", week=describe_week(activity, week))))
    flash(_("Jam %(activity)s kembali ke jam bawaan dari pengaturan server.", activity=activity_names()[activity]))
    _flash_kept(outside, ready)
    return redirect(url_for("admin.hours"), 303)
