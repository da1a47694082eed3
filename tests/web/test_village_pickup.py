"""Collective pickup for the village operator, `/desa/ambil`: the desa's ready documents (and nothing else), a
manifest made of the ticked ones, refusals with a sentence, the manifest's page following the handovers,
the resident's timeline, and isolation (another desa 404, a clerk 403, a visitor to /masuk), CSRF."""

from __future__ import annotations

import re

import pytest

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import Application, PickupManifest, User
from portal.services import calendar, handovers
from tests.web.apply_helpers import csrf
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import make_application, sign_in
from tests.web.test_track import track

OTHER_DESA = "33.17.05.2001"


@pytest.fixture
def desa(app, staff):
    """Return the references of Ronggo Mulyo's village applications: two ready KTP-el, one ready KIA, and
    the ones that must never be offered (a submitted one, a self-printed KK ready to download), plus another
    desa's ready one and a resident's own ready one."""
    made = {}
    for key, service, name in (("ktp1", "KTP_BARU", "Siti Wulandari"), ("ktp2", "KTP_BARU", "Budi Santoso"),
                               ("kia", "KIA", "Ayu Lestari")):
        made[key], made[key + "_pin"] = make_application(app, service, state=lifecycle.READY, name=name,
                                                         filed_by="op.sumber")
    made["submitted"], _pin = make_application(app, "KTP_BARU", state=lifecycle.SUBMITTED, filed_by="op.sumber",
                                               name="Belum Siap")
    made["kk"], _pin = make_application(app, "KK_BARU", state=lifecycle.READY, filed_by="op.sumber",
                                        name="Cetak Sendiri")
    made["other"], _pin = make_application(app, "KTP_BARU", state=lifecycle.READY, filed_by="op.sarang",
                                           desa=OTHER_DESA, name="Warga Lodan")
    made["resident"], _pin = make_application(app, "KTP_BARU", state=lifecycle.READY, name="Datang Sendiri")
    return made


def _text(response) -> str:
    return response.get_data(as_text=True)


def _make(client, references, token=None):
    data = {"csrf_token": token or csrf(client, "/desa/ambil"), "permohonan": list(references)}
    return client.post("/desa/ambil", data=data)


def _manifests(app) -> list[tuple[str, str, list[str]]]:
    with app.app_context():
        return [(m.region_code, m.created_by_name, sorted(a.reference for a in m.applications))
                for m in db.session.scalars(db.select(PickupManifest).order_by(PickupManifest.id))]


# The list of ready documents


def test_the_desa_ready_documents_are_listed_all_ticked_and_nothing_else(client, desa):
    sign_in(client, "op.sumber")
    response = client.get("/desa/ambil")
    html = _text(response)
    assert response.status_code == 200
    for key in ("ktp1", "ktp2", "kia"):
        assert re.search(rf'<input[^>]*name="permohonan"[^>]*value="{desa[key]}"[^>]*checked', html), key
    for key in ("submitted", "kk", "other", "resident"):
        assert desa[key] not in html, key
    for expected in ("Siti Wulandari", "KTP-el", "Kartu Identitas Anak (KIA)", "Kantor Dindukcapil",
                     "08.00–14.00 WIB", "Buat manifes pengambilan", "Belum ada manifes."):
        assert expected in html, expected
    assert "Warga Lodan" not in html and "Datang Sendiri" not in html


def test_an_operator_with_nothing_ready_is_told_so(client, staff):
    sign_in(client, "op.sumber")
    html = _text(client.get("/desa/ambil"))
    assert "Belum ada dokumen desa Anda yang siap diambil" in html
    assert "Buat manifes pengambilan" not in html


# Making a manifest


def test_the_ticked_documents_make_a_manifest(app, client, desa):
    sign_in(client, "op.sumber")
    response = _make(client, [desa["ktp1"], desa["kia"]])
    assert response.status_code == 303
    [(region, made_by, references)] = _manifests(app)
    assert (region, made_by, references) == ("33.17.01.2001", "Operator Ronggo Mulyo",
                                             sorted([desa["ktp1"], desa["kia"]]))
    with app.app_context():
        manifest = db.session.scalar(db.select(PickupManifest))
        code, manifest_id = manifest.code, manifest.id
    assert re.fullmatch(r"AMB-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert response.headers["Location"] == f"/desa/ambil/{manifest_id}"
    page = _text(client.get(response.headers["Location"]))
    for expected in (code, desa["ktp1"], desa["kia"], "Siap", "Ronggo Mulyo", "Operator Ronggo Mulyo",
                     f"/desa/ambil/{manifest_id}/manifes.pdf", "0 dari 2 dokumen"):
        assert expected in page, expected
    assert desa["ktp2"] not in page
    listing = _text(client.get("/desa/ambil"))
    assert code in listing and f'href="/desa/ambil/{manifest_id}"' in listing


def test_another_desa_document_is_refused_with_a_sentence_and_nothing_made(app, client, desa):
    sign_in(client, "op.sumber")
    response = _make(client, [desa["ktp1"], desa["other"]])
    html = _text(response)
    assert response.status_code == 409
    assert f"{desa['other']} tidak ada di antara dokumen desa Anda yang siap diambil" in html
    assert "Manifes belum dibuat" in html and "<title>Kesalahan:" in html
    assert re.search(rf'value="{desa["ktp1"]}" checked', html)  # the ticks are kept
    assert not re.search(rf'value="{desa["ktp2"]}" checked', html)
    assert _manifests(app) == []


@pytest.mark.parametrize("key, message", [
    ("submitted", "belum siap diambil atau sudah diserahkan"),
    ("kk", "dicetak sendiri oleh pemohon"),
    ("resident", "tidak ada di antara dokumen desa Anda"),
])
def test_what_cannot_be_collected_is_refused(app, client, desa, key, message):
    sign_in(client, "op.sumber")
    response = _make(client, [desa[key]])
    assert response.status_code == 409 and message in _text(response)
    assert _manifests(app) == []


def test_nothing_ticked_asks_for_one(app, client, desa):
    sign_in(client, "op.sumber")
    response = _make(client, [])
    assert response.status_code == 422 and "Centang sedikitnya satu dokumen" in _text(response)
    assert _manifests(app) == []


def test_a_document_collected_meanwhile_is_refused(app, client, desa):
    sign_in(client, "op.sumber")
    token = csrf(client, "/desa/ambil")
    with app.app_context():
        application = db.session.scalar(db.select(Application).where(Application.reference == desa["ktp2"]))
        clerk = db.session.scalar(db.select(User).where(User.username == "clerk"))
        handovers.hand_over(application, clerk, calendar.now(), "applicant", nik_typed=application.nik,
                            reason="Sebelum jadwal")
    response = _make(client, [desa["ktp1"], desa["ktp2"]], token)
    assert response.status_code == 409 and f"{desa['ktp2']} belum siap diambil" in _text(response)


# Handover shows on the manifest and the resident's timeline


def test_a_handover_from_the_manifest_shows_for_the_operator_and_the_resident(app, client, desa):
    sign_in(client, "op.sumber")
    location = _make(client, [desa["ktp1"], desa["ktp2"]]).headers["Location"]
    with app.app_context():
        manifest = db.session.scalar(db.select(PickupManifest))
        application = db.session.scalar(db.select(Application).where(Application.reference == desa["ktp1"]))
        clerk = db.session.scalar(db.select(User).where(User.username == "clerk"))
        handovers.hand_over(application, clerk, calendar.now(), "operator", name="Operator Ronggo Mulyo",
                            manifest=manifest, reason="Sebelum jadwal")
    page = _text(client.get(location))
    assert "Sudah diserahkan 3 Des 2026" in page and "1 dari 2 dokumen" in page
    resident = app.test_client()
    assert track(resident, desa["ktp1"], desa["ktp1_pin"]).status_code == 303
    tracked = _text(resident.get(f"/lacak/{desa['ktp1']}"))
    assert "Dokumen diserahkan: Diserahkan kepada Operator Ronggo Mulyo, operator desa" in tracked
    resident.set_cookie("bahasa", "en")
    tracked = _text(resident.get(f"/lacak/{desa['ktp1']}"))
    assert "Document handed over: Handed over to Operator Ronggo Mulyo, village operator" in tracked


# The PDF from the operator's page


def test_the_manifest_pdf_downloads(app, client, desa):
    sign_in(client, "op.sumber")
    location = _make(client, [desa["ktp1"]]).headers["Location"]
    response = client.get(f"{location}/manifes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and "manifes-AMB-" in response.headers["Content-Disposition"]


# Isolation, roles, CSRF


@pytest.fixture
def manifest_id(app, desa):
    """Return the id of a manifest Ronggo Mulyo's operator made of one document."""
    operator = app.test_client()
    sign_in(operator, "op.sumber")
    return int(_make(operator, [desa["ktp1"]]).headers["Location"].rsplit("/", 1)[1])


def _routes(manifest_id):
    return ["/desa/ambil", f"/desa/ambil/{manifest_id}", f"/desa/ambil/{manifest_id}/manifes.pdf"]


def test_another_desa_operator_gets_404_for_the_manifest(app, desa, manifest_id):
    other = app.test_client()
    sign_in(other, "op.sarang")
    assert other.get(f"/desa/ambil/{manifest_id}").status_code == 404
    assert other.get(f"/desa/ambil/{manifest_id}/manifes.pdf").status_code == 404
    assert other.get("/desa/ambil/999999").status_code == 404
    listing = _text(other.get("/desa/ambil"))
    assert desa["ktp1"] not in listing and "AMB-" not in listing and desa["other"] in listing
    refused = _make(other, [desa["ktp1"]])
    assert refused.status_code == 409 and len(_manifests(app)) == 1


def test_a_visitor_is_sent_to_sign_in_and_a_clerk_is_refused(app, manifest_id):
    visitor = app.test_client()
    for path in _routes(manifest_id):
        response = visitor.get(path)
        assert response.status_code == 303 and response.headers["Location"].startswith("/masuk"), path
    assert visitor.post("/desa/ambil", data={"permohonan": ["x"]}).status_code in (303, 400)
    clerk = app.test_client()
    sign_in(clerk, "clerk")
    for path in _routes(manifest_id):
        assert clerk.get(path).status_code == 403, path
    token = csrf(clerk, "/petugas/serah")
    assert clerk.post("/desa/ambil", data={"csrf_token": token, "permohonan": ["x"]}).status_code == 403


def test_making_a_manifest_needs_a_csrf_token(app, client, desa):
    sign_in(client, "op.sumber")
    response = client.post("/desa/ambil", data={"permohonan": [desa["ktp1"]]})
    assert response.status_code == 400
    assert _manifests(app) == []


# Valid HTML (the signed-in pages are not in test_html_valid.py's public list)


def test_the_pickup_pages_and_the_counter_manifest_page_are_valid_html(app, client, desa, tmp_path):
    sign_in(client, "op.sumber")
    pages = {"pickup": client.get("/desa/ambil"), "refused": _make(client, [desa["other"]])}
    location = _make(client, [desa["ktp1"], desa["ktp2"]]).headers["Location"]
    pages["manifest"] = client.get(location)
    clerk = app.test_client()
    sign_in(clerk, "clerk")
    manifest_id = int(location.rsplit("/", 1)[1])
    pages["counter"] = clerk.get(f"/petugas/serah/manifes/{manifest_id}")
    pages["prints"] = clerk.get("/petugas/cetak")
    for name, response in pages.items():
        assert response.mimetype == "text/html", name
    nu_validate(tmp_path, pages)
