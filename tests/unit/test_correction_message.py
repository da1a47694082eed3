"""The message of a correction request: written as sentences, and read back without the documents' reasons."""

from __future__ import annotations

from portal.domain.correction import correction_message, general_note


def test_the_note_and_the_documents_reasons_read_as_sentences():
    assert correction_message("Mohon kirim ulang foto surat kehilangan.", ["Foto surat polisi buram"]) == \
        "Mohon kirim ulang foto surat kehilangan. Foto surat polisi buram."
    assert correction_message("Cek nama ibu", ["KK buram!", "Buku nikah terpotong…"]) == \
        "Cek nama ibu. KK buram! Buku nikah terpotong…"
    assert correction_message("  ", ["KK buram.", ""]) == "KK buram."
    assert correction_message("Cek nama ibu?", []) == "Cek nama ibu?"
    assert ".;" not in correction_message("Satu.", ["Dua."]) and ".." not in correction_message("Satu.", ["Dua."])


def test_the_general_note_is_the_request_without_the_documents_reasons():
    reasons = ["KK buram", "Buku nikah terpotong."]
    assert general_note(correction_message("Cek nama ibu.", reasons), reasons) == "Cek nama ibu."
    assert general_note(correction_message("", reasons), reasons) == ""
    assert general_note("Cek nama ibu", []) == "Cek nama ibu"
    # one document replaced since: its reason stays in the message rather than being lost
    assert general_note(correction_message("Cek nama ibu", reasons), reasons[1:]) == "Cek nama ibu. KK buram."
    assert general_note("Sesuatu yang lain", ["KK buram"]) == "Sesuatu yang lain"


def test_a_request_joined_the_old_way_is_read_too():
    reasons = ["KK buram", "Buku nikah terpotong"]
    assert general_note("Cek nama ibu.; KK buram; Buku nikah terpotong", reasons) == "Cek nama ibu."
    assert general_note("KK buram; Buku nikah terpotong", reasons) == ""
