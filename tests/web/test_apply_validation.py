"""Every validation message of the form: clear, next to the field, and what was typed is kept."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application
from tests.web.apply_helpers import GOOD_NIK, applicant_steps, csrf, post_step


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Application))


@pytest.mark.parametrize("typed, message", [
    ("", "Isi NIK Anda."),
    ("3317", "NIK harus 16 angka."),
    ("33170141019000AB", "NIK harus 16 angka."),
    ("3317013201900001", "bukan tanggal lahir yang ada"),
    ("3317014101900000", "tidak boleh 0000"),
    ("9917014101900001", "bukan kode wilayah yang ada"),
])
def test_bad_nik_is_refused_with_its_reason_and_kept(client, regions, typed, message):
    response = post_step(client, "kk_baru", "nik", {"nik": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "<title>Kesalahan:" in html and 'class="error-summary"' in html
    assert f'value="{typed}"' in html
    assert count(client.application) == 0  # nothing is stored before a valid NIK


def test_nik_typed_with_spaces_and_dots_is_accepted(client, regions):
    assert post_step(client, "kk_baru", "nik", {"nik": "3317 0141.0190-0001"}).status_code == 303


def test_nik_from_another_regency_is_a_warning_to_accept(client, regions):
    response = post_step(client, "kk_baru", "nik", {"nik": "3318014101900001"})
    assert response.status_code == 422 and "terbit di luar Kabupaten Rembang" in response.get_data(as_text=True)
    accepted = post_step(client, "kk_baru", "nik", {"nik": "3318014101900001", "accept_warning": "y"})
    assert accepted.status_code == 303


def test_birth_date_differing_from_nik_is_a_warning_never_a_rejection(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    post_step(client, "kk_baru", "nama", {"full_name": "Siti"})
    response = post_step(client, "kk_baru", "tanggal-lahir", {"day": "2", "month": "1", "year": "1990"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "berbeda dengan yang tercatat di NIK" in html
    assert "Senin, 1 Januari 1990" in html
    assert post_step(client, "kk_baru", "tanggal-lahir",
                     {"day": "2", "month": "1", "year": "1990", "accept_warning": "y"}).status_code == 303


@pytest.mark.parametrize("parts, message", [
    ({"day": "", "month": "", "year": ""}, "Isi tanggal lahir Anda."),
    ({"day": "31", "month": "2", "year": "1990"}, "Tanggal tidak ada di kalender"),
    ({"day": "1", "month": "", "year": "1990"}, "Tanggal harus lengkap"),
    ({"day": "x", "month": "1", "year": "1990"}, "Tanggal harus berupa angka"),
    ({"day": "1", "month": "1", "year": "90"}, "Tahun harus empat angka"),
    ({"day": "1", "month": "1", "year": "2030"}, "tidak boleh di masa depan"),
])
def test_bad_birth_dates(client, regions, parts, message):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    response = post_step(client, "kk_baru", "tanggal-lahir", parts)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert f'name="year" type="text" inputmode="numeric" pattern="[0-9]*" maxlength="4" value="{parts["year"]}"' in html


@pytest.mark.parametrize("typed, message", [
    ("", "Isi nomor HP Anda."),
    ("12345", "Nomor HP tidak dikenal"),
    ("0295 691234", "bukan telepon rumah"),
])
def test_bad_phone(client, regions, typed, message):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    response = post_step(client, "kk_baru", "telepon", {"phone": typed})
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_address_needs_a_desa_of_this_regency_and_a_street(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    html = post_step(client, "kk_baru", "alamat", {"desa": "", "address_line": ""}).get_data(as_text=True)
    assert "Pilih desa atau kelurahan tempat Anda tinggal." in html and "Isi alamat Anda" in html
    other = post_step(client, "kk_baru", "alamat", {"desa": "33.18.01.2001", "address_line": "Jl. A"})
    assert "Pilih desa atau kelurahan dari daftar." in other.get_data(as_text=True)
    kecamatan = post_step(client, "kk_baru", "alamat", {"desa": "33.17.01", "address_line": "Jl. A"})
    assert kecamatan.status_code == 422


def test_address_page_offers_every_desa_grouped_without_javascript(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    html = client.get("/ajukan/kk_baru/alamat").get_data(as_text=True)
    assert html.count("<optgroup") == 14 and html.count('value="33.17.') >= 294


def test_desa_filter_fragment_for_htmx(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    response = client.get("/ajukan/kk_baru/alamat/desa?kecamatan=33.17.05",
                          headers={"HX-Request": "true", "HX-Target": "desa_field"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div class="field') and "<html" not in html
    assert html.count("<optgroup") == 1 and "33.17.01.2001" not in html


def test_question_answers_are_validated_by_type(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    short = post_step(client, "kk_baru", "tanya-spouse-nik", {"answer": "123"})
    assert short.status_code == 422 and "NIK harus 16 angka." in short.get_data(as_text=True)
    radio = post_step(client, "kk_baru", "tanya-spouse-origin", {})
    assert radio.status_code == 422 and "Pilih salah satu jawaban." in radio.get_data(as_text=True)
    forged = post_step(client, "kk_baru", "tanya-spouse-origin", {"answer": "not-an-option"})
    assert forged.status_code == 422


def test_required_document_cannot_be_skipped_but_an_optional_one_can(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    path = "/ajukan/kk_baru/dokumen-kk"
    refused = client.post(path, data={"csrf_token": csrf(client, path), "skip": "1"})
    assert refused.status_code == 422 and "Dokumen ini wajib" in refused.get_data(as_text=True)
    path = "/ajukan/kk_baru/dokumen-surat-pindah"
    skipped = client.post(path, data={"csrf_token": csrf(client, path), "skip": "1"})
    assert skipped.status_code == 303


def test_missing_upload_says_so(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    response = post_step(client, "kk_baru", "dokumen-kk", {})
    assert response.status_code == 422 and "Pilih foto atau PDF dokumen ini." in response.get_data(as_text=True)


def test_steps_before_a_draft_exists_go_back_to_the_nik(client, regions):
    response = client.get("/ajukan/kk_baru/telepon")
    assert response.status_code == 303 and response.headers["Location"].endswith("/ajukan/kk_baru/nik")
    assert client.get("/ajukan/kk_baru/tidak-ada").status_code == 404
    assert client.get("/ajukan/tidak_ada/nik").status_code == 404


def test_check_page_lists_what_is_missing_and_refuses_to_submit(client, regions):
    post_step(client, "kk_baru", "nik", {"nik": GOOD_NIK})
    page = client.get("/ajukan/kk_baru/periksa").get_data(as_text=True)
    assert "Masih ada yang belum diisi" in page
    path = "/ajukan/kk_baru/periksa"
    response = client.post(path, data={"csrf_token": csrf(client, path), "declaration": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Belum diisi: Nama lengkap" in html
    with client.application.app_context():
        assert db.session.scalars(select(Application)).one().state == "draft"


def test_declaration_is_required(client, regions):
    applicant_steps(client, "kk_baru")
    path = "/ajukan/kk_baru/periksa"
    response = client.post(path, data={"csrf_token": csrf(client, path)})
    assert response.status_code == 422 and "Centang pernyataan ini" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client, regions):
    response = client.post("/ajukan/kk_baru/nik", data={"nik": GOOD_NIK, "next": "1"})
    assert response.status_code == 400
    assert count(client.application) == 0


def test_only_the_birth_date_offers_birthday_autofill(client, regions):
    post_step(client, "ktp_hilang", "nik", {"nik": GOOD_NIK})
    birth = client.get("/ajukan/ktp_hilang/tanggal-lahir").get_data(as_text=True)
    assert 'autocomplete="bday-day"' in birth and 'autocomplete="bday-year"' in birth
    report = client.get("/ajukan/ktp_hilang/tanya-police-report-date").get_data(as_text=True)
    assert "bday" not in report
