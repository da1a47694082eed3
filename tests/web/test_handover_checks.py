"""The handover checks who collects (issue 19): the applicant's NIK (its last 4 digits, or all 16) matched
against the application's, with a guess budget; an authorised person's letter where the service asks for one;
a reason, in the audit log, before the pickup day or outside pickup hours — on the single handover and on a
village's manifest. The rest of the handover (scanning, refusals, the slip) is in test_staff_handover.py."""

from __future__ import annotations

import re

import pytest

from portal.domain import lifecycle
from portal.extensions import db
from portal.models import Application, AuditEntry, Handover, Service
from tests.conftest import wib
from tests.web.apply_helpers import GOOD_NIK
from tests.web.staff_helpers import create_staff, make_application, sign_in
from tests.web.test_staff_handover import AUTHORISED_NIK, session_csrf

PICKUP_DAY = wib(2026, 12, 8, 9, 0)  # Tuesday: the day a document made ready on Thursday 3 December is due


@pytest.fixture
def staff(app, regions):
    return create_staff(app)


@pytest.fixture
def clerk(client, staff):
    sign_in(client, "clerk")
    return client


@pytest.fixture
def ready(app, staff):
    """Return the reference of a KTP-el (letter of authority needed) ready for pickup on Tuesday 8 December."""
    return make_application(app, "KTP_BARU", state=lifecycle.READY, name="Siti Wulandari")[0]


@pytest.fixture
def on_the_day(clock):
    """Move the clock to the pickup day, in pickup hours."""
    clock.now = PICKUP_DAY


def _post(client, reference: str, **fields):
    with client.application.app_context():
        token = session_csrf(client)
    return client.post(f"/petugas/serah/{reference}", data={"csrf_token": token, "collector": "applicant", **fields})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _state(app, reference: str) -> str:
    with app.app_context():
        return db.session.scalar(db.select(Application.state).where(Application.reference == reference))


def _audit(app, reference: str) -> list[tuple[str, str]]:
    with app.app_context():
        return [(entry.action, entry.detail) for entry in db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.reference == reference, AuditEntry.action.like("handover%"))
            .order_by(AuditEntry.id))]


def _autofocused(html: str) -> list[str]:
    return re.findall(r'<input[^>]*\bid="([^"]+)"[^>]*\bautofocus', html)


# The applicant's NIK


def test_after_a_scan_the_focus_is_in_the_nik_digits_field(clerk, ready, on_the_day):
    html = _text(clerk.get(f"/petugas/serah?kode={ready}"))
    assert _autofocused(html) == ["nik_digits"]  # the scanner's field gave the focus away
    assert 'inputmode="numeric"' in re.search(r'<input[^>]*id="nik_digits"[^>]*>', html).group(0)
    assert "4 angka terakhir NIK pemohon" in html
    assert 'name="reason"' not in html  # on the day, in hours: no reason asked
    assert _autofocused(_text(clerk.get("/petugas/serah"))) == ["kode"]


@pytest.mark.parametrize("typed, how", [("0001", "4 angka terakhir"), ("3317 0141 0190 0001", "16 angka")])
def test_the_applicant_collects_with_the_last_digits_or_the_whole_nik(app, clerk, ready, on_the_day, typed, how):
    response = _post(clerk, ready, nik_digits=typed)
    assert response.status_code == 303
    assert _state(app, ready) == lifecycle.COLLECTED
    assert _audit(app, ready) == [("handover", f"pemohon: Siti Wulandari; NIK cocok ({how})")]


def test_wrong_digits_hand_nothing_over_and_are_in_the_audit_log(app, clerk, ready):
    response = _post(clerk, ready, nik_digits="0002", reason="Pemohon berangkat ke Jakarta besok")
    html = _text(response)
    assert response.status_code == 422
    assert "NIK ini tidak cocok dengan NIK pemohon. Dokumen tidak diserahkan." in html
    assert 'href="#nik_digits"' in html and _autofocused(html) == ["nik_digits"]
    assert re.search(r'<input[^>]*id="nik_digits"[^>]*value=""', html)  # the wrong digits go
    assert re.search(r'<input[^>]*id="reason"[^>]*value="Pemohon berangkat ke Jakarta besok"', html)  # the rest stays
    assert re.search(r'id="collector-applicant"[^>]*checked', html)
    assert _state(app, ready) == lifecycle.READY
    assert _audit(app, ready) == [("handover_refused", "NIK pengambil (4 angka terakhir) tidak cocok dengan NIK "
                                                       "pemohon; tidak diserahkan")]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Handover.id))) == 0


@pytest.mark.parametrize("typed, message", [("", "Ketik 4 angka terakhir NIK"), ("001", "Ketik tepat 4 angka"),
                                            ("12345", "Ketik tepat 4 angka"), ("abcd", "Ketik tepat 4 angka")])
def test_missing_or_malformed_digits_are_asked_again_without_spending_a_try(app, clerk, ready, on_the_day, typed,
                                                                             message):
    response = _post(clerk, ready, nik_digits=typed)
    assert response.status_code == 422 and message in _text(response)
    if typed:
        assert re.search(rf'<input[^>]*id="nik_digits"[^>]*value="{typed}"', _text(response))
    assert _audit(app, ready) == []  # not a guess: nothing to log, and the budget is untouched
    assert _post(clerk, ready, nik_digits="0001").status_code == 303


def test_the_nik_budget_is_shared_by_every_clerk_and_stops_even_the_right_digits(app, client, ready, on_the_day):
    app.config["HANDOVER_NIK_LIMIT"] = "3 per day"
    sign_in(client, "clerk")
    other = app.test_client()
    sign_in(other, "clerk2")
    for desk, digits in ((client, "1111"), (other, "2222"), (client, "3333")):
        assert _post(desk, ready, nik_digits=digits).status_code == 422
    locked = _post(other, ready, nik_digits="0001")
    assert locked.status_code == 422
    assert "sudah terlalu sering dicoba. Dokumen tidak diserahkan kepada pemohon sampai besok" in _text(locked)
    assert _state(app, ready) == lifecycle.READY
    assert [action for action, _detail in _audit(app, ready)] == ["handover_refused"] * 4
    assert _audit(app, ready)[-1][1] == "NIK pengambil (4 angka terakhir) tidak diperiksa: batas percobaan habis"
    # Another application keeps its own budget; a person the applicant authorised can still collect this one.
    second = make_application(app, "KTP_BARU", state=lifecycle.READY, name="Ayu Lestari")[0]
    assert _post(client, second, nik_digits="0001", reason="Sebelum jadwal").status_code == 303
    assert _post(client, ready, collector="authorised", authorised_name="Budi Santoso", relation="suami",
                 authorised_nik=AUTHORISED_NIK, letter_seen="y").status_code == 303


# A person the applicant authorised


def test_a_representative_needs_the_letter_where_the_service_asks_for_one(app, clerk, ready, on_the_day):
    fields = {"collector": "authorised", "authorised_name": "Budi Santoso", "relation": "suami",
              "authorised_nik": AUTHORISED_NIK}
    page = _text(clerk.get(f"/petugas/serah?kode={ready}"))
    assert "Surat kuasa bertanda tangan pemohon sudah saya periksa" in page
    response = _post(clerk, ready, **fields)
    html = _text(response)
    assert response.status_code == 422
    assert "Layanan ini mewajibkan surat kuasa. Periksa suratnya, lalu centang kotak ini." in html
    assert 'href="#letter_seen"' in html
    for name, value in fields.items():
        if name != "collector":
            assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"', html), name
    assert _state(app, ready) == lifecycle.READY
    assert _post(clerk, ready, letter_seen="y", **fields).status_code == 303
    assert _audit(app, ready) == [("handover", "kuasa (suami): Budi Santoso; surat kuasa diperiksa")]


def test_a_self_printed_document_needs_no_letter(app, clerk, staff, on_the_day):
    reference = make_application(app, "KK_BARU", state=lifecycle.READY)[0]
    with app.app_context():
        assert db.session.get(Service, "KK_BARU").proxy_letter is False
        assert db.session.get(Service, "KTP_BARU").proxy_letter is True
    page = _text(clerk.get(f"/petugas/serah?kode={reference}"))
    assert "letter_seen" not in page and "Membawa KTP-el pemohon dan KTP-el-nya sendiri." in page
    response = _post(clerk, reference, collector="authorised", authorised_name="Budi Santoso", relation="suami",
                     authorised_nik=AUTHORISED_NIK)
    assert response.status_code == 303
    assert _audit(app, reference) == [("handover", "kuasa (suami): Budi Santoso; tanpa surat kuasa")]


def test_the_applicants_own_nik_is_not_a_representatives(app, clerk, ready, on_the_day):
    response = _post(clerk, ready, collector="authorised", authorised_name="Siti Wulandari", relation="diri sendiri",
                     authorised_nik=GOOD_NIK, letter_seen="y")
    assert response.status_code == 422 and "Ini NIK pemohon sendiri" in _text(response)
    assert _state(app, ready) == lifecycle.READY


# Early or outside pickup hours


def test_before_the_pickup_day_a_reason_is_asked_and_goes_in_the_audit_log(app, clerk, ready):
    page = _text(clerk.get(f"/petugas/serah?kode={ready}"))
    assert "Jadwal pengambilannya Selasa, 8 Desember 2026, belum hari ini." in page
    assert re.search(r'<input[^>]*id="reason"', page) and _autofocused(page) == ["nik_digits"]
    refused = _post(clerk, ready, nik_digits="0001")
    assert refused.status_code == 422 and "Tulis alasan dokumen ini diserahkan di luar jadwal." in _text(refused)
    assert re.search(r'<input[^>]*id="nik_digits"[^>]*value="0001"', _text(refused))  # kept: it was not checked
    assert _audit(app, ready) == [] and _state(app, ready) == lifecycle.READY
    assert _post(clerk, ready, nik_digits="0001", reason="  Pemohon  berangkat kerja ke luar kota ").status_code == 303
    assert _audit(app, ready) == [("handover", "pemohon: Siti Wulandari; NIK cocok (4 angka terakhir); sebelum "
                                               "jadwal 2026-12-08, alasan: Pemohon berangkat kerja ke luar kota")]


@pytest.mark.parametrize("moment, notes, detail", [
    (wib(2026, 12, 8, 5, 21), ["Sekarang di luar jam pengambilan."], "di luar jam pengambilan"),
    # The trial: a Monday at 05:21, for a document due on the Thursday after.
    (wib(2026, 12, 7, 5, 21), ["Jadwal pengambilannya Selasa, 8 Desember 2026", "Sekarang di luar jam pengambilan."],
     "sebelum jadwal 2026-12-08 dan di luar jam pengambilan"),
])
def test_outside_pickup_hours_a_reason_is_asked(app, clock, clerk, ready, moment, notes, detail):
    clock.now = moment
    page = _text(clerk.get(f"/petugas/serah?kode={ready}"))
    for note in notes:
        assert note in page
    assert _post(clerk, ready, nik_digits="0001").status_code == 422
    assert _post(clerk, ready, nik_digits="0001", reason="Pemohon bidan jaga pagi").status_code == 303
    assert _audit(app, ready)[-1] == ("handover", f"pemohon: Siti Wulandari; NIK cocok (4 angka terakhir); {detail}, "
                                                  "alasan: Pemohon bidan jaga pagi")


def test_a_village_manifest_asks_one_reason_for_the_visit(app, clerk, staff):
    from portal.models import PickupManifest, User
    from portal.services import calendar, manifests

    reference = make_application(app, "KTP_BARU", state=lifecycle.READY, filed_by="op.sumber")[0]
    with app.app_context():
        operator = db.session.scalar(db.select(User).where(User.username == "op.sumber"))
        manifest_id = manifests.create(operator, [reference], calendar.now()).id
        assert db.session.get(PickupManifest, manifest_id) is not None
    page = _text(clerk.get(f"/petugas/serah/manifes/{manifest_id}"))
    assert "Ada dokumen yang jadwal pengambilannya belum hari ini." in page and 'name="reason"' in page
    with app.app_context():
        token = session_csrf(clerk)
    data = {"csrf_token": token, "reference": reference, "operator_name": "Operator Ronggo Mulyo"}
    refused = clerk.post(f"/petugas/serah/manifes/{manifest_id}", data=data)
    assert refused.status_code == 422 and "Tulis alasan dokumen ini diserahkan di luar jadwal." in _text(refused)
    assert _state(app, reference) == lifecycle.READY
    handed = clerk.post(f"/petugas/serah/manifes/{manifest_id}", data=dict(data, reason="Jadwal rapat desa"))
    assert handed.status_code == 303
    assert _audit(app, reference)[0][1].endswith("sebelum jadwal 2026-12-08, alasan: Jadwal rapat desa")


def test_the_service_itself_refuses_a_handover_without_its_checks(app, ready):
    """Every page that hands over goes through `handovers.hand_over`: the rules hold there, not only in a form."""
    from portal.models import User
    from portal.services import applications, calendar, handovers, review

    with app.app_context():
        clerk = db.session.scalar(db.select(User).where(User.username == "clerk"))
        attempts = [({}, ("identity", "format")), ({"nik_typed": "0001"}, ("reason", "early")),
                    ({"nik_typed": "0009", "reason": "Sebelum jadwal"}, ("identity", "mismatch"))]
        for kwargs, refusal in attempts:
            with pytest.raises(review.Refused) as refused:
                handovers.hand_over(applications.find(ready), clerk, calendar.now(), "applicant", **kwargs)
            assert (refused.value.code, refused.value.detail) == refusal
        with pytest.raises(review.Refused) as refused:
            handovers.hand_over(applications.find(ready), clerk, calendar.now(), "authorised", name="Budi Santoso",
                                relation="suami", id_number=AUTHORISED_NIK, reason="Sebelum jadwal")
        assert (refused.value.code, refused.value.detail) == ("collector", "letter")
    assert _state(app, ready) == lifecycle.READY
    assert [action for action, _detail in _audit(app, ready)] == ["handover_refused"]  # only the wrong NIK
