"""The office's settings for supervisors: closures and date overrides (`/admin/hari`), notices
(`/admin/pengumuman`) and queue quotas (`/admin/kuota`). The admin home is `routes.home`.

Every change is written to the audit log in the same commit as the change itself: the services commit on
their own, so the audit line is added to the session first (as the village's new PIN does). Day rules and
notices bump the calendar revision, so the banner and `/api/status` show them at once.
"""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..auth.guard import roles_required
from ..domain.dates import parse_day
from ..domain.hours import ACTIVITIES, PICKUP, SUBMISSION, Window, merge_windows
from ..extensions import db
from ..models import DayRule, Notice, QuotaRule, Service
from ..queue.present import purpose_label
from ..services import audit, calendar, closures, queue, quotas
from ..templating import long_date, render, short_date
from .blueprint import SUPERVISORS, bp
from .forms import ClearQuotaForm, DayRuleForm, NoticeForm, QuotaDayForm, QuotaForm

FAR_DAYS = 730


def activity_names() -> dict[str, str]:
    """Return the Indonesian name of each activity, and of "" (every activity)."""
    return {"": _("Semua kegiatan"), SUBMISSION: _("Pengajuan"), PICKUP: _("Pengambilan")}


def _read_date(field, *, not_past: bool = True, required: bool = True) -> date | None:
    """Return the date typed in `field`, or None with an Indonesian error on the field (or None when empty
    and not required)."""
    if not field.data:
        if required:
            field.errors = [_("Isi tanggalnya.")]
        return None
    try:
        day = parse_day(field.data)
    except ValueError:
        field.errors = [_("Tanggal tidak terbaca. Tulis seperti 03-12-2026.")]
        return None
    if not_past and day < queue.today():
        field.errors = [_("Tanggal sudah lewat. Pilih hari ini atau sesudahnya.")]
        return None
    if abs((day - queue.today()).days) > FAR_DAYS:  # the calendar knows holidays only a few years around
        field.errors = [_("Tanggal terlalu jauh. Pilih tanggal dalam dua tahun dari hari ini.")]
        return None
    return day


# Closures and date overrides


def _day_form(formdata=None) -> DayRuleForm:
    form = DayRuleForm(formdata=formdata)
    form.kegiatan.choices = [SelectChoice(code, name) for code, name in activity_names().items()]
    return form


def _read_windows(form: DayRuleForm) -> list[str] | None:
    """Return the windows typed ("08:00-12:00, 13.00-15.00"), merged, or None with an error on the field."""
    parts = [part.strip().replace(".", ":") for part in form.jam.data.replace(";", ",").split(",") if part.strip()]
    try:
        return [str(window) for window in merge_windows(Window.parse(part) for part in parts)]
    except ValueError:
        form.jam.errors = [_("Jam buka tidak terbaca. Tulis seperti 08:00-12:00, 13:00-15:00 (jam selesai "
                             "sesudah jam mulai).")]
        return None


def _describe_rule(day: date, opens: bool, activity: str | None, reason: str, windows: list[str]) -> str:
    """Return a day rule in words for the audit log."""
    what = _("Buka") if opens else _("Tutup")
    text = f"{what} {short_date(day)} ({activity_names()[activity or '']})"
    if windows:
        text += " " + ", ".join(windows)
    return f"{text}: {reason}" if reason else text


@bp.route("/hari", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def days():
    """Return the day rules from today on with the form; on a valid POST store the rule (audited) and go back
    to the list (303); the form with its errors (422) otherwise."""
    posted = request.method == "POST"
    form = _day_form(request.form if posted else None)
    if posted and (done := _save_day_rule(form)) is not None:
        return done
    return render("admin/days.html", form=form, rules=closures.day_rules(queue.today()), activities=activity_names(),
                  long_date=long_date), 422 if posted else 200


def _save_day_rule(form: DayRuleForm):
    """Return a 303 after storing the rule the form describes, or None with errors on the form."""
    day = _read_date(form.hari)
    opens = form.jenis.data == "buka"
    if form.jenis.data not in ("tutup", "buka"):
        form.jenis.errors = [_("Pilih tutup atau buka.")]
    activity = form.kegiatan.data or None
    if activity is not None and activity not in ACTIVITIES:
        form.kegiatan.errors = [_("Pilih kegiatan dari daftar.")]
    if not opens and not form.alasan.data:
        form.alasan.errors = [_("Tulis alasan penutupan; warga membacanya di pengumuman jam buka.")]
    if len(form.alasan.data) > 200:
        form.alasan.errors = [_("Alasan paling banyak 200 huruf.")]
    windows = _read_windows(form)
    if windows and not opens:
        form.jam.errors = [_("Jam buka hanya untuk hari yang dibuka. Kosongkan isian ini untuk penutupan.")]
    if any(field.errors for field in form) or day is None or windows is None:
        return None
    line = audit.Line(current_user, "set_day_rule", calendar.now(), None,
                      _describe_rule(day, opens, activity, form.alasan.data, windows))
    try:
        closures.set_day_rule(day, opens, form.alasan.data, activity, windows, audited=line)
    except ValueError:
        form.jam.errors = [_("Aturan hari tidak bisa disimpan. Periksa jam buka dan alasannya.")]
        return None
    flash(_("%(date)s disimpan: %(what)s.", date=long_date(day),
            what=_("buka") if opens else _("tutup")))
    return redirect(url_for("admin.days"), 303)


@bp.post("/hari/<int:rule_id>/hapus")
@roles_required(*SUPERVISORS)
def remove_day(rule_id: int):
    """Delete a day rule (audited) and go back to the list (303), also when it is gone already (a second
    click)."""
    rule = db.session.get(DayRule, rule_id)
    if rule is None:
        flash(_("Aturan hari itu sudah dihapus."))
        return redirect(url_for("admin.days"), 303)
    day = rule.day
    closures.remove_day_rule(rule_id, audited=audit.Line(
        current_user, "remove_day_rule", calendar.now(), None,
        _describe_rule(rule.day, rule.opens, rule.activity, rule.reason, list(rule.windows or ()))))
    flash(_("Aturan untuk %(date)s dihapus.", date=long_date(day)))
    return redirect(url_for("admin.days"), 303)


# Notices


def _services() -> list[Service]:
    return list(db.session.scalars(db.select(Service).order_by(Service.group, Service.position, Service.code)))


def _notice_form(formdata=None) -> NoticeForm:
    form = NoticeForm(formdata=formdata)
    form.layanan.choices = [SelectChoice("", _("Semua pengunjung (di bawah jam buka)"))] + [
        SelectChoice(service.code, service.name_id) for service in _services()]
    if formdata is None:
        form.mulai.data = queue.today().isoformat()
    return form


@bp.route("/pengumuman", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def notices():
    """Return the current and future notices with the form; on a valid POST store the notice (audited) and go
    back (303); the form with its errors (422) otherwise."""
    posted = request.method == "POST"
    form = _notice_form(request.form if posted else None)
    if posted and _save_notice(form):
        return redirect(url_for("admin.notices"), 303)
    names = {service.code: service.name_id for service in _services()}
    return render("admin/notices.html", form=form, notices=closures.notices_from(queue.today()), names=names,
                  long_date=long_date), 422 if posted else 200


def _save_notice(form: NoticeForm) -> bool:
    """Store the notice the form describes (audited); return False with errors on the form."""
    if not form.teks.data:
        form.teks.errors = [_("Tulis teks pengumuman.")]
    for field in (form.teks, form.teks_en):
        if len(field.data) > 300:
            field.errors = [_("Paling banyak 300 huruf.")]
    starts = _read_date(form.mulai)
    ends = _read_date(form.sampai, required=False)
    if starts and ends and ends < starts:
        form.sampai.errors = [_("Tanggal akhir tidak boleh sebelum tanggal mulai.")]
    service = form.layanan.data or None
    if service and service not in {choice.value for choice in form.layanan.choices}:
        form.layanan.errors = [_("Pilih layanan dari daftar.")]
    if any(field.errors for field in form) or starts is None:
        return False
    scope = service or _("semua")
    period = short_date(starts) + (f" – {short_date(ends)}" if ends else "")
    line = audit.Line(current_user, "add_notice", calendar.now(), None, f"[{scope}] {period}: {form.teks.data}")
    try:
        closures.add_notice(form.teks.data, starts, ends, service, form.teks_en.data or None, audited=line)
    except ValueError:
        form.teks.errors = [_("Pengumuman tidak bisa disimpan. Periksa isiannya.")]
        return False
    flash(_("Pengumuman disimpan."))
    return True


@bp.post("/pengumuman/<int:notice_id>/hapus")
@roles_required(*SUPERVISORS)
def remove_notice(notice_id: int):
    """Delete a notice (audited) and go back (303), also when it is gone already (a second click)."""
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        flash(_("Pengumuman itu sudah dihapus."))
        return redirect(url_for("admin.notices"), 303)
    closures.remove_notice(notice_id, audited=audit.Line(
        current_user, "remove_notice", calendar.now(), None, f"[{notice.service_code or _('semua')}] {notice.text}"))
    flash(_("Pengumuman dihapus."))
    return redirect(url_for("admin.notices"), 303)


# Quotas


def _quota_forms(day: date, formdata=None, which: str = "") -> tuple[QuotaForm, ClearQuotaForm]:
    """Return the set and clear forms for `day`; `which` ("set" or "clear") reads `formdata` into that one."""
    purposes = [SelectChoice(found.code, purpose_label(found)) for found in queue.purposes()]
    starts = sorted({f"{window.start:%H:%M}" for found in queue.purposes() for window in queue.slots(found, day)})
    setter = QuotaForm(formdata=formdata if which == "set" else None, prefix="")
    setter.keperluan.choices = purposes
    setter.jendela.choices = [SelectChoice("", _("Sepanjang hari"))] + [
        SelectChoice(start, _("Jam %(time)s saja", time=start)) for start in starts]
    clearer = ClearQuotaForm(formdata=formdata if which == "clear" else None, prefix="hapus-")
    clearer.keperluan.choices = [SelectChoice("", _("Semua keperluan"))] + purposes
    return setter, clearer


def _posted_day(name: str) -> date:
    """Return the day posted in `name` for showing its table (today when it cannot be read or has passed)."""
    try:
        return max(parse_day(request.form.get(name, "")), queue.today())
    except ValueError:
        return queue.today()


def _quota_page(day: date, picker: QuotaDayForm, setter: QuotaForm, clearer: ClearQuotaForm, status: int = 200):
    rules = db.session.scalars(db.select(QuotaRule).where(QuotaRule.day == day)
                               .order_by(QuotaRule.purpose_code, QuotaRule.window_start)).all()
    names = {found.code: purpose_label(found) for found in queue.purposes()}
    return render("admin/quotas.html", day=day, day_text=long_date(day), picker=picker, setter=setter,
                  clearer=clearer, rows=quotas.quota_table(day), rules=rules, names=names,
                  past=day < queue.today()), status


@bp.get("/kuota", endpoint="quotas")
@roles_required(*SUPERVISORS)
def quotas_page():
    """Return the quota table of `?hari=` (default today) with the forms; 422 when the day cannot be read."""
    picker = QuotaDayForm(formdata=request.args)
    day = _read_date(picker.hari, not_past=False, required=False) if picker.hari.data else queue.today()
    if day is None:
        return _quota_page(queue.today(), picker, *_quota_forms(queue.today()), status=422)
    picker.hari.data = day.isoformat()
    return _quota_page(day, picker, *_quota_forms(day))


@bp.post("/kuota")
@roles_required(*SUPERVISORS)
def set_quota():
    """Store the figures (audited) and go back to that day (303); the page with the errors (422) otherwise."""
    day = _posted_day("hari")
    setter, clearer = _quota_forms(day, request.form, "set")
    chosen = _read_quota(setter)
    if chosen is None:
        return _quota_page(day, QuotaDayForm(data={"hari": day.isoformat()}), setter, clearer, 422)
    day, purpose_code, window, counters, quota = chosen
    scope = _("jam %(time)s", time=window) if window else _("sepanjang hari")
    figure = _("%(n)s loket", n=counters) if counters is not None else _("kuota %(n)s per jam", n=quota)
    line = audit.Line(current_user, "set_quota", calendar.now(), None,
                      f"{purpose_code} {short_date(day)}, {scope}: {figure}")
    try:
        quotas.set_quota(day, purpose_code, window_start=window, counters=counters, quota=quota, audited=line)
    except ValueError:
        setter.angka.errors = [_("Angka tidak bisa disimpan. Periksa keperluan, jam, dan angkanya.")]
        return _quota_page(day, QuotaDayForm(data={"hari": day.isoformat()}), setter, clearer, 422)
    flash(_("Kuota %(purpose)s untuk %(date)s disimpan.", purpose=purpose_code, date=long_date(day)))
    return redirect(url_for("admin.quotas", hari=day.isoformat()), 303)


def _read_quota(form: QuotaForm) -> tuple[date, str, str, int | None, int | None] | None:
    """Return (day, purpose, window start, counters, quota) from the form, or None with errors on it."""
    day = _read_date(form.hari)
    found = queue.purpose(form.keperluan.data)
    if found is None:
        form.keperluan.errors = [_("Pilih keperluan dari daftar.")]
    window = form.jendela.data or ""
    if day and found and window and window not in {f"{w.start:%H:%M}" for w in queue.slots(found, day)}:
        form.jendela.errors = [_("Keperluan ini tidak punya jam %(time)s pada hari itu.", time=window)]
    if form.jenis.data not in ("loket", "kuota"):
        form.jenis.errors = [_("Pilih jumlah loket atau kuota tetap.")]
    figure = int(form.angka.data) if form.angka.data.isdigit() and len(form.angka.data) <= 4 else None
    if figure is None:
        form.angka.errors = [_("Tulis angka bulat 0 atau lebih, misalnya 3.")]
    if any(field.errors for field in form) or day is None or found is None or figure is None:
        return None
    counters, quota = (figure, None) if form.jenis.data == "loket" else (None, figure)
    return day, found.code, window, counters, quota


@bp.post("/kuota/hapus")
@roles_required(*SUPERVISORS)
def clear_quota():
    """Remove a day's figures (audited) and go back to that day (303); the page with the errors (422) when the
    form cannot be read."""
    day = _posted_day("hapus-hari")
    setter, clearer = _quota_forms(day, request.form, "clear")
    picker = QuotaDayForm(data={"hari": day.isoformat()})
    day = _read_date(clearer.hari) or day
    purpose_code = clearer.keperluan.data or None
    if purpose_code and queue.purpose(purpose_code) is None:
        clearer.keperluan.errors = [_("Pilih keperluan dari daftar.")]
    if any(field.errors for field in clearer):
        return _quota_page(day, picker, setter, clearer, 422)
    query = db.select(db.func.count()).select_from(QuotaRule).where(QuotaRule.day == day)
    if purpose_code:
        query = query.where(QuotaRule.purpose_code == purpose_code)
    if not db.session.scalar(query):
        flash(_("Tidak ada angka yang diatur untuk %(date)s; tidak ada yang dihapus.", date=long_date(day)))
        return redirect(url_for("admin.quotas", hari=day.isoformat()), 303)
    quotas.clear_quota(day, purpose_code, audited=audit.Line(
        current_user, "clear_quota", calendar.now(), None, f"{purpose_code or _('semua keperluan')} {short_date(day)}"))
    flash(_("Angka untuk %(date)s dihapus; kuota kembali seperti biasa.", date=long_date(day)))
    return redirect(url_for("admin.quotas", hari=day.isoformat()), 303)
