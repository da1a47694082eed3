"""Pickup places, `/admin/tempat`: the list in order with what waits at each place, adding a place, editing
one (name, address, KTP-el printing, the services collected there), switching it off or on, and the order.

A switched-off place is no longer offered when a clerk marks a document ready (`review.pickup_places`);
documents already ready there keep it. Every change is audited ("add_place", "edit_place") in the same commit
and bumps the catalogue revision, so the service pages show it at once.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..auth.guard import roles_required
from ..extensions import db
from ..models import PickupPlace
from ..services import audit, calendar, places
from ..templating import render
from .blueprint import SUPERVISORS, bp
from .forms import PlaceForm



def _check(form: PlaceForm, adding: bool) -> bool:
    """Put an Indonesian error on each field that cannot be saved; return True when none."""
    if adding:
        if not places.CODE.match(form.kode.data):
            form.kode.errors = [_("Kode 2–30 huruf besar, angka, atau garis bawah, misalnya KEC_SULANG.")]
        elif db.session.get(PickupPlace, form.kode.data) is not None:
            form.kode.errors = [_("Kode %(code)s sudah dipakai tempat lain. Pilih kode lain.", code=form.kode.data)]
    if not form.nama.data:
        form.nama.errors = [_("Tulis nama tempat.")]
    elif len(form.nama.data) > 120:
        form.nama.errors = [_("Nama paling banyak 120 huruf.")]
    if not form.alamat.data:
        form.alamat.errors = [_("Tulis alamat tempat; warga membacanya pada tanda terima pengambilan.")]
    elif len(form.alamat.data) > 200:
        form.alamat.errors = [_("Alamat paling banyak 200 huruf.")]
    return not any(field.errors for field in form)


def _yes(value: bool) -> str:
    return _("ya") if value else _("tidak")


def _list_page(form: PlaceForm | None = None, refusal: str = "", status: int = 200):
    return render("admin/places.html", places=places.places(), waiting=places.waiting(),
                  using={place.code: places.services_at(place.code) for place in places.places()},
                  form=form or PlaceForm(), refusal=refusal), status


@bp.get("/tempat")
@roles_required(*SUPERVISORS)
def places_list():
    """Return every pickup place in order with the services collected there and the documents waiting."""
    return _list_page()


@bp.post("/tempat")
@roles_required(*SUPERVISORS)
def add_place():
    """Add a place (audited) and open it to choose its services (303); the list with the errors (422)."""
    form = PlaceForm(formdata=request.form)
    form.validate()  # only the CSRF token: the guard already refused a request without one
    if not _check(form, adding=True):
        return _list_page(form, status=422)
    line = audit.Line(current_user, "add_place", calendar.now(), None,
                      f"{form.kode.data}: {form.nama.data}, {form.alamat.data}; "
                      + _("mencetak KTP-el: %(yes)s", yes=_yes(form.cetak.data)))
    try:
        place = places.add_place(form.kode.data, form.nama.data, form.alamat.data, form.cetak.data, audited=line)
    except (ValueError, IntegrityError):  # e.g. the same code added at the same instant in another tab
        form.kode.errors = [_("Tempat tidak bisa disimpan. Periksa kodenya.")]
        return _list_page(form, status=422)
    flash(_("%(name)s ditambahkan. Pilih layanan yang dokumennya bisa diambil di sini.", name=place.name))
    return redirect(url_for("admin.edit_place", code=place.code), 303)


def _place(code: str) -> PickupPlace:
    place = db.session.get(PickupPlace, code)
    if place is None:
        abort(404)
    return place


def _edit_page(place: PickupPlace, form: PlaceForm, chosen: set[str], refusal: str = "", status: int = 200,
               conflict: str = ""):
    """Return the edit page; `conflict` (a sentence) also shows what is stored now, and the form then carries
    the current version so saving again overwrites knowingly."""
    if conflict:
        form.versi.data = places.version(place)
    return render("admin/place_edit.html", place=place, form=form, services=places.services(), chosen=chosen,
                  waiting=places.waiting().get(place.code, 0), refusal=refusal, conflict=conflict,
                  stored=places.services_at(place.code) if conflict else []), status


def _service_names(services) -> str:
    return ", ".join(service.name_id for service in services)


@bp.route("/tempat/<code>", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def edit_place(code: str):
    """Return the place's form with the services collected there; on a valid POST store the changes (audited)
    and go back to the list (303); the form with its errors (422) or a refusal (409) otherwise."""
    place = _place(code)
    if request.method == "GET":
        form = PlaceForm(data={"kode": place.code, "nama": place.name, "alamat": place.address,
                               "cetak": place.prints_ktp, "versi": places.version(place)})
        return _edit_page(place, form, {service.code for service in places.services_at(place.code)})
    form = PlaceForm(formdata=request.form)
    form.validate()
    form.kode.data = place.code
    chosen = set(request.form.getlist("layanan"))
    known = {service.code for service in places.services()}
    if not _check(form, adding=False) or not chosen <= known:
        refusal = "" if chosen <= known else _("Pilih layanan dari daftar.")
        return _edit_page(place, form, chosen & known, refusal, 422)
    if form.versi.data != places.version(place):
        # Another tab (this page or a service page, which writes the same links) saved since this form opened:
        # saving would silently undo that change.
        return _edit_page(place, form, chosen, status=409, conflict=_(
            "Tempat ini diubah orang lain (atau di halaman layanan) sejak halaman ini dibuka. Isian Anda belum "
            "disimpan dan masih ada di bawah; bandingkan dengan yang tersimpan sekarang, lalu simpan lagi bila "
            "memang mau menggantinya."))
    changes = _changes(place, form, chosen)
    if not changes:
        flash(_("Tidak ada yang berubah pada %(name)s.", name=place.name))
        return redirect(url_for("admin.places_list"), 303)
    line = audit.Line(current_user, "edit_place", calendar.now(), None, f"{place.code}: " + "; ".join(changes))
    try:
        places.edit_place(place, form.nama.data, form.alamat.data, form.cetak.data, chosen, audited=line)
    except places.PlaceRefused as refused:
        return _edit_page(place, form, chosen, _(
            "Layanan ini tidak punya tempat pengambilan aktif lain: %(services)s. Tambahkan tempat lain untuk "
            "layanan itu dulu, lalu lepaskan dari sini.", services=_service_names(refused.services)), 409)
    flash(_("%(name)s disimpan.", name=place.name))
    return redirect(url_for("admin.places_list"), 303)


def _changes(place: PickupPlace, form: PlaceForm, chosen: set[str]) -> list[str]:
    """Return what the form changes on `place`, in words for the audit log (empty when nothing)."""
    changes = []
    if form.nama.data != place.name:
        changes.append(_("nama “%(old)s” → “%(new)s”", old=place.name, new=form.nama.data))
    if form.alamat.data != place.address:
        changes.append(_("alamat “%(old)s” → “%(new)s”", old=place.address, new=form.alamat.data))
    if form.cetak.data != place.prints_ktp:
        changes.append(_("mencetak KTP-el: %(old)s → %(new)s", old=_yes(place.prints_ktp), new=_yes(form.cetak.data)))
    using = {service.code for service in places.services_at(place.code)}
    if chosen - using:
        changes.append(_("layanan ditambah: %(codes)s", codes=", ".join(sorted(chosen - using))))
    if using - chosen:
        changes.append(_("layanan dilepas: %(codes)s", codes=", ".join(sorted(using - chosen))))
    return changes


@bp.post("/tempat/<code>/aktif")
@roles_required(*SUPERVISORS)
def switch_place(code: str):
    """Switch the place off (`aktif` "tidak") or on ("ya") for new pickups (audited) and go back (303); the list
    with a sentence (409) when it is the last active place of some services."""
    place = _place(code)
    active = request.form.get("aktif") == "ya"
    if place.active == active:
        flash(_("%(name)s sudah %(state)s.", name=place.name, state=_("aktif") if active else _("nonaktif")))
        return redirect(url_for("admin.places_list"), 303)
    line = audit.Line(current_user, "edit_place", calendar.now(), None,
                      f"{place.code}: " + (_("diaktifkan kembali") if active else _("dinonaktifkan")))
    try:
        places.set_active(place, active, audited=line)
    except places.PlaceRefused as refused:
        return _list_page(refusal=_(
            "%(name)s tidak bisa dinonaktifkan: tempat ini satu-satunya tempat pengambilan aktif untuk "
            "%(services)s. Tambahkan tempat lain untuk layanan itu dulu.", name=place.name,
            services=_service_names(refused.services)), status=409)
    flash(_("%(name)s diaktifkan kembali.", name=place.name) if active else _(
        "%(name)s dinonaktifkan: tidak ditawarkan lagi untuk pengambilan baru. Dokumen yang sudah menunggu di "
        "sana tetap diambil di sana.", name=place.name))
    return redirect(url_for("admin.places_list"), 303)


@bp.post("/tempat/<code>/<direction>")
@roles_required(*SUPERVISORS)
def move_place(code: str, direction: str):
    """Move the place one up (`naik`) or down (`turun`) in the list (audited) and go back (303)."""
    if direction not in ("naik", "turun"):
        abort(404)
    place = _place(code)
    ordered = places.places()
    before = ordered.index(place) + 1
    step = -1 if direction == "naik" else 1
    if not 1 <= before + step <= len(ordered):
        flash(_("%(name)s sudah di urutan %(n)s.", name=place.name, n=before))
        return redirect(url_for("admin.places_list"), 303)
    places.move(place, step, audited=audit.Line(
        current_user, "edit_place", calendar.now(), None,
        _("%(code)s: urutan %(old)s → %(new)s", code=place.code, old=before, new=before + step)))
    flash(_("%(name)s sekarang di urutan %(n)s.", name=place.name, n=before + step))
    return redirect(url_for("admin.places_list"), 303)
