"""QA fixes on the service catalogue pages (`/admin/layanan/<code>`) and what they change elsewhere: a stale save
keeps what was typed, security_blank needs an active pickup place, each part's form opens at its part, removed
options and questions asked later read clearly in the clerk's review, and a switched-off service's draft gets a
clear page."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.models import Service
from tests.web.staff_helpers import make_application
from tests.web.test_admin_services import (
    PAGE, _audit, _clerk, _documents, _form, _html, _post, _questions, _requirements, _service, _texts)


# 1. A stale save keeps what was typed


def test_a_stale_save_keeps_the_typed_input_shows_what_is_stored_and_saves_on_purpose(app, kabid):
    path = "/admin/layanan/ktp_rusak"
    token, old_version = _form(kabid, path)  # B opens the page
    typed = {**_texts_of(app, "KTP_RUSAK"), "summary_id": "Ringkasan baru dari B"}
    stored_summary = _service(app, "KTP_RUSAK").summary_id
    assert _post(kabid, "teks", {**typed, "summary_id": stored_summary, "processing_time_id": "5 hari kerja"},
                 path=path).status_code == 303  # A saves "Lama proses"
    response = kabid.post(f"{path}/teks", data={"csrf_token": token, "versi": old_version, **typed})
    html = _html(response)
    assert response.status_code == 409
    assert "Ringkasan baru dari B</textarea>" in html  # B's typing is kept
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert "Tersimpan sekarang:" in box
    assert "<dt>Lama proses</dt><dd>5 hari kerja</dd>" in box and f"<dt>Ringkasan</dt><dd>{stored_summary}</dd>" in box
    assert "Nama layanan" not in box  # only what differs
    new_version = re.search(r'name="versi" type="hidden" value="([^"]+)"', html).group(1)
    assert new_version != old_version
    again = kabid.post(f"{path}/teks", data={"csrf_token": token, "versi": new_version, **typed})
    assert again.status_code == 303  # B re-saves on purpose and overwrites
    service = _service(app, "KTP_RUSAK")
    assert service.summary_id == "Ringkasan baru dari B" and service.processing_time_id == typed["processing_time_id"]
    assert len(_audit(app)) == 2


def _texts_of(app, code):
    service = _service(app, code)
    data = {name: getattr(service, name) for name in (
        "name_id", "name_en", "summary_id", "summary_en", "applicant_id", "applicant_en", "processing_time_id",
        "processing_time_en", "notice_id", "notice_en")}
    return dict(data, output=service.output, active="1")


def test_a_stale_list_save_keeps_the_rows_and_lists_the_stored_ones(app, kabid):
    token, old_version = _form(kabid)
    assert _post(kabid, "dokumen", _documents(app, **{"dokumen-0-name_id": "Surat polisi"})).status_code == 303
    data = _documents(app, **{"dokumen-2-code": "SURAT_DESA", "dokumen-2-name_id": "Surat desa diketik B"})
    response = kabid.post(f"{PAGE}/dokumen", data={"csrf_token": token, "versi": old_version, **data})
    html = _html(response)
    assert response.status_code == 409
    assert 'value="Surat desa diketik B"' in html and 'value="SURAT_DESA"' in html
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert "<dt>SURAT_KEHILANGAN</dt><dd>Surat polisi</dd>" in box
    response = kabid.post(f"{PAGE}/tempat", data={"csrf_token": token, "versi": old_version, "tempat": ["DINAS"]})
    assert response.status_code == 409
    assert re.search(r'id="tempat-DINAS" name="tempat" type="checkbox" value="DINAS" checked', _html(response))
    assert not re.search(r'id="tempat-MPP" name="tempat" type="checkbox" value="MPP" checked', _html(response))


# 2. security_blank needs an active pickup place


def _without_active_places(app, code):
    with app.app_context():
        service = db.session.get(Service, code)
        service.output = "self_print"
        for place in service.pickup_places:
            place.active = False
        db.session.commit()


def test_security_blank_is_refused_without_an_active_pickup_place(app, kabid, client):
    _without_active_places(app, "KTP_HILANG")
    response = _post(kabid, "teks", _texts(app, output="security_blank", notice_id="Diketik"))
    html = _html(response)
    assert response.status_code == 422
    assert 'id="output-error"' in html and "belum punya tempat pengambilan yang aktif" in html
    assert 'href="#output"' in html and ">Diketik</textarea>" in html
    assert _service(app).output == "self_print" and _audit(app) == []
    page = _html(client.get("/layanan/ktp_hilang"))
    assert "berikut:" not in page and "diambil cetakannya di:" not in page
    assert "Dapat dicetak sendiri di kertas HVS A4" in page


def test_the_public_page_never_announces_an_empty_list_of_places(app, catalogue, client):
    with app.app_context():
        service = db.session.get(Service, "KTP_HILANG")
        assert service.output == "security_blank"
        for place in service.pickup_places:
            place.active = False
        db.session.commit()
    page = _html(client.get("/layanan/ktp_hilang"))
    assert "diambil di salah satu tempat berikut" not in page and "Dicetak di blangko khusus." in page


# 3. An error lower on the page opens at its part


def test_each_part_posts_to_its_own_fragment_and_its_errors_open_at_the_top_of_the_part(app, kabid):
    html = _html(kabid.get(PAGE))
    actions = [a for a in re.findall(r'<form method="post" action="([^"]+)"', html) if a.startswith(PAGE)]
    assert actions == [f"{PAGE}/{route}#{part}" for route, part in (
        ("teks", "teks"), ("datang", "datang"), ("persyaratan", "syarat"), ("dokumen", "dokumen"),
        ("pertanyaan", "tanya"), ("tempat", "tempat"))]
    failing = {
        "syarat": _post(kabid, "persyaratan", _requirements(app, **{"syarat-0-id": ""})),
        "dokumen": _post(kabid, "dokumen", _documents(app, **{"dokumen-2-code": "x"})),
        "tanya": _post(kabid, "pertanyaan", _questions(app, **{"tanya-2-code": "X", "tanya-2-type": "text"})),
        "tempat": _post(kabid, "tempat", {}),
    }
    for part, response in failing.items():
        html = _html(response)
        assert response.status_code == 422, part
        section = re.search(rf'<h2 id="{part}">.*?</section>', html, re.S).group(0)
        summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1" id="[a-z]+-errors">', section)
        assert summary is not None, part
        assert summary.start() < section.index("<form"), part  # at the top of the part, before its fields
        assert html.count('class="error-summary"') == 1, part


# 4. and 5. The clerk's review of answers the service has changed since


def _question_rows(app, code):
    return {question["code"]: question for question in _service(app, code).questions}


def test_an_answer_whose_option_was_removed_reads_as_its_label_and_says_so(app, kabid):
    path = "/admin/layanan/ktp_rusak"
    seeded, _pin = make_application(app, "KTP_RUSAK")  # answered "broken" ("Patah atau retak")
    unknown, _pin = make_application(app, "KTP_RUSAK")
    with app.app_context():
        from portal.services import applications

        application = applications.find(unknown)
        application.answers = dict(application.answers, damage_type="basah")
        db.session.commit()
    questions = list(_service(app, "KTP_RUSAK").questions)
    index = [question["code"] for question in questions].index("damage_type")
    data = _questions(app, "KTP_RUSAK", **{f"tanya-{index}-options": "chip | Chip tidak terbaca\nother | Lainnya"})
    assert _post(kabid, "pertanyaan", data, path=path).status_code == 303
    clerk = _clerk(app)
    html = _html(clerk.get(f"/petugas/{seeded}"))
    assert "<dd>Patah atau retak (pilihan sudah dihapus dari layanan)</dd>" in html
    assert "<dd>broken" not in html
    assert "<dd>basah (pilihan sudah dihapus dari layanan)</dd>" in _html(clerk.get(f"/petugas/{unknown}"))


def test_a_question_added_after_sending_is_not_shown_as_skipped(app, kabid):
    reference, _pin = make_application(app, "KTP_HILANG")
    data = _questions(app, **{"tanya-2-code": "witness_nik", "tanya-2-type": "nik", "tanya-2-label_id": "NIK saksi",
                              "tanya-2-required": "1",
                              "tanya-3-code": "note", "tanya-3-type": "text", "tanya-3-label_id": "Catatan"})
    assert _post(kabid, "pertanyaan", data).status_code == 303
    html = _html(_clerk(app).get(f"/petugas/{reference}"))
    assert "<dt>NIK saksi</dt><dd>— (tidak ditanyakan saat permohonan dikirim)</dd>" in html
    assert "<dt>Catatan</dt><dd>—</dd>" in html


# 6. A draft of a switched-off service


def test_a_draft_of_a_switched_off_service_gets_a_clear_page(app, kabid, client):
    from tests.web.apply_helpers import csrf

    reference, pin = make_application(app, "KTP_HILANG", state="draft")
    client.post("/lacak", data={"csrf_token": csrf(client, "/lacak"), "reference": reference, "pin": pin})
    data = _texts(app)
    data.pop("active")
    assert _post(kabid, "teks", data).status_code == 303  # switched off
    status = _html(client.get(f"/lacak/{reference}"))
    assert '>Lanjutkan mengisi</a>' not in status  # the tracking page says so instead of offering a dead end
    assert "Layanan ini sementara tidak menerima permohonan, jadi draf ini belum bisa dilanjutkan." in status
    for path in ("/ajukan/ktp_hilang", "/ajukan/ktp_hilang/nik", "/ajukan/ktp_hilang/periksa", "/ajukan/ktp_hilang/disimpan"):
        response = client.get(path)
        html = _html(response)
        assert response.status_code == 404, path
        assert "sementara tidak menerima permohonan" in html and "Halaman tidak ditemukan" not in html, path
        assert f"Isian Anda yang belum dikirim (nomor {reference}) tetap disimpan." in html, path
        assert 'href="/layanan"' in html and 'href="/lacak"' in html, path
    stranger = _html(app.test_client().get("/ajukan/ktp_hilang"))
    assert "sementara tidak menerima permohonan" in stranger and "tetap disimpan" not in stranger
    assert app.test_client().get("/ajukan/tidak_ada").status_code == 404
