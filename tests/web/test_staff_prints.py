"""Print all for a day: one PDF with a pickup receipt per application ready that day (ordered by place, then
reference), nothing-to-print and unreadable days, the default day, the coming days, the audit line, roles."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import Application, AuditEntry, PickupPlace
from tests.conftest import wib
from tests.web.staff_helpers import make_application, sign_in

DAY = date(2026, 12, 8)
OTHER_DAY = date(2026, 12, 9)


def _set_pickup(app, reference: str, day: date, place: str, state: str | None = None) -> None:
    with app.app_context():
        application = db.session.scalar(db.select(Application).where(Application.reference == reference))
        application.pickup_date, application.pickup_place_code = day, place
        if state:
            application.state = state
        db.session.commit()


@pytest.fixture
def day_of_pickups(app, staff):
    """Return the references ready on DAY in print order: at the office (DINAS) by reference, then at the mall
    (MPP). Also ready: one on another day; not ready: one in review; one already collected on DAY."""
    with app.app_context():
        positions = dict(db.session.execute(db.select(PickupPlace.code, PickupPlace.position)).all())
    assert positions["DINAS"] < positions["MPP"]
    made = {}
    for key, place in (("mall", "MPP"), ("office1", "DINAS"), ("office2", "DINAS")):
        reference, _pin = make_application(app, "KTP_BARU", state=lifecycle.READY)
        _set_pickup(app, reference, DAY, place)
        made[key] = reference
    other, _pin = make_application(app, "KIA", state=lifecycle.READY)
    _set_pickup(app, other, OTHER_DAY, "DINAS")
    reviewing, _pin = make_application(app, "KTP_BARU", state=lifecycle.IN_REVIEW)
    _set_pickup(app, reviewing, DAY, "DINAS")
    collected, _pin = make_application(app, "KTP_BARU", state=lifecycle.READY)
    _set_pickup(app, collected, DAY, "DINAS", state=lifecycle.COLLECTED)
    return sorted([made["office1"], made["office2"]]) + [made["mall"]], other


def _printed(client, query: str, filename: str) -> tuple[list[str], bytes]:
    """Sign `client` in as a clerk, print DAY's documents (`query`), check it is the PDF `filename`; return
    the text of each of its pages and the PDF."""
    sign_in(client, "clerk")
    response = client.get(f"/petugas/cetak?hari={DAY.isoformat()}&{query}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert filename in response.headers["Content-Disposition"]
    return _pages(response.data), response.data


def _pages(body: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(body)).pages]


@pytest.mark.parametrize("size", ["a6", "80"])
def test_one_page_per_application_ready_that_day_in_place_then_reference_order(app, client, day_of_pickups, size):
    ordered, other = day_of_pickups
    pages, _pdf = _printed(client, f"ukuran={size}", f"tanda-terima-pengambilan-{DAY.isoformat()}-{size}.pdf")
    assert len(pages) == 3
    for page, reference in zip(pages, ordered):
        assert reference in page
    assert "Mal Pelayanan Publik" in pages[2] and "Kantor Dindukcapil" in pages[0]
    assert all(other not in page for page in pages)


def test_the_print_is_written_to_the_audit_log(app, client, day_of_pickups):
    sign_in(client, "clerk")
    client.get(f"/petugas/cetak?hari={DAY.isoformat()}&ukuran=a6")
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "print"))
    assert entry.user_name == "Petugas Satu"
    assert entry.detail == f"tanda terima pengambilan {DAY.isoformat()}: 3 permohonan, A6"


def test_a_day_typed_by_hand_is_read_too(client, day_of_pickups):
    sign_in(client, "clerk")
    response = client.get("/petugas/cetak?hari=8-12-2026&ukuran=80")
    assert response.mimetype == "application/pdf" and len(_pages(response.data)) == 3


def test_a_day_with_nothing_ready_says_so_instead_of_an_empty_pdf(client, staff):
    sign_in(client, "clerk")
    response = client.get("/petugas/cetak?hari=2026-12-10&ukuran=a6")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Tidak ada yang perlu dicetak." in html and "Kamis, 10 Desember 2026" in html
    assert 'value="2026-12-10"' in html


@pytest.mark.parametrize("query, message, kept", [
    ("hari=besok&ukuran=a6", "Tulis tanggal pengambilan", 'value="besok"'),
    ("hari=2026-02-30&ukuran=a6", "Tulis tanggal pengambilan", 'value="2026-02-30"'),
    ("hari=&ukuran=a6", "Tulis tanggal pengambilan", None),
    ("hari=2026-12-08&ukuran=a4", "Pilih ukuran kertas", 'value="2026-12-08"'),
])
def test_an_unreadable_day_or_paper_gets_a_message(client, staff, query, message, kept):
    sign_in(client, "clerk")
    response = client.get(f"/petugas/cetak?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and "<title>Kesalahan:" in html
    if kept:
        assert kept in html


@pytest.mark.parametrize("now, expected", [
    (wib(2026, 12, 3, 9, 0), "2026-12-03"),   # Thursday, pickup open: today
    (wib(2026, 12, 3, 7, 0), "2026-12-03"),   # before opening: still today
    (wib(2026, 12, 3, 15, 0), "2026-12-04"),  # after closing: Friday
    (wib(2026, 12, 5, 10, 0), "2026-12-07"),  # Saturday: Monday
])
def test_the_form_offers_the_next_pickup_day(client, staff, clock, now, expected):
    clock.now = now
    sign_in(client, "clerk")
    html = client.get("/petugas/cetak").get_data(as_text=True)
    assert f'id="hari" name="hari" type="date" value="{expected}"' in html
    assert re.search(r'<input checked[^>]*value="a6"', html)


def test_the_form_lists_the_coming_days_with_documents_waiting(client, day_of_pickups):
    sign_in(client, "clerk")
    html = client.get("/petugas/cetak").get_data(as_text=True)
    assert "Selasa, 8 Desember 2026" in html and "Rabu, 9 Desember 2026" in html
    assert html.index("Selasa, 8 Desember 2026") < html.index("Rabu, 9 Desember 2026")
    assert "<td>3</td>" in html and "<td>1</td>" in html
    assert "/petugas/cetak?hari=2026-12-08&amp;ukuran=80" in html


def test_only_staff_may_print(client, staff):
    path = "/petugas/cetak?hari=2026-12-08&ukuran=a6"
    visitor = client.get(path)
    assert visitor.status_code == 303 and visitor.headers["Location"].startswith("/masuk")
    sign_in(client, "op.sumber")
    assert client.get(path).status_code == 403
    assert client.get("/petugas/cetak").status_code == 403


def test_a_supervisor_may_print(client, staff):
    sign_in(client, "kabid")
    assert client.get("/petugas/cetak").status_code == 200


# Collective pickup manifests of a day, one per desa


@pytest.fixture
def village_day(app, staff):
    """Return {desa code: [references ready on DAY]} for two desa; also ready: a village one on another day and
    a resident's own one on DAY (neither goes on a manifest of DAY)."""
    made: dict[str, list[str]] = {"33.17.01.2001": [], "33.17.05.2001": []}
    for operator, desa, place in (("op.sumber", "33.17.01.2001", "DINAS"), ("op.sumber", "33.17.01.2001", "MPP"),
                                  ("op.sarang", "33.17.05.2001", "DINAS")):
        reference, _pin = make_application(app, "KTP_BARU", state=lifecycle.READY, filed_by=operator, desa=desa)
        _set_pickup(app, reference, DAY, place)
        made[desa].append(reference)
    later, _pin = make_application(app, "KTP_BARU", state=lifecycle.READY, filed_by="op.sumber")
    _set_pickup(app, later, OTHER_DAY, "DINAS")
    own, _pin = make_application(app, "KTP_BARU", state=lifecycle.READY)
    _set_pickup(app, own, DAY, "DINAS")
    return made, later, own


def _stored_manifests(app):
    from portal.models import PickupManifest

    with app.app_context():
        return [(m.region_code, m.created_by_name, sorted(a.reference for a in m.applications), m.verification_token)
                for m in db.session.scalars(db.select(PickupManifest).order_by(PickupManifest.id))]


def test_the_manifests_of_a_day_print_one_page_per_desa(app, client, village_day, tmp_path):
    from tests.web.pdf_helpers import scanned_qr

    made, later, own = village_day
    pages, pdf = _printed(client, "jenis=manifes", f"manifes-pengambilan-{DAY.isoformat()}.pdf")
    assert len(pages) == 2
    assert "Lodan Kulon" in pages[0] and "Ronggo Mulyo" in pages[1]  # by desa name
    assert all(reference in pages[1] for reference in made["33.17.01.2001"])
    assert made["33.17.05.2001"][0] in pages[0]
    assert all(later not in page and own not in page for page in pages)
    assert "Operator Ronggo Mulyo" in pages[1] and "Operator Lodan Kulon" in pages[0]  # the collectors
    stored = _stored_manifests(app)
    assert sorted((region, made_by, refs) for region, made_by, refs, _token in stored) == [
        ("33.17.01.2001", "Petugas Satu", sorted(made["33.17.01.2001"])),
        ("33.17.05.2001", "Petugas Satu", made["33.17.05.2001"])]
    tokens = {region: token for region, _by, _refs, token in stored}
    scanned = scanned_qr(pdf, tmp_path)
    assert scanned == [f"http://localhost/verifikasi/{tokens['33.17.05.2001']}",
                       f"http://localhost/verifikasi/{tokens['33.17.01.2001']}"]
    desk = client.get("/petugas/serah", query_string={"kode": scanned[1]})
    assert desk.status_code == 200 and made["33.17.01.2001"][0] in desk.get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "print"))
    assert entry.user_name == "Petugas Satu"
    assert entry.detail.startswith(f"manifes pengambilan {DAY.isoformat()}: 2 desa, 3 permohonan, A4 (AMB-")


def test_printing_the_same_day_twice_makes_no_duplicate(app, client, village_day):
    made, _later, _own = village_day
    sign_in(client, "clerk")
    path = f"/petugas/cetak?hari={DAY.isoformat()}&jenis=manifes"
    client.get(path)
    first = _stored_manifests(app)
    second_clerk = app.test_client()
    sign_in(second_clerk, "clerk2")
    assert second_clerk.get(path).mimetype == "application/pdf"
    assert _stored_manifests(app) == first
    # Another document of Ronggo Mulyo becomes ready that day: that desa gets a new manifest, the other not.
    extra, _pin = make_application(app, "KIA", state=lifecycle.READY, filed_by="op.sumber")
    _set_pickup(app, extra, DAY, "DINAS")
    client.get(path)
    stored = _stored_manifests(app)
    assert len(stored) == 3 and stored[:2] == first
    assert stored[2][0] == "33.17.01.2001" and extra in stored[2][2]


def test_an_operator_manifest_with_the_same_items_is_reused(app, client, village_day):
    made, _later, _own = village_day
    operator = app.test_client()
    sign_in(operator, "op.sarang")
    from tests.web.apply_helpers import csrf

    operator.post("/desa/ambil", data={"csrf_token": csrf(operator, "/desa/ambil"),
                                       "permohonan": made["33.17.05.2001"]})
    sign_in(client, "clerk")
    client.get(f"/petugas/cetak?hari={DAY.isoformat()}&jenis=manifes")
    by_desa = {region: made_by for region, made_by, _refs, _token in _stored_manifests(app)}
    assert by_desa == {"33.17.05.2001": "Operator Lodan Kulon", "33.17.01.2001": "Petugas Satu"}


def test_a_day_without_village_documents_says_so(app, client, day_of_pickups):
    sign_in(client, "clerk")
    response = client.get(f"/petugas/cetak?hari={DAY.isoformat()}&jenis=manifes")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Tidak ada dokumen desa (pengajuan kolektif) yang siap diambil pada Selasa, 8 Desember 2026." in html
    assert re.search(r'<input checked[^>]*value="manifes"', html)
    assert _stored_manifests(app) == []


def test_the_form_offers_the_manifests_and_refuses_an_unknown_kind(client, day_of_pickups):
    sign_in(client, "clerk")
    html = client.get("/petugas/cetak").get_data(as_text=True)
    assert "Manifes pengambilan kolektif per desa (A4)" in html
    assert "/petugas/cetak?hari=2026-12-08&amp;jenis=manifes" in html
    response = client.get("/petugas/cetak?hari=2026-12-08&jenis=poster")
    assert response.status_code == 422 and "Pilih yang dicetak" in response.get_data(as_text=True)
