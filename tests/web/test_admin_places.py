"""Pickup places, `/admin/tempat`: the list (order, KTP-el printing, state, services, documents waiting),
adding and editing a place with its services, switching it off (refused for a service's last active place) and
on, the order, the audit lines, what the clerk's review then offers, and supervisors only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.extensions import db
from portal.models import Application, AuditEntry, PickupPlace, Service
from portal.services import places, review
from tests.web.apply_helpers import csrf
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import make_application, sends_to_sign_in, sign_in, stored
from tests.web.test_staff_handover import _confirm, session_csrf

NEW = {"kode": "KEC_SULANG", "nama": "Kantor Kecamatan Sulang", "alamat": "Jl. Raya Sulang 1", "cetak": "y"}


def _post(client, path, data, page="/admin/tempat"):
    return client.post(path, data={"csrf_token": csrf(client, page), **data})


def _audit(app, action=None):
    with app.app_context():
        query = db.select(AuditEntry).where(AuditEntry.action.in_([action] if action else ["add_place", "edit_place"]))
        return [(entry.user_name, entry.detail) for entry in db.session.scalars(query.order_by(AuditEntry.id))]


def _html(response):
    return response.get_data(as_text=True)


def _place(app, code):
    return stored(app, PickupPlace, code)


def _codes(app):
    with app.app_context():
        return [place.code for place in db.session.scalars(
            db.select(PickupPlace).order_by(PickupPlace.position, PickupPlace.code))]


def _services_at(app, code):
    with app.app_context():
        return sorted(service.code for service in db.session.scalars(db.select(Service))
                      if code in {place.code for place in service.pickup_places})


def _edit_data(app, code, **changes):
    place = _place(app, code)
    with app.app_context():
        versi = places.version(db.session.get(PickupPlace, code))
    data = {"nama": place.name, "alamat": place.address, "layanan": _services_at(app, code), "versi": versi}
    if place.prints_ktp:
        data["cetak"] = "y"
    data.update(changes)
    return data


def _switch(client, code, active):
    return _post(client, f"/admin/tempat/{code}/aktif", {"aktif": "ya" if active else "tidak"})


def _row(html, code):
    start = html.index(f'<span class="small">{code}</span>')
    return html[html.rindex("<tr>", 0, start):html.index("</tr>", start)]


def test_list_shows_places_in_order_with_services_and_waiting(app, kabid):
    make_application(app, "KTP_BARU", state="ready")  # proposed at the first place, the Dinas
    html = _html(kabid.get("/admin/tempat"))
    assert "Tempat pengambilan" in html
    names = re.findall(r'<th scope="row">([^<]+)<br>', html)
    assert names[:2] == ["1. Kantor Dindukcapil Kabupaten Rembang", "2. Mal Pelayanan Publik Rembang"]
    assert names[-1] == "8. Balai desa tempat tinggal"
    dinas = _row(html, "DINAS")
    assert "15 layanan" in dinas and "KTP-el Baru (Perekaman)" in dinas and "1 dokumen menunggu diambil" in dinas
    assert "Aktif<br>" in dinas and ">Mencetak KTP-el<" in dinas and "Naik" not in dinas
    balai = _row(html, "BALAI_DESA")
    assert "Tidak mencetak KTP-el" in balai and "6 layanan" in balai and "0 dokumen menunggu diambil" in balai and "Turun" not in balai


def test_add_a_place_is_audited_and_opens_its_page(app, kabid):
    response = _post(kabid, "/admin/tempat", {**NEW, "kode": " kec_sulang "})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/tempat/KEC_SULANG"
    html = _html(kabid.get("/admin/tempat/KEC_SULANG"))
    assert "Kantor Kecamatan Sulang ditambahkan. Pilih layanan" in html
    place = _place(app, "KEC_SULANG")
    assert (place.name, place.address, place.prints_ktp, place.active) == (
        "Kantor Kecamatan Sulang", "Jl. Raya Sulang 1", True, True)
    assert _codes(app)[-1] == "KEC_SULANG"
    assert _audit(app) == [("Kepala Bidang", "KEC_SULANG: Kantor Kecamatan Sulang, Jl. Raya Sulang 1; "
                                             "mencetak KTP-el: ya")]


@pytest.mark.parametrize("fields, field, message", [
    ({"kode": ""}, "kode", "Kode 2–30 huruf besar, angka, atau garis bawah"),
    ({"kode": "KEC SULANG"}, "kode", "Kode 2–30 huruf besar, angka, atau garis bawah"),
    ({"kode": "KEC-SULANG"}, "kode", "Kode 2–30 huruf besar, angka, atau garis bawah"),
    ({"kode": "mpp"}, "kode", "Kode MPP sudah dipakai tempat lain."),
    ({"nama": ""}, "nama", "Tulis nama tempat."),
    ({"nama": "x" * 121}, "nama", "Nama paling banyak 120 huruf."),
    ({"alamat": ""}, "alamat", "Tulis alamat tempat"),
    ({"alamat": "x" * 201}, "alamat", "Alamat paling banyak 200 huruf."),
])
def test_add_errors_are_shown_and_input_kept(app, kabid, fields, field, message):
    data = {**NEW, **fields}
    response = _post(kabid, "/admin/tempat", data)
    html = _html(response)
    assert response.status_code == 422 and "<title>Kesalahan:" in html
    assert message in html and f'href="#{field}"' in html
    for name in ("nama", "alamat"):
        if data[name]:
            assert f'value="{data[name]}"' in html
    assert 'id="cetak" name="cetak" type="checkbox" value="y" checked' in html
    assert len(_codes(app)) == 8 and _audit(app) == []


def test_edit_a_place_and_its_services(app, kabid, client):
    assert "Mal Pelayanan Publik Rembang" in _html(client.get("/layanan/kia"))
    before = _services_at(app, "MPP")
    data = _edit_data(app, "MPP", nama="MPP Rembang", alamat="Jl. Gatot Subroto 5", cetak="",
                      layanan=[code for code in before if code != "KIA"] + ["PINDAH_DATANG"])
    data.pop("cetak")
    response = _post(kabid, "/admin/tempat/MPP", data, page="/admin/tempat/MPP")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/tempat"
    assert "MPP Rembang disimpan." in _html(kabid.get("/admin/tempat"))
    place = _place(app, "MPP")
    assert (place.name, place.address, place.prints_ktp) == ("MPP Rembang", "Jl. Gatot Subroto 5", False)
    assert "KIA" not in _services_at(app, "MPP")
    assert _audit(app) == [("Kepala Bidang", "MPP: nama “Mal Pelayanan Publik Rembang” → “MPP Rembang”; "
                                             "alamat “Mal Pelayanan Publik, Rembang” → “Jl. Gatot Subroto 5”; "
                                             "mencetak KTP-el: ya → tidak; layanan dilepas: KIA")]
    kia = _html(client.get("/layanan/kia"))  # the service page follows at once
    assert "MPP Rembang" not in kia and "Mal Pelayanan Publik Rembang" not in kia


def test_add_a_service_to_a_place(app, kabid):
    data = _edit_data(app, "KEC_LASEM")
    data["layanan"] = data["layanan"] + ["KIA"]
    assert _post(kabid, "/admin/tempat/KEC_LASEM", data, page="/admin/tempat/KEC_LASEM").status_code == 303
    assert "KIA" in _services_at(app, "KEC_LASEM")
    assert _audit(app) == [("Kepala Bidang", "KEC_LASEM: layanan ditambah: KIA")]
    with app.app_context():
        kia = db.session.get(Service, "KIA")
        assert [place.code for place in kia.pickup_places] == ["DINAS", "MPP", "KEC_LASEM"]  # in the list's order


def test_a_save_over_another_tabs_change_is_refused_and_shows_what_is_stored(app, kabid):
    stale = _edit_data(app, "KEC_LASEM", alamat="Jl. Raya Lasem 9")  # B opens the place
    assert "KIA" not in stale["layanan"]
    with app.app_context():  # A links KIA to the place on the service's page (the same links)
        kia = db.session.get(Service, "KIA")
        kia.pickup_places.append(db.session.get(PickupPlace, "KEC_LASEM"))
        db.session.commit()
    response = _post(kabid, "/admin/tempat/KEC_LASEM", stale, page="/admin/tempat/KEC_LASEM")
    html = _html(response)
    assert response.status_code == 409
    assert "Tempat ini diubah orang lain (atau di halaman layanan) sejak halaman ini dibuka." in html
    assert 'value="Jl. Raya Lasem 9"' in html  # B's input kept
    assert "Yang tersimpan sekarang" in html and "<title>Kesalahan:" in html
    stored = html.split("Yang tersimpan sekarang")[1].split("</dl>")[0]
    with app.app_context():
        assert db.session.get(Service, "KIA").name_id in stored
    assert "KIA" in _services_at(app, "KEC_LASEM") and _audit(app) == []
    assert _place(app, "KEC_LASEM").address != "Jl. Raya Lasem 9"
    fresh = re.search(r'name="versi" type="hidden" value="([0-9a-f]+)"', html)[1]
    assert fresh != stale["versi"]
    again = _post(kabid, "/admin/tempat/KEC_LASEM", {**stale, "versi": fresh, "layanan": stale["layanan"] + ["KIA"]},
                  page="/admin/tempat/KEC_LASEM")
    assert again.status_code == 303
    assert _place(app, "KEC_LASEM").address == "Jl. Raya Lasem 9" and "KIA" in _services_at(app, "KEC_LASEM")


def test_saving_without_changes_writes_no_audit_line(app, kabid):
    response = _post(kabid, "/admin/tempat/DINAS", _edit_data(app, "DINAS"), page="/admin/tempat/DINAS")
    assert response.status_code == 303
    assert "Tidak ada yang berubah" in _html(kabid.get("/admin/tempat"))
    assert _audit(app) == []


@pytest.mark.parametrize("changes, field, message", [
    ({"nama": ""}, "nama", "Tulis nama tempat."),
    ({"alamat": ""}, "alamat", "Tulis alamat tempat"),
    ({"layanan": ["KIA", "TIDAK_ADA"]}, "layanan-fieldset", "Pilih layanan dari daftar."),
])
def test_edit_errors_are_shown_and_input_kept(app, kabid, changes, field, message):
    data = _edit_data(app, "DINAS", **{"alamat": "Alamat baru", **changes})
    response = _post(kabid, "/admin/tempat/DINAS", data, page="/admin/tempat/DINAS")
    html = _html(response)
    assert response.status_code == 422 and message in html and f'href="#{field}"' in html
    if data["alamat"]:
        assert 'value="Alamat baru"' in html
    assert _place(app, "DINAS").address == "Jl. Pemuda Km 3, Rembang" and _audit(app) == []


def test_taking_a_service_off_its_last_active_place_is_refused(app, kabid):
    assert _switch(kabid, "MPP", False).status_code == 303  # KIA is now collected at the Dinas only
    data = _edit_data(app, "DINAS", nama="Dinas baru")
    data["layanan"] = [code for code in data["layanan"] if code != "KIA"]
    response = _post(kabid, "/admin/tempat/DINAS", data, page="/admin/tempat/DINAS")
    html = _html(response)
    assert response.status_code == 409
    assert "tidak punya tempat pengambilan aktif lain: Kartu Identitas Anak (KIA)" in html
    assert 'value="Dinas baru"' in html and 'id="layanan-KIA" name="layanan" type="checkbox" value="KIA">' in html
    assert _place(app, "DINAS").name == "Kantor Dindukcapil Kabupaten Rembang" and "KIA" in _services_at(app, "DINAS")
    assert len(_audit(app)) == 1  # only the switch


def test_switch_a_place_off_and_on(app, kabid, client):
    response = _switch(kabid, "KEC_LASEM", False)
    assert response.status_code == 303
    html = _html(kabid.get("/admin/tempat"))
    assert "Kantor Kecamatan Lasem dinonaktifkan: tidak ditawarkan lagi untuk pengambilan baru." in html
    assert "Nonaktif" in _row(html, "KEC_LASEM") and "Aktifkan" in _row(html, "KEC_LASEM")
    assert _place(app, "KEC_LASEM").active is False
    assert _switch(kabid, "KEC_LASEM", False).status_code == 303  # a second click changes nothing
    assert _switch(kabid, "KEC_LASEM", True).status_code == 303
    assert _place(app, "KEC_LASEM").active is True
    assert _audit(app) == [("Kepala Bidang", "KEC_LASEM: dinonaktifkan"),
                           ("Kepala Bidang", "KEC_LASEM: diaktifkan kembali")]


def test_a_place_switched_off_leaves_the_residents_service_page_at_once(app, kabid, client):
    assert "Kantor Kecamatan Lasem" in client.get("/layanan/ktp_hilang").get_data(as_text=True)
    assert _switch(kabid, "KEC_LASEM", False).status_code == 303
    page = client.get("/layanan/ktp_hilang").get_data(as_text=True)
    assert "Kantor Kecamatan Lasem" not in page and "Kantor Kecamatan Pancur" in page
    assert _switch(kabid, "KEC_LASEM", True).status_code == 303
    assert "Kantor Kecamatan Lasem" in client.get("/layanan/ktp_hilang").get_data(as_text=True)


def test_switching_off_the_last_active_place_of_services_is_refused(app, kabid):
    assert _switch(kabid, "MPP", False).status_code == 303
    response = _switch(kabid, "DINAS", False)
    html = _html(response)
    assert response.status_code == 409 and "<title>Kesalahan:" in html
    assert "Kantor Dindukcapil Kabupaten Rembang tidak bisa dinonaktifkan" in html
    for name in ("Kartu Identitas Anak (KIA)", "Akta Perkawinan (Non-Muslim)", "Surat Pindah Keluar (SKPWNI)"):
        assert name in html
    assert "KTP-el Baru" not in html[html.index("tidak bisa dinonaktifkan"):html.index("</p>",
                                                                                      html.index("tidak bisa"))]
    assert _place(app, "DINAS").active is True and len(_audit(app)) == 1


def test_an_inactive_place_is_not_proposed_in_review(app, kabid):
    ready, _pin = make_application(app, "KTP_BARU", state="ready", nik="3317010101900002")
    assert _switch(kabid, "DINAS", False).status_code == 303
    reference, _pin = make_application(app, "KTP_BARU", state="approved")
    with app.app_context():
        application = db.session.scalar(db.select(Application).where(Application.reference == reference))
        assert "DINAS" not in [place.code for place in review.pickup_places(application)]
        place, _slot = review.proposal(application, review.calendar.now())
        assert place.code == "MPP"
    clerk = app.test_client()
    sign_in(clerk, "clerk")
    form = _html(clerk.get(f"/petugas/{reference}"))
    assert 'value="MPP" checked' in form and 'value="DINAS"' not in form
    refused = clerk.post(f"/petugas/{reference}/siap", data={
        "csrf_token": csrf(clerk, f"/petugas/{reference}"), "place": "DINAS", "day": "2026-12-08",
        "window": "08:00-14:00"})
    assert refused.status_code == 422 and "Pilih tempat pengambilan yang melayani layanan ini." in _html(refused)
    # The document already ready at the Dinas keeps it: shown, printed and handed over there.
    assert "Kantor Dindukcapil Kabupaten Rembang" in _html(clerk.get(f"/petugas/{ready}"))
    assert clerk.get(f"/petugas/{ready}/tanda-terima.pdf?ukuran=a6").status_code == 200
    assert _confirm(clerk, ready, nik_digits="0002").status_code == 303
    with app.app_context():
        found = db.session.scalar(db.select(Application).where(Application.reference == ready))
        assert (found.state, found.pickup_place_code) == ("collected", "DINAS")


def test_a_service_naming_no_place_is_offered_every_active_place(app, kabid):
    with app.app_context():
        db.session.get(Service, "KIA").pickup_places = []
        db.session.commit()
    _switch(kabid, "KEC_LASEM", False)
    reference, _pin = make_application(app, "KIA", state="approved")
    with app.app_context():
        application = db.session.scalar(db.select(Application).where(Application.reference == reference))
        codes = [place.code for place in review.pickup_places(application)]
    assert codes == [code for code in _codes(app) if code != "KEC_LASEM"]


def test_move_places_up_and_down(app, kabid):
    assert _post(kabid, "/admin/tempat/MPP/naik", {}).status_code == 303
    assert _codes(app)[:3] == ["MPP", "DINAS", "KEC_PANCUR"]
    assert "Mal Pelayanan Publik Rembang sekarang di urutan 1." in _html(kabid.get("/admin/tempat"))
    assert _post(kabid, "/admin/tempat/MPP/turun", {}).status_code == 303
    assert _post(kabid, "/admin/tempat/MPP/turun", {}).status_code == 303
    assert _codes(app)[:3] == ["DINAS", "KEC_PANCUR", "MPP"]
    assert _audit(app) == [("Kepala Bidang", "MPP: urutan 2 → 1"), ("Kepala Bidang", "MPP: urutan 1 → 2"),
                           ("Kepala Bidang", "MPP: urutan 2 → 3")]
    assert _post(kabid, "/admin/tempat/DINAS/naik", {}).status_code == 303  # already first: nothing changes
    assert "sudah di urutan 1" in _html(kabid.get("/admin/tempat")) and len(_audit(app)) == 3
    with app.app_context():  # the clerk's list follows the order
        assert [place.code for place in db.session.get(Service, "KIA").pickup_places] == ["DINAS", "MPP"]


def test_unknown_place_or_direction_is_404(kabid):
    assert kabid.get("/admin/tempat/TIDAK_ADA").status_code == 404
    assert _post(kabid, "/admin/tempat/TIDAK_ADA/aktif", {"aktif": "tidak"}).status_code == 404
    assert _post(kabid, "/admin/tempat/MPP/samping", {}).status_code == 404


# Who may

PAGES = ["/admin/tempat", "/admin/tempat/DINAS"]
POSTS = ["/admin/tempat", "/admin/tempat/DINAS", "/admin/tempat/DINAS/aktif", "/admin/tempat/MPP/naik"]


@pytest.mark.parametrize("username", ["clerk", "op.sumber"])
def test_clerks_and_operators_get_403(app, client, staff, username):
    sign_in(client, username)
    with app.app_context():
        token = session_csrf(client)
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    for path in POSTS:
        assert client.post(path, data={"csrf_token": token, **NEW, "aktif": "tidak"}).status_code == 403, path
    assert _audit(app) == []


def test_visitors_go_to_sign_in(client, staff):
    for path in PAGES:
        assert sends_to_sign_in(client.get(path)), path


def test_post_without_csrf_token_is_refused(app, kabid):
    for path in POSTS:
        assert kabid.post(path, data={**NEW, "aktif": "tidak"}).status_code == 400, path
    assert _audit(app) == [] and _place(app, "DINAS").active is True


def test_on_a_phone_each_places_actions_sit_under_its_name(app, kabid):
    html = _html(kabid.get("/admin/tempat"))
    assert re.search(r'<link rel="stylesheet" href="[^"]*css/admin\.[0-9a-f]*\.?css"', html)
    assert 'class="week places-table"' in html and html.count('<td class="place-actions">') == len(_codes(app))
    css = (Path(app.root_path) / "static" / "css" / "admin.css").read_text(encoding="utf-8")
    phone = css[css.index("/admin/tempat on a phone"):]
    assert "@media (max-width:39.99rem)" in phone and "td.place-actions{order:1" in phone


def test_places_pages_are_valid_html(app, kabid, tmp_path):
    make_application(app, "KTP_BARU", state="ready")
    _switch(kabid, "KEC_LASEM", False)
    _switch(kabid, "MPP", False)
    pages = {
        "places": kabid.get("/admin/tempat"),
        "places-error": _post(kabid, "/admin/tempat", {**NEW, "kode": "x y", "nama": ""}),
        "places-refused": _switch(kabid, "DINAS", False),
        "place": kabid.get("/admin/tempat/DINAS"),
        "place-error": _post(kabid, "/admin/tempat/DINAS", {"nama": "", "alamat": "", "layanan": ["X"]},
                             page="/admin/tempat/DINAS"),
        "place-refused": _post(kabid, "/admin/tempat/DINAS", _edit_data(app, "DINAS", nama="Dinas", layanan=[]),
                               page="/admin/tempat/DINAS"),
        "place-conflict": _post(kabid, "/admin/tempat/DINAS", _edit_data(app, "DINAS", nama="Dinas", versi="0"),
                                page="/admin/tempat/DINAS"),
    }
    kabid.set_cookie("bahasa", "en")
    pages["en-places"] = kabid.get("/admin/tempat")
    pages["en-place"] = kabid.get("/admin/tempat/MPP")
    assert [r.status_code for r in pages.values()] == [200, 422, 409, 200, 422, 409, 409, 200, 200]
    assert "tidak punya tempat pengambilan aktif lain" in _html(pages["place-refused"])
    assert "Yang tersimpan sekarang" in _html(pages["place-conflict"])
    nu_validate(tmp_path, pages)
