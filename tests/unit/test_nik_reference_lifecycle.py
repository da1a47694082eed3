"""NIK rules, references and PINs, the lifecycle, and the form's steps — pure domain, no app."""

from datetime import date, datetime, timezone

import pytest

from portal.domain import form, lifecycle
from portal.domain.nik import check_nik, mask, normalize
from portal.domain.reference import (ALPHABET, hash_pin, new_pin, new_reference, normalize_reference,
                                     pin_matches)

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)


# --- NIK --------------------------------------------------------------------------------------------

def test_valid_nik_of_a_woman_from_this_regency():
    verdict = check_nik("3317014101900001", "33.17")
    assert verdict.valid and verdict.warnings == ()
    assert verdict.birth_date == date(1990, 1, 1) and verdict.gender == "P"  # day 41 = 1 + 40


@pytest.mark.parametrize("nik, error", [
    ("3317", "format"), ("33170141019000AB", "format"), ("", "format"),
    ("3317013201900001", "birth_date"),  # day 32
    ("3317014101900000", "serial"),
    ("9917014101900001", "region"),
])
def test_malformed_nik_is_an_error(nik, error):
    verdict = check_nik(nik, "33.17")
    assert not verdict.valid and verdict.errors[0] == error


def test_other_regency_and_birth_date_mismatch_are_warnings_only():
    moved_in = check_nik("3318010101900001", "33.17")
    assert moved_in.valid and moved_in.warnings == ("other_regency",)
    corrected = check_nik("3317010101900001", "33.17", stated_birth_date=date(1990, 1, 2))
    assert corrected.valid and corrected.warnings == ("birth_date_mismatch",)


def test_nik_typing_is_forgiven_and_masking_hides_the_middle():
    assert normalize(" 3317 01.41-0190 0001 ") == "3317014101900001"
    assert mask("3317014101900001") == "331701******0001"


# --- references and PINs ------------------------------------------------------------------------------

def test_reference_alphabet_and_shape():
    assert set(ALPHABET).isdisjoint("ILOU") and len(ALPHABET) == 32
    reference = new_reference("RBG")
    prefix, first, second = reference.split("-")
    assert prefix == "RBG" and len(first) == len(second) == 4
    assert all(symbol in ALPHABET for symbol in first + second)
    assert len({new_reference("RBG") for _ in range(500)}) == 500


def test_reference_typing_is_forgiven():
    assert normalize_reference("rbg 7k3m q9px", "RBG") == "RBG-7K3M-Q9PX"
    assert normalize_reference("7K3M-Q9PX", "RBG") == "RBG-7K3M-Q9PX"
    assert normalize_reference("RBG-7K3M-Q9PO", "RBG") == "RBG-7K3M-Q9P0"  # O read as zero
    assert normalize_reference("RBG-7K3M-Q9PI", "RBG") == "RBG-7K3M-Q9P1"
    assert normalize_reference("RBG-7K3M-Q9P", "RBG") is None
    assert normalize_reference("RBG-7K3M-Q9PU", "RBG") is None  # U is not in the alphabet


def test_pin_is_six_digits_and_only_its_hash_matches():
    pins = {new_pin() for _ in range(200)}
    assert all(len(pin) == 6 and pin.isdigit() for pin in pins)
    assert new_pin(lambda _n: 42) == "000042"
    stored = hash_pin("012345", "pbkdf2:sha256:1")  # the production method is tested in tests/web/test_auth.py
    assert "012345" not in stored
    assert pin_matches(stored, "012345") and pin_matches(stored, " 012 345 ")
    assert not pin_matches(stored, "012346") and not pin_matches(stored, "12345")
    assert not pin_matches(None, "012345") and not pin_matches(stored, "abcdef")


# --- lifecycle ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, actor", [
    ((lifecycle.DRAFT, lifecycle.SUBMITTED), lifecycle.APPLICANT),
    ((lifecycle.SUBMITTED, lifecycle.IN_REVIEW), lifecycle.CLERK),
    ((lifecycle.IN_REVIEW, lifecycle.NEEDS_CORRECTION), lifecycle.CLERK),
    ((lifecycle.NEEDS_CORRECTION, lifecycle.SUBMITTED), lifecycle.APPLICANT),
    ((lifecycle.IN_REVIEW, lifecycle.APPROVED), lifecycle.CLERK),
    ((lifecycle.APPROVED, lifecycle.READY), lifecycle.CLERK),
    ((lifecycle.READY, lifecycle.COLLECTED), lifecycle.CLERK),
    ((lifecycle.SUBMITTED, lifecycle.CANCELLED), lifecycle.APPLICANT),
    ((lifecycle.DRAFT, lifecycle.CANCELLED), lifecycle.APPLICANT),
])
def test_allowed_moves(path, actor):
    move = lifecycle.transition(*path, actor, NOW, reason="Foto KK buram")
    assert (move.from_state, move.to_state, move.actor, move.at) == (*path, actor, NOW)


@pytest.mark.parametrize("current, target, actor, code", [
    (lifecycle.IN_REVIEW, lifecycle.CANCELLED, lifecycle.APPLICANT, "not_allowed"),  # review has started
    (lifecycle.SUBMITTED, lifecycle.APPROVED, lifecycle.CLERK, "not_allowed"),  # review comes first
    (lifecycle.READY, lifecycle.COLLECTED, lifecycle.APPLICANT, "actor"),
    (lifecycle.DRAFT, lifecycle.SUBMITTED, lifecycle.CLERK, "actor"),
    (lifecycle.CANCELLED, lifecycle.SUBMITTED, lifecycle.APPLICANT, "final"),
    (lifecycle.COLLECTED, lifecycle.READY, lifecycle.CLERK, "final"),
    (lifecycle.IN_REVIEW, lifecycle.REJECTED, lifecycle.CLERK, "reason"),
    (lifecycle.IN_REVIEW, lifecycle.NEEDS_CORRECTION, lifecycle.CLERK, "reason"),
])
def test_refused_moves(current, target, actor, code):
    with pytest.raises(lifecycle.TransitionRefused) as refused:
        lifecycle.transition(current, target, actor, NOW)
    assert refused.value.code == code
    assert not lifecycle.can(current, target, actor) or code == "reason"


def test_transition_needs_known_states_and_an_aware_time():
    with pytest.raises(ValueError):
        lifecycle.transition("lost", lifecycle.SUBMITTED, lifecycle.APPLICANT, NOW)
    with pytest.raises(ValueError):
        lifecycle.transition(lifecycle.DRAFT, lifecycle.SUBMITTED, lifecycle.APPLICANT, datetime(2026, 12, 3))


# --- the form's steps ---------------------------------------------------------------------------------

QUESTIONS = [{"code": "police_report_number", "type": "text"}, {"code": "extra", "type": "text", "required": False}]
DOCUMENTS = [{"code": "KK", "required": True}, {"code": "SURAT_PINDAH", "required": False}]


def test_steps_follow_the_catalogue():
    steps = form.steps_for(QUESTIONS, DOCUMENTS)
    assert [s.slug for s in steps] == ["nik", "nama", "tanggal-lahir", "telepon", "alamat",
                                       "tanya-police-report-number", "tanya-extra", "dokumen-kk",
                                       "dokumen-surat-pindah"]
    assert form.step_after(steps, steps[-1]) is None and form.find_step(steps, "nope") is None


def test_first_incomplete_and_missing_required():
    steps = form.steps_for(QUESTIONS, DOCUMENTS)
    progress = form.Progress(nik="3317014101900001", full_name="Siti", birth_date=date(1990, 1, 1),
                             phone="+6281234567890", region_code="33.17.01.2001",
                             answers={"police_report_number": "LP/1"}, documents=frozenset({"KK"}))
    assert form.first_incomplete(steps, progress).slug == "tanya-extra"
    assert form.missing_required(steps, progress) == []
    skipped = form.Progress(**{**progress.__dict__, "answers": {"police_report_number": "LP/1", "extra": ""},
                               "skipped_documents": frozenset({"SURAT_PINDAH"})})
    assert form.first_incomplete(steps, skipped) is None
    empty = form.Progress()
    assert [s.slug for s in form.missing_required(steps, empty)][:2] == ["nik", "nama"]
