"""The reasons the portal writes on a timeline are read back into their kind and values (and nothing else is)."""

import pytest

from portal.domain import event_reasons as reasons


@pytest.mark.parametrize("collector, relation", [("applicant", ""), ("operator", ""), ("authorised", "suami")])
def test_a_handover_reason_reads_back_with_its_collector(collector, relation):
    text = reasons.handed_over("Budi, S.Pd.", collector, relation)
    assert reasons.read(text) == reasons.Reason(reasons.HANDED_OVER, {"name": "Budi, S.Pd.", "collector": collector,
                                                                      "relation": relation})


def test_the_stored_words_stay_the_ones_already_in_the_database():
    assert reasons.handed_over("Siti Aminah", "applicant") == "Diserahkan kepada Siti Aminah, pemohon"
    assert reasons.handed_over("Budi", "authorised", "adik") == "Diserahkan kepada Budi, kuasa (adik)"
    assert reasons.batch_sent("KOL-0000-0001") == "Berkas kolektif KOL-0000-0001"
    assert reasons.read("Berkas kolektif KOL-0000-0001") == reasons.Reason(reasons.BATCH_SENT,
                                                                           {"number": "KOL-0000-0001"})
    assert reasons.read("PIN baru dibuat oleh operator desa").kind == reasons.NEW_PIN
    assert reasons.read("Dokumen diunduh pemohon").kind == reasons.DOWNLOADED
    assert reasons.read("Cancelled by the applicant").kind == reasons.CANCELLED_BY_APPLICANT


@pytest.mark.parametrize("text", ["", None, "Foto KK buram.", "Berkas kolektif belum lengkap, kirim lagi",
                                  "Diserahkan kepada Budi"])
def test_a_clerks_own_words_are_not_taken_for_a_known_reason(text):
    assert reasons.read(text) is None
