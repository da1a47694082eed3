"""Print all for a day, `/petugas/cetak`: one PDF with the pickup receipt of every application ready for
pickup on a chosen day, in the order of the pickup places, then the reference; or (`jenis=manifes`) one A4
collective pickup manifest per desa whose village applications are ready that day.

Without `hari` the page offers the day (the next pickup day by default), what to print, the paper for
receipts (A6 or an 80 mm roll) and the coming days that have documents waiting; with it, the PDF, or a page
saying there is nothing to print. The manifests are stored (created by the clerk) so their QR codes open
them at the handover page; printing the same day again reuses a desa's manifest with the same items.
"""

from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..auth.guard import roles_required
from ..domain.dates import parse_day
from ..domain import lifecycle
from ..extensions import db
from ..models import Application, PickupPlace
from ..pdf.manifest import manifest_data, render_manifests
from ..pdf.pickup import pickup_receipt_data, render_pickup_receipts
from ..services import audit, calendar, manifests
from ..templating import long_date, render, short_date
from .blueprint import STAFF_ROLES, bp
from .forms import PrintDayForm
from ..downloads import pdf_response

SIZES = ("a6", "80")
KINDS = ("tanda_terima", "manifes")
UPCOMING_DAYS = 10


@bp.get("/cetak")
@roles_required(*STAFF_ROLES)
def prints_day():
    """Return the PDF of every pickup receipt of `hari` (`ukuran=a6|80`), or of the desa manifests of `hari`
    (`jenis=manifes`); without `hari` the form; the form with a message when the day, paper or kind is
    unreadable (422) or the day has nothing to print (200)."""
    if "hari" not in request.args:
        form = PrintDayForm(formdata=None, hari=_next_pickup_day().isoformat())
        return _page(form)
    form = PrintDayForm(formdata=request.args)
    day = _read_day(form)
    if form.jenis.data not in KINDS:
        form.jenis.errors = [_("Pilih yang dicetak: tanda terima atau manifes.")]
    elif form.jenis.data == "manifes":
        form.ukuran.data = form.ukuran.data if form.ukuran.data in SIZES else "a6"  # manifests are A4 anyway
    if form.ukuran.data not in SIZES:
        form.ukuran.errors = [_("Pilih ukuran kertas: A6 atau 80 mm.")]
    if day is None or form.ukuran.errors or form.jenis.errors:
        return _page(form), 422
    if form.jenis.data == "manifes":
        return _manifests_of(form, day)
    applications = ready_on(day)
    if not applications:
        return _page(form, empty_day=day)
    body = render_pickup_receipts([pickup_receipt_data(application) for application in applications], form.ukuran.data)
    paper = "A6" if form.ukuran.data == "a6" else "80 mm"
    audit.record_print(current_user, calendar.now(), None,
                       f"tanda terima pengambilan {day.isoformat()}: {len(applications)} permohonan, {paper}")
    return pdf_response(body, f"tanda-terima-pengambilan-{day.isoformat()}-{form.ukuran.data}.pdf")


def _manifests_of(form: PrintDayForm, day: date):
    """Return one A4 PDF with a manifest per desa with village applications ready on `day` (made or reused,
    and audited), or the form saying there is none."""
    made = manifests.for_day(current_user, day, calendar.now())
    if not made:
        return _page(form, empty_day=day, empty_manifests=True)
    body = render_manifests([manifest_data(manifest, manifests.collector_name(manifest)) for manifest in made])
    audit.record_print(current_user, calendar.now(), None,
                       f"manifes pengambilan {day.isoformat()}: {len(made)} desa, "
                       f"{sum(len(m.applications) for m in made)} permohonan, A4 ({', '.join(m.code for m in made)})")
    return pdf_response(body, f"manifes-pengambilan-{day.isoformat()}.pdf")


def ready_on(day: date) -> list[Application]:
    """Return the applications ready for pickup on `day` with a place, by the place's position, then reference."""
    return list(db.session.scalars(
        select(Application).join(PickupPlace, Application.pickup_place_code == PickupPlace.code)
        .where(Application.state == lifecycle.READY, Application.pickup_date == day,
               Application.pickup_window.is_not(None))
        .order_by(PickupPlace.position, PickupPlace.code, Application.reference)))


def upcoming(today: date) -> list[tuple[date, int]]:
    """Return the next days (from `today`) with documents ready for pickup, and how many, soonest first."""
    rows = db.session.execute(
        select(Application.pickup_date, func.count(Application.id))
        .where(Application.state == lifecycle.READY, Application.pickup_date >= today,
               Application.pickup_place_code.is_not(None))
        .group_by(Application.pickup_date).order_by(Application.pickup_date).limit(UPCOMING_DAYS))
    return [(day, count) for day, count in rows]


def _page(form: PrintDayForm, empty_day: date | None = None, empty_manifests: bool = False):
    """Return the form page (with the coming days that have something to print)."""
    today = calendar.now().astimezone(calendar.office_zone()).date()
    days = [(day, long_date(day), short_date(day), count) for day, count in upcoming(today)]
    return render("staff/prints.html", form=form, days=days,
                  empty_day=long_date(empty_day) if empty_day else None, empty_manifests=empty_manifests)


def _next_pickup_day() -> date:
    """Return today while pickup is open or still to open today, else the day pickup next opens."""
    status = calendar.status()
    today = status.at.date()
    if status.pickup.open or status.pickup.next_open is None:
        return today
    return status.pickup.next_open.astimezone(calendar.office_zone()).date()


def _read_day(form: PrintDayForm) -> date | None:
    """Return the day in the form (2026-12-07 from a date picker, or 7-12-2026 typed); None with an error
    on the field when it is empty or unreadable."""
    text = form.hari.data
    try:
        if not text:
            raise ValueError
        return parse_day(text)
    except ValueError:
        form.hari.errors = [_("Tulis tanggal pengambilan, misalnya 07-12-2026.")]
        return None
