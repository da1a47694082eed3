"""The service catalogue for supervisors, `/admin/layanan` and `/admin/layanan/<code>`: every part's form saved
(audited, seen at once on /layanan and in /ajukan), its errors shown with the input kept, a stale form refused
with 409, switched-off services hidden from residents, removed documents and questions still readable on old
applications, and supervisors only."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.models import AuditEntry, PickupPlace, Service
from tests.web.apply_helpers import csrf
from tests.web.html_helpers import nu_validate
from tests.web.staff_helpers import make_application, sends_to_sign_in, sign_in, stored

PAGE = "/admin/layanan/ktp_hilang"


def _html(response):
    return response.get_data(as_text=True)


def _form(client, path=PAGE):
    """Return (csrf token, version) of the edit page."""
    html = _html(client.get(path))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    version = re.search(r'name="versi" type="hidden" value="([^"]+)"', html).group(1)
    return token, version


def _post(client, part, data, path=PAGE):
    token, version = _form(client, path)
    return client.post(f"{path}/{part}", data={"csrf_token": token, "versi": version, **data})


def _service(app, code="KTP_HILANG") -> Service:
    return stored(app, Service, code)


def _audit(app):
    with app.app_context():
        return [(entry.user_name, entry.detail) for entry in
                db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "edit_service"))]


def _clerk(app):
    clerk = app.test_client()
    sign_in(clerk, "clerk")
    return clerk


def _texts(app, **changes):
    service = _service(app)
    data = {name: getattr(service, name) for name in (
        "name_id", "name_en", "summary_id", "summary_en", "applicant_id", "applicant_en", "processing_time_id",
        "processing_time_en", "notice_id", "notice_en")}
    data.update(output=service.output, active="1")
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _documents(app, code="KTP_HILANG", **extra):
    """Return the documents form as the page posts it: the stored rows, then `extra` fields."""
    data = {}
    for index, document in enumerate(_service(app, code).documents):
        data.update({f"dokumen-{index}-saved": "1", f"dokumen-{index}-code": document["code"],
                     f"dokumen-{index}-name_id": document["name_id"], f"dokumen-{index}-name_en": document["name_en"]})
        if document["required"]:
            data[f"dokumen-{index}-required"] = "1"
    data.update(extra)
    return data


def _questions(app, code="KTP_HILANG", **extra):
    from portal.domain.catalogue import format_options

    data = {}
    for index, question in enumerate(_service(app, code).questions):
        prefix = f"tanya-{index}-"
        data.update({prefix + "saved": "1", prefix + "code": question["code"], prefix + "type": question["type"],
                     prefix + "label_id": question["label_id"], prefix + "label_en": question.get("label_en", ""),
                     prefix + "hint_id": question.get("hint_id", ""), prefix + "hint_en": question.get("hint_en", ""),
                     prefix + "options": format_options(question.get("options"))})
        if question.get("required", True):
            data[prefix + "required"] = "1"
    data.update(extra)
    return data


def _requirements(app, code="KTP_HILANG", **extra):
    data = {}
    for index, requirement in enumerate(_service(app, code).requirements):
        data.update({f"syarat-{index}-saved": "1", f"syarat-{index}-id": requirement["id"],
                     f"syarat-{index}-en": requirement.get("en", "")})
    data.update(extra)
    return data


# The list


def test_list_shows_every_service_grouped_with_its_facts(app, kabid):
    with app.app_context():
        db.session.get(Service, "KIA").active = False
        db.session.commit()
    response = kabid.get("/admin/layanan")
    html = _html(response)
    assert response.status_code == 200
    assert html.index("KTP elektronik") < html.index("Kartu Keluarga") < html.index("Akta pencatatan sipil")
    assert html.count('href="/admin/layanan/') == 15
    row = re.search(r"<tr class=\"service-off\">.*?</tr>", html, re.S).group(0)
    assert "Kartu Identitas Anak (KIA)" in row or "KIA" in row
    assert "Dimatikan" in row and 'href="/admin/layanan/kia"' in row
    ktp = re.search(r"<tr>\s*<th scope=\"row\">KTP-el Baru.*?</tr>", html, re.S).group(0)
    assert "Perlu" in ktp and "<td>2</td>" in ktp and "<td>3</td>" in ktp and "Mal Pelayanan Publik Rembang" in ktp


def test_edit_page_shows_every_part_from_the_database(app, kabid):
    html = _html(kabid.get(PAGE))
    for heading in ("Teks dan status", "Datang ke kantor", "Persyaratan", "Dokumen yang diunggah", "Pertanyaan",
                    "Tempat pengambilan"):
        assert f">{heading}</h2>" in html
    assert 'value="SURAT_KEHILANGAN"' in html and 'value="police_report_number"' in html
    assert 'name="dokumen-2-code"' in html  # the blank row to add one
    assert "Jenis jawaban: Tanggal" in html
    assert kabid.get("/admin/layanan/tidak_ada").status_code == 404


# Texts and status


def test_texts_are_saved_audited_and_shown_at_once(app, kabid, client):
    before = _html(client.get("/layanan/ktp_hilang"))  # cached now: the save must make it change
    assert "Blangko KTP-el habis" not in before
    response = _post(kabid, "teks", _texts(app, name_id="KTP-el Hilang (Cetak Ulang)",
                                           notice_id="Blangko KTP-el habis — diberikan Suket",
                                           output="self_print"))
    assert response.status_code == 303 and response.headers["Location"] == PAGE + "#teks"
    assert "Teks dan status layanan disimpan." in _html(kabid.get(PAGE))
    page = _html(client.get("/layanan/ktp_hilang"))
    assert "KTP-el Hilang (Cetak Ulang)" in page and "Blangko KTP-el habis — diberikan Suket" in page
    assert "Ada pemberitahuan" in _html(client.get("/layanan"))
    with app.app_context():
        assert db.session.get(Service, "KTP_HILANG").output == "self_print"
    [(name, detail)] = _audit(app)
    assert name == "Kepala Bidang"
    assert detail == ("KTP_HILANG (KTP-el Hilang) — teks dan status: nama layanan, teks pemberitahuan, "
                      "hasil layanan")


def test_saving_unchanged_texts_writes_nothing(app, kabid):
    response = _post(kabid, "teks", _texts(app))
    assert response.status_code == 303
    assert "Tidak ada yang berubah" in _html(kabid.get(PAGE))
    assert _audit(app) == []


@pytest.mark.parametrize("fields, field, message", [
    ({"name_id": ""}, "name_id", "Tulis nama layanan."),
    ({"summary_id": "  "}, "summary_id", "Tulis ringkasan layanan."),
    ({"applicant_id": ""}, "applicant_id", "Tulis siapa yang bisa mengajukan."),
    ({"processing_time_id": ""}, "processing_time_id", "Tulis lama prosesnya."),
    ({"name_en": "x" * 121}, "name_en", "Paling banyak 120 huruf."),
    ({"notice_id": "x" * 301}, "notice_id", "Paling banyak 300 huruf."),
    ({"output": "faks"}, "output", "Pilih salah satu dari daftar."),
])
def test_text_errors_are_shown_and_input_kept(app, kabid, fields, field, message):
    data = _texts(app, **{"name_en": "Lost ID card (typed)", "notice_id": "Catatan baru", **fields})
    response = _post(kabid, "teks", data)
    html = _html(response)
    assert response.status_code == 422
    assert message in html and f'href="#{field}"' in html and f'id="{field}-error"' in html
    assert "<title>Kesalahan:" in html
    for name in ("name_en", "notice_id"):
        if data[name] and len(data[name]) < 100:
            assert data[name] in html
    with app.app_context():
        assert db.session.get(Service, "KTP_HILANG").notice_id == ""
    assert _audit(app) == []


def test_the_error_summary_follows_the_page(app, kabid):
    html = _html(_post(kabid, "teks", _texts(app, name_id="", applicant_id="", output="x", summary_id="")))
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert re.findall(r'href="#([a-z_]+)"', summary) == ["name_id", "summary_id", "applicant_id", "output"]
    html = _html(_post(kabid, "pertanyaan", _questions(app, **{"tanya-0-label_id": "", "tanya-2-code": "X",
                                                              "tanya-2-type": "warna", "tanya-2-label_id": ""})))
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert re.findall(r'href="#([a-z_0-9-]+)"', summary) == ["tanya-0-label_id", "tanya-2-code", "tanya-2-type",
                                                             "tanya-2-label_id"]


def test_switched_off_service_is_not_offered_but_old_applications_work(app, kabid, client):
    reference, _pin = make_application(app, "KTP_HILANG")
    assert client.get("/layanan/ktp_hilang").status_code == 200
    assert client.get("/ajukan/ktp_hilang").status_code == 200
    data = _texts(app)
    data.pop("active")
    assert _post(kabid, "teks", data).status_code == 303
    assert _audit(app)[0][1].endswith("dimatikan")
    assert client.get("/layanan/ktp_hilang").status_code == 404
    assert client.get("/ajukan/ktp_hilang").status_code == 404
    assert client.get("/ajukan/ktp_hilang/nik").status_code == 404
    assert "ktp_hilang" not in _html(client.get("/layanan")) and "ktp_hilang" not in _html(client.get("/ajukan"))
    assert "Dimatikan" in _html(kabid.get("/admin/layanan"))
    assert _clerk(app).get(f"/petugas/{reference}").status_code == 200  # the office still processes it


# Visit


def test_visit_is_saved_and_shown(app, kabid, client):
    response = _post(kabid, "datang", {"visit_required": "1", "visit_reason_id": "Foto ulang di kantor",
                                       "visit_reason_en": "Photo again"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#datang")
    assert "Keterangan datang ke kantor disimpan." in _html(kabid.get(PAGE))
    assert "Foto ulang di kantor" in _html(client.get("/layanan/ktp_hilang"))
    assert "Foto ulang di kantor" in _html(client.get("/ajukan/ktp_hilang"))
    assert _audit(app) == [("Kepala Bidang", "KTP_HILANG (KTP-el Hilang) — datang ke kantor: harus datang")]


def test_visit_needs_a_reason(app, kabid):
    response = _post(kabid, "datang", {"visit_required": "1", "visit_reason_id": "", "visit_reason_en": "Ketik"})
    html = _html(response)
    assert response.status_code == 422
    assert "Tulis alasan harus datang" in html and 'href="#visit_reason_id"' in html and ">Ketik</textarea>" in html
    assert re.search(r'id="visit_required" name="visit_required" type="checkbox" value="1" checked', html)
    assert _audit(app) == []


# Requirements


def test_requirements_add_remove_and_move(app, kabid, client):
    before = _service(app).requirements
    data = _requirements(app, **{"syarat-0-remove": "1", f"syarat-{len(before)}-id": "Surat pengantar desa",
                                 f"syarat-{len(before)}-en": "A letter from the village", "geser": "naik-2"})
    response = _post(kabid, "persyaratan", data)
    assert response.status_code == 303
    after = _service(app).requirements
    expected = [before[2], before[1]] + before[3:] + [{"id": "Surat pengantar desa", "en": "A letter from the village"}]
    assert after == expected
    assert "Persyaratan disimpan." in _html(kabid.get(PAGE))
    assert "Surat pengantar desa" in _html(client.get("/layanan/ktp_hilang"))
    assert before[0]["id"] not in _html(client.get("/layanan/ktp_hilang"))
    assert _audit(app)[0][1].endswith(f"persyaratan: {len(before)} → {len(expected)} baris")


def test_requirement_errors_keep_input(app, kabid):
    data = _requirements(app, **{"syarat-0-id": "", "syarat-0-en": "Only English"})
    response = _post(kabid, "persyaratan", data)
    html = _html(response)
    assert response.status_code == 422
    assert "Tulis persyaratannya." in html and 'href="#syarat-0-id"' in html and ">Only English</textarea>" in html
    count = len(_service(app).requirements)
    data = _requirements(app, **{f"syarat-{i}-remove": "1" for i in range(count)})
    response = _post(kabid, "persyaratan", data)
    assert response.status_code == 422 and "Tulis paling sedikit satu persyaratan." in _html(response)
    assert _audit(app) == []


# Documents


def test_documents_add_and_remove_change_the_form_at_once(app, kabid, client):
    assert client.get("/ajukan/ktp_hilang/dokumen-kk").status_code in (200, 303)
    data = _documents(app, **{"dokumen-1-remove": "1", "dokumen-2-code": "SURAT_DESA",
                              "dokumen-2-name_id": "Surat keterangan desa", "dokumen-2-name_en": "Village letter"})
    response = _post(kabid, "dokumen", data)
    assert response.status_code == 303 and response.headers["Location"].endswith("#dokumen")
    assert [d["code"] for d in _service(app).documents] == ["SURAT_KEHILANGAN", "SURAT_DESA"]
    assert _service(app).documents[1]["required"] is False
    start = _html(client.get("/ajukan/ktp_hilang"))
    assert "Surat keterangan desa" in start and "Kartu Keluarga (KK)" not in start
    assert client.get("/ajukan/ktp_hilang/dokumen-kk").status_code == 404
    assert client.get("/ajukan/ktp_hilang/dokumen-surat-desa").status_code == 303  # asked (no draft yet)
    assert _audit(app)[0][1].endswith("dokumen yang diunggah: tambah SURAT_DESA; hapus KK")


def test_document_move_and_rename(app, kabid):
    response = _post(kabid, "dokumen", _documents(app, geser="turun-0"))
    assert response.status_code == 303
    assert [d["code"] for d in _service(app).documents] == ["KK", "SURAT_KEHILANGAN"]
    assert _post(kabid, "dokumen", _documents(app, **{"dokumen-0-name_id": "KK terbaru"})).status_code == 303
    assert _service(app).documents[0]["name_id"] == "KK terbaru"
    assert [detail.split(": ", 1)[1] for _name, detail in _audit(app)] == ["urutan", "ubah KK"]


@pytest.mark.parametrize("extra, field, message", [
    ({"dokumen-2-code": "surat desa", "dokumen-2-name_id": "Surat"}, "dokumen-2-code", "Kode hanya huruf besar"),
    ({"dokumen-2-code": "KK", "dokumen-2-name_id": "Surat"}, "dokumen-2-code", "sudah dipakai"),
    ({"dokumen-2-code": "PERSETUJUAN", "dokumen-2-name_id": "Surat"}, "dokumen-2-code", "surat persetujuan"),
    ({"dokumen-2-code": "SURAT_DESA", "dokumen-2-name_id": ""}, "dokumen-2-name_id", "Tulis nama dokumen."),
    ({"dokumen-2-name_id": "Surat tanpa kode"}, "dokumen-2-code", "Tulis kodenya."),
    ({"dokumen-0-code": "KK_LAIN"}, "dokumen-0-code", "Muat ulang halaman"),
])
def test_document_errors_keep_input(app, kabid, extra, field, message):
    response = _post(kabid, "dokumen", _documents(app, **extra))
    html = _html(response)
    assert response.status_code == 422
    assert message in html and f'href="#{field}"' in html
    for value in extra.values():
        if value and value != "KK_LAIN":
            assert f'value="{value}"' in html
    assert [d["code"] for d in _service(app).documents] == ["SURAT_KEHILANGAN", "KK"]
    assert _audit(app) == []


def test_a_removed_document_keeps_its_name_on_old_applications(app, kabid):
    reference, _pin = make_application(app, "KTP_HILANG")
    assert _post(kabid, "dokumen", _documents(app, **{"dokumen-0-remove": "1"})).status_code == 303
    html = _html(_clerk(app).get(f"/petugas/{reference}"))
    assert "<h3>Surat kehilangan dari Polisi" in html or ">Surat kehilangan dari Polisi<" in html
    assert ">SURAT_KEHILANGAN<" not in html


def test_a_removed_document_nobody_else_knows_reads_as_its_code_in_words(app, kabid):
    added = _documents(app, **{"dokumen-2-code": "SURAT_DESA", "dokumen-2-name_id": "Surat keterangan desa"})
    assert _post(kabid, "dokumen", added).status_code == 303
    reference, _pin = make_application(app, "KTP_HILANG")
    from portal.services import applications
    from portal import application_text as present

    with app.test_request_context():
        assert present.document_names(applications.find(reference))["SURAT_DESA"] == "Surat keterangan desa"
    assert _post(kabid, "dokumen", _documents(app, **{"dokumen-2-remove": "1"})).status_code == 303
    with app.test_request_context():
        names = present.document_names(applications.find(reference))
        assert names["SURAT_DESA"] == "Surat desa" and list(names)[:2] == ["SURAT_KEHILANGAN", "KK"]
    assert "Surat desa" in _html(_clerk(app).get(f"/petugas/{reference}"))


# Questions


def test_a_new_question_appears_in_the_form(app, kabid, client):
    data = _questions(app, **{"tanya-2-code": "lost_where", "tanya-2-type": "select",
                              "tanya-2-label_id": "Di mana KTP-el hilang?", "tanya-2-label_en": "Where was it lost?",
                              "tanya-2-required": "1",
                              "tanya-2-options": "rumah | Di rumah | At home\njalan | Di jalan | On the road"})
    response = _post(kabid, "pertanyaan", data)
    assert response.status_code == 303 and response.headers["Location"].endswith("#tanya")
    question = _service(app).questions[2]
    assert question == {"code": "lost_where", "type": "select", "required": True, "label_id": "Di mana KTP-el hilang?",
                        "label_en": "Where was it lost?", "hint_id": "", "hint_en": "",
                        "options": [{"value": "rumah", "id": "Di rumah", "en": "At home"},
                                    {"value": "jalan", "id": "Di jalan", "en": "On the road"}]}
    assert "Di mana KTP-el hilang?" in _html(client.get("/ajukan/ktp_hilang"))
    assert _audit(app)[0][1].endswith("pertanyaan: tambah lost_where")
    page = _html(kabid.get(PAGE))
    assert "Pertanyaan disimpan." in page and "jalan | Di jalan | On the road" in page


def test_a_removed_question_is_still_shown_to_the_clerk(app, kabid, client):
    reference, _pin = make_application(app, "KTP_HILANG")
    data = _questions(app, **{"tanya-0-remove": "1"})
    assert _post(kabid, "pertanyaan", data).status_code == 303
    assert [q["code"] for q in _service(app).questions] == ["police_report_date"]
    assert "Nomor surat keterangan hilang" not in _html(client.get("/ajukan/ktp_hilang"))
    html = _html(_clerk(app).get(f"/petugas/{reference}"))
    assert "(pertanyaan sudah dihapus dari layanan)" in html and "Jawaban contoh" in html


def test_a_removed_new_question_shows_its_code_and_a_draft_that_answered_it_still_submits(app, kabid):
    added = _questions(app, **{"tanya-2-code": "lost_on", "tanya-2-type": "date", "tanya-2-label_id": "Tanggal hilang",
                               "tanya-2-required": "1"})
    assert _post(kabid, "pertanyaan", added).status_code == 303
    submitted, _pin = make_application(app, "KTP_HILANG")
    draft, _pin = make_application(app, "KTP_HILANG", state="draft", nik="3317010101900002")
    assert _post(kabid, "pertanyaan", _questions(app, **{"tanya-2-remove": "1"})).status_code == 303
    html = _html(_clerk(app).get(f"/petugas/{submitted}"))
    assert "lost_on (pertanyaan sudah dihapus dari layanan)" in html and "5 Juni 2015" in html
    from portal.services import applications, calendar

    with app.app_context():
        application = applications.find(draft)
        applications.submit(application, calendar.now())
        assert application.state == "submitted" and application.answers["lost_on"] == "2015-06-05"


@pytest.mark.parametrize("extra, field, message", [
    ({"tanya-2-code": "Kode Besar", "tanya-2-label_id": "Tanya"}, "tanya-2-code", "Kode hanya huruf kecil"),
    ({"tanya-2-code": "police_report_date", "tanya-2-label_id": "Tanya"}, "tanya-2-code", "sudah dipakai"),
    ({"tanya-2-code": "baru", "tanya-2-label_id": ""}, "tanya-2-label_id", "Tulis pertanyaannya."),
    ({"tanya-2-code": "baru", "tanya-2-label_id": "Tanya", "tanya-2-type": "warna"}, "tanya-2-type", "Pilih salah"),
    ({"tanya-2-code": "baru", "tanya-2-label_id": "Tanya", "tanya-2-type": "select",
      "tanya-2-options": "ya | Ya | Yes"}, "tanya-2-options", "paling sedikit dua pilihan"),
    ({"tanya-2-code": "baru", "tanya-2-label_id": "Tanya", "tanya-2-type": "select",
      "tanya-2-options": "ya - Ya\ntidak - Tidak"}, "tanya-2-options", "Tulis satu pilihan per baris"),
    ({"tanya-2-code": "baru", "tanya-2-label_id": "Tanya", "tanya-2-type": "text",
      "tanya-2-options": "ya | Ya\ntidak | Tidak"}, "tanya-2-options", "hanya untuk jenis Pilihan"),
    ({"tanya-1-type": "text"}, "tanya-1-type", "Jenis jawaban tidak bisa diubah"),
])
def test_question_errors_keep_input(app, kabid, extra, field, message):
    response = _post(kabid, "pertanyaan", _questions(app, **{"tanya-2-type": "text", **extra}))
    html = _html(response)
    assert response.status_code == 422
    assert message in html and f'href="#{field}"' in html
    for name, value in extra.items():
        if name.endswith(("code", "label_id")) and value:
            assert f'value="{value}"' in html
        if name.endswith("options"):
            assert value in html
    assert len(_service(app).questions) == 2
    assert _audit(app) == []


# Pickup places


def test_places_are_saved_and_switched_off_ones_kept(app, kabid, client):
    with app.app_context():
        db.session.get(PickupPlace, "KEC_LASEM").active = False
        db.session.commit()
    html = _html(kabid.get(PAGE))
    assert 'id="tempat-KEC_LASEM"' not in html and "Tetap tercatat" in html
    assert " checked" in _letter_box(html)  # as stored: the default
    response = _post(kabid, "tempat", {"tempat": ["DINAS", "KEC_SEDAN"], "surat_kuasa": "1"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#tempat")
    assert [place.code for place in _places(app)] == ["DINAS", "KEC_LASEM", "KEC_SEDAN"]
    page = _html(client.get("/layanan/ktp_hilang"))
    assert "Kantor Kecamatan Sedan" in page and "Mal Pelayanan Publik Rembang" not in page
    assert _audit(app)[0][1].endswith("tempat pengambilan: DINAS, KEC_SEDAN")


def test_the_proxy_letter_rule_is_saved_and_audited(app, kabid):
    keep = {"tempat": [place.code for place in _places(app) if place.active]}
    assert _post(kabid, "tempat", {**keep, "surat_kuasa": "1"}).status_code == 303
    assert _audit(app) == []  # nothing changed: nothing written
    response = _post(kabid, "tempat", keep)  # the box unticked
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Service, "KTP_HILANG").proxy_letter is False
    assert _audit(app)[0][1].endswith("tempat pengambilan: " + ", ".join(keep["tempat"]) + "; tanpa surat kuasa")
    html = _html(kabid.get(PAGE))
    assert " checked" not in _letter_box(html)
    refused = _post(kabid, "tempat", {"surat_kuasa": "1"})  # no place: 422, and the ticked box is kept
    assert refused.status_code == 422 and " checked" in _letter_box(_html(refused))
    assert _post(kabid, "tempat", {**keep, "surat_kuasa": "1"}).status_code == 303
    assert _audit(app)[-1][1].endswith("; surat kuasa wajib") and len(_audit(app)) == 2
    with app.app_context():
        assert db.session.get(Service, "KTP_HILANG").proxy_letter is True


def test_a_stale_places_form_shows_the_stored_proxy_letter_rule_and_keeps_the_box(app, kabid):
    token, old_version = _form(kabid)
    assert _post(kabid, "tempat", {"tempat": ["DINAS"]}).status_code == 303  # someone else: no letter now
    response = kabid.post(f"{PAGE}/tempat", data={"csrf_token": token, "versi": old_version, "tempat": ["DINAS"],
                                                  "surat_kuasa": "1"})
    html = _html(response)
    assert response.status_code == 409 and "Tidak perlu" in html
    assert " checked" in _letter_box(html)  # what this supervisor ticked


def _letter_box(html: str) -> str:
    """Return the proxy-letter checkbox's tag."""
    return re.search(r'<input[^>]*name="surat_kuasa"[^>]*>', html).group(0)


def _places(app):
    with app.app_context():
        return list(db.session.get(Service, "KTP_HILANG").pickup_places)


def test_places_need_one(app, kabid):
    response = _post(kabid, "tempat", {})
    assert response.status_code == 422 and "Pilih paling sedikit satu tempat pengambilan." in _html(response)
    response = _post(kabid, "tempat", {"tempat": ["BULAN"]})
    assert response.status_code == 422 and "Pilih salah satu dari daftar." in _html(response)
    assert 'href="#places"' in _html(response)
    assert _audit(app) == []


# Two supervisors at once


def test_a_stale_form_gets_409_and_nothing_is_overwritten(app, kabid):
    token, old_version = _form(kabid)
    assert _post(kabid, "teks", _texts(app, notice_id="Dari kepala bidang satu")).status_code == 303
    for part, data in (("teks", _texts(app, notice_id="Dari kepala bidang dua")),
                       ("dokumen", _documents(app, **{"dokumen-0-remove": "1"})),
                       ("tempat", {"tempat": ["DINAS"]})):
        response = kabid.post(f"{PAGE}/{part}", data={"csrf_token": token, "versi": old_version, **data})
        html = _html(response)
        assert response.status_code == 409, part
        assert "Orang lain menyimpan perubahan pada layanan ini" in html
    assert "Dari kepala bidang satu" in html  # the page shows what is stored now
    with app.app_context():
        service = db.session.get(Service, "KTP_HILANG")
        assert service.notice_id == "Dari kepala bidang satu" and len(service.documents) == 2
    assert len(_audit(app)) == 1
    missing = kabid.post(f"{PAGE}/teks", data={"csrf_token": token, **_texts(app)})
    assert missing.status_code == 409


def test_a_race_between_two_saves_lets_only_one_win(app, catalogue):
    from portal.services import catalogue_admin

    with app.app_context():
        service = db.session.get(Service, "KTP_HILANG")
        version = catalogue_admin.version_of(service)
        catalogue_admin.save(service, version, {"notice_id": "Pertama"})
        with pytest.raises(catalogue_admin.Stale):
            catalogue_admin.save(service, version, {"notice_id": "Kedua"})
        with pytest.raises(catalogue_admin.Stale):
            catalogue_admin.save(service, "bukan-waktu", {"notice_id": "Ketiga"})
        assert db.session.get(Service, "KTP_HILANG").notice_id == "Pertama"


# Who may


POSTS = [f"{PAGE}/{part}" for part in ("teks", "datang", "persyaratan", "dokumen", "pertanyaan", "tempat")]


@pytest.mark.parametrize("username", ["clerk", "op.sumber"])
def test_clerks_and_operators_get_403(client, staff, username):
    sign_in(client, username)
    token = csrf(client, "/")
    for path in ("/admin/layanan", PAGE):
        assert client.get(path).status_code == 403, path
    for path in POSTS:
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path


def test_an_admin_may_too(app, client, staff):
    from portal.services import accounts
    from tests.web.staff_helpers import PASSWORD

    with app.app_context():
        accounts.create_user("admin", "Admin Kantor", "admin", PASSWORD)
    sign_in(client, "admin")
    assert client.get("/admin/layanan").status_code == 200
    assert _post(client, "datang", {"visit_reason_id": "Tidak perlu"}).status_code == 303
    assert _audit(app)[0][0] == "Admin Kantor"


def test_visitors_go_to_sign_in(client, staff):
    for path in ("/admin/layanan", PAGE):
        assert sends_to_sign_in(client.get(path)), path


def test_post_without_csrf_token_is_refused(app, kabid):
    _token, version = _form(kabid)
    for path in POSTS:
        assert kabid.post(path, data={"versi": version, **_texts(app, notice_id="x")}).status_code == 400, path
    assert _audit(app) == []


def test_pages_are_valid_html(app, kabid, tmp_path):
    with app.app_context():
        db.session.get(PickupPlace, "MPP").active = False
        db.session.get(Service, "KIA").active = False
        db.session.commit()
    pages = {
        "list": kabid.get("/admin/layanan"),
        "edit": kabid.get(PAGE),
        "edit-select": kabid.get("/admin/layanan/ktp_baru"),
        "texts-error": _post(kabid, "teks", _texts(app, name_id="")),
        "visit-error": _post(kabid, "datang", {"visit_required": "1"}),
        "requirements-error": _post(kabid, "persyaratan", _requirements(app, **{"syarat-0-id": ""})),
        "documents-error": _post(kabid, "dokumen", _documents(app, **{"dokumen-2-code": "x"})),
        "questions-error": _post(kabid, "pertanyaan", _questions(app, **{"tanya-2-code": "X", "tanya-2-type": "text"})),
        "places-error": _post(kabid, "tempat", {}),
        "saved": kabid.get(PAGE) if _post(kabid, "datang", {"visit_reason_id": "Tidak perlu"}).status_code == 303
        else None,
    }
    stale = kabid.post(f"{PAGE}/tempat", data={"csrf_token": _form(kabid)[0], "versi": "2000-01-01T00:00:00+00:00",
                                               "tempat": ["DINAS"]})
    pages["stale"] = stale
    kabid.set_cookie("bahasa", "en")
    pages["en-list"], pages["en-edit"] = kabid.get("/admin/layanan"), kabid.get(PAGE)
    assert [r.status_code for r in pages.values()] == [200, 200, 200, 422, 422, 422, 422, 422, 422, 200, 409, 200, 200]
    nu_validate(tmp_path, pages)
