"""The rules of a supervisor's service edit (portal/domain/catalogue.py): texts, visit, requirements, documents,
questions with their options, pickup places, and moving rows."""

import pytest

from portal.domain import catalogue as rules
from portal.domain.catalogue import (check_documents, check_places, check_questions, check_requirements,
                                     check_texts, check_visit, format_options, move, parse_options)

TEXTS = {"name_id": " KTP-el Hilang ", "name_en": "", "summary_id": "Ringkas", "summary_en": "",
         "applicant_id": "WNI", "applicant_en": "", "processing_time_id": "1 hari", "processing_time_en": "",
         "notice_id": "", "notice_en": ""}
SAVED_DOCUMENTS = {"KK": {"code": "KK", "name_id": "Kartu Keluarga", "name_en": "Family card", "required": True,
                          "note": "kept"}}
SAVED_QUESTIONS = {"when": {"code": "when", "type": "date", "label_id": "Kapan?", "required": True},
                   "why": {"code": "why", "type": "select", "label_id": "Mengapa?", "required": True,
                           "options": [{"value": "a", "id": "A", "en": ""}, {"value": "b", "id": "B", "en": ""}]}}


# Texts and visit


def test_texts_are_trimmed_and_english_may_be_empty():
    cleaned, errors = check_texts(TEXTS, "security_blank", True)
    assert errors == {}
    assert cleaned["name_id"] == "KTP-el Hilang" and cleaned["name_en"] == ""
    assert (cleaned["output"], cleaned["active"]) == ("security_blank", True)


@pytest.mark.parametrize("field", rules.REQUIRED_TEXTS)
def test_indonesian_texts_are_required(field):
    assert check_texts({**TEXTS, field: "  "}, "self_print", False)[1] == {field: rules.EMPTY}


def test_texts_have_limits_and_output_is_a_choice():
    _cleaned, errors = check_texts({**TEXTS, "name_en": "x" * 121, "notice_id": "x" * 301}, "faks", True)
    assert errors == {"name_en": rules.TOO_LONG, "notice_id": rules.TOO_LONG, "output": rules.CHOICE}
    assert check_texts({**TEXTS, "name_en": "x" * 120}, None, True)[1] == {"output": rules.CHOICE}


def test_a_visit_needs_its_reason_and_reasons_are_kept_when_off():
    assert check_visit(True, " ", "Because")[1] == {"visit_reason_id": rules.REASON_NEEDED}
    cleaned, errors = check_visit(False, " Foto ", "")
    assert errors == {} and cleaned == {"visit_required": False, "visit_reason_id": "Foto", "visit_reason_en": ""}
    assert check_visit(True, "x" * 501, "")[1] == {"visit_reason_id": rules.TOO_LONG}


# Moving rows


def test_move_up_and_down_and_not_past_the_ends():
    rows = ["a", "b", "c"]
    assert move(rows, 1, up=True) == ["b", "a", "c"]
    assert move(rows, 1, up=False) == ["a", "c", "b"]
    assert move(rows, 0, up=True) == rows and move(rows, 2, up=False) == rows and move(rows, 9, up=True) == rows
    assert rows == ["a", "b", "c"]  # not changed in place


# Requirements


def test_requirements_skip_removed_and_blank_rows():
    rows = [{"id": "Satu", "en": "One"}, {"id": "Dua", "en": "", "remove": True}, {"id": " ", "en": ""},
            {"id": " Tiga ", "en": "Three"}]
    assert check_requirements(rows) == ([{"id": "Satu", "en": "One"}, {"id": "Tiga", "en": "Three"}], {})


def test_requirement_errors():
    _cleaned, errors = check_requirements([{"id": "", "en": "Only English"}, {"id": "x" * 301, "en": ""}])
    assert errors == {(0, "id"): rules.EMPTY, (1, "id"): rules.TOO_LONG}
    assert check_requirements([{"id": "A", "remove": True}])[1] == {(None, "rows"): rules.NONE_LEFT}
    many = [{"id": f"Syarat {n}", "en": ""} for n in range(rules.MAX_ROWS + 1)]
    assert check_requirements(many)[1] == {(None, "rows"): rules.TOO_MANY}


# Documents


def _document(code, name="Nama", saved=False, **flags):
    return {"code": code, "name_id": name, "name_en": "", "required": flags.get("required", True),
            "remove": flags.get("remove", False), "saved": saved}


def test_documents_keep_saved_extras_and_add_new_rows():
    rows = [_document("KK", "Kartu Keluarga (KK)", saved=True),
            _document("SURAT_DESA", " Surat desa ", required=False), _document("", "")]
    cleaned, errors = check_documents(rows, SAVED_DOCUMENTS, reserved=("PERSETUJUAN",))
    assert errors == {}
    assert cleaned == [{"code": "KK", "name_id": "Kartu Keluarga (KK)", "name_en": "", "required": True, "note": "kept"},
                       {"code": "SURAT_DESA", "name_id": "Surat desa", "name_en": "", "required": False}]


def test_a_removed_document_is_left_out_and_its_code_may_be_reused():
    rows = [_document("KK", saved=True, remove=True), _document("KK", "Kartu Keluarga baru")]
    cleaned, errors = check_documents(rows, SAVED_DOCUMENTS)
    assert errors == {} and [document["code"] for document in cleaned] == ["KK"]


@pytest.mark.parametrize("row, field, code", [
    (_document("kk_lain"), "code", rules.CODE_FORMAT),
    (_document("1KK"), "code", rules.CODE_FORMAT),
    (_document("SURAT DESA"), "code", rules.CODE_FORMAT),
    (_document("A" * 31), "code", rules.TOO_LONG),
    (_document("KK"), "code", rules.CODE_TAKEN),
    (_document("PERSETUJUAN"), "code", rules.CODE_RESERVED),
    (_document("", "Nama tanpa kode"), "code", rules.EMPTY),
    (_document("SURAT_DESA", ""), "name_id", rules.EMPTY),
    (_document("SURAT_DESA", "x" * 121), "name_id", rules.TOO_LONG),
    (_document("KK_LAIN", saved=True), "code", rules.CODE_UNKNOWN),
])
def test_document_errors(row, field, code):
    rows = [_document("KK", saved=True), row]
    _cleaned, errors = check_documents(rows, SAVED_DOCUMENTS, reserved=("PERSETUJUAN",))
    assert errors == {(1, field): code}


def test_a_saved_code_twice_is_taken():
    rows = [_document("KK", saved=True), _document("KK", saved=True)]
    assert check_documents(rows, SAVED_DOCUMENTS)[1] == {(1, "code"): rules.CODE_TAKEN}


# Options and questions


def test_options_are_read_one_per_line_and_written_back():
    options, problem = parse_options(" ya | Ya | Yes \r\n\n tidak|Tidak ")
    assert problem is None
    assert options == [{"value": "ya", "id": "Ya", "en": "Yes"}, {"value": "tidak", "id": "Tidak", "en": ""}]
    assert format_options(options) == "ya | Ya | Yes\ntidak | Tidak"
    assert parse_options(format_options(options)) == (options, None)


@pytest.mark.parametrize("text, problem", [
    ("ya - Ya", rules.OPTIONS_FORMAT),
    ("ya | Ya | Yes | lagi", rules.OPTIONS_FORMAT),
    ("Ya Betul | Ya", rules.OPTIONS_FORMAT),
    (" | Ya", rules.OPTIONS_FORMAT),
    ("ya | ", rules.OPTIONS_FORMAT),
    ("ya | Ya\nya | Iya", rules.OPTIONS_DUPLICATE),
])
def test_bad_options(text, problem):
    assert parse_options(text)[1] == problem


def _question(code, kind="text", label="Tanya", saved=False, options="", **extra):
    return {"code": code, "type": kind, "label_id": label, "label_en": "", "hint_id": "", "hint_en": "",
            "options": options, "required": extra.get("required", True), "remove": extra.get("remove", False),
            "saved": saved}


def test_questions_keep_saved_ones_and_add_a_select():
    rows = [_question("when", "date", "Kapan hilang?", saved=True, required=False),
            _question("why", "select", "Mengapa?", saved=True, options="a | A\nb | B"),
            _question("where", "select", "Di mana?", options="rumah | Di rumah | At home\njalan | Di jalan"),
            _question("", "text", "")]
    cleaned, errors = check_questions(rows, SAVED_QUESTIONS)
    assert errors == {}
    assert cleaned[0] == {"code": "when", "type": "date", "label_id": "Kapan hilang?", "label_en": "", "hint_id": "",
                          "hint_en": "", "required": False}
    assert cleaned[2]["options"] == [{"value": "rumah", "id": "Di rumah", "en": "At home"},
                                     {"value": "jalan", "id": "Di jalan", "en": ""}]
    assert [question["code"] for question in cleaned] == ["when", "why", "where"]


@pytest.mark.parametrize("row, field, code", [
    (_question("Kode"), "code", rules.CODE_FORMAT),
    (_question("when"), "code", rules.CODE_TAKEN),
    (_question("baru", "warna"), "type", rules.CHOICE),
    (_question("baru", label=""), "label_id", rules.EMPTY),
    (_question("baru", label="x" * 201), "label_id", rules.TOO_LONG),
    (_question("baru", "select", options="ya | Ya"), "options", rules.OPTIONS_FEW),
    (_question("baru", "select"), "options", rules.OPTIONS_FEW),
    (_question("baru", "select", options="ya, Ya"), "options", rules.OPTIONS_FORMAT),
    (_question("baru", "nik", options="ya | Ya\ntidak | Tidak"), "options", rules.OPTIONS_NOT_SELECT),
    (_question("why", "text", saved=True), "type", rules.TYPE_LOCKED),
    (_question("gone", saved=True), "code", rules.CODE_UNKNOWN),
])
def test_question_errors(row, field, code):
    rows = [_question("when", "date", saved=True), row]
    _cleaned, errors = check_questions(rows, SAVED_QUESTIONS)
    assert errors == {(1, field): code}


def test_every_type_the_form_asks_is_offered():
    assert set(rules.QUESTION_TYPES) == {"text", "date", "nik", "kk", "select"}


# Places


def test_places_keep_the_offered_order_and_need_one():
    assert check_places(["MPP", "DINAS"], ["DINAS", "MPP", "KEC_SEDAN"]) == (["DINAS", "MPP"], {})
    assert check_places([], ["DINAS"])[1] == {"places": rules.NONE_LEFT}
    assert check_places(["BULAN"], ["DINAS"])[1] == {"places": rules.CHOICE}


def test_security_blank_needs_an_active_pickup_place():
    texts = {"name_id": "KTP", "summary_id": "Ringkas", "applicant_id": "Warga", "processing_time_id": "1 hari"}
    assert rules.check_texts(texts, "security_blank", True, has_pickup_place=False)[1] == {
        "output": rules.NO_PICKUP_PLACE}
    assert rules.check_texts(texts, "self_print", True, has_pickup_place=False)[1] == {}
    assert rules.check_texts(texts, "security_blank", True, has_pickup_place=True)[1] == {}
