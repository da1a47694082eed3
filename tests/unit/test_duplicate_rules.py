"""One open application per NIK and service: which count as open, when a reason is needed, and how many open
ones each application of a batch meets when they are sent together."""

import pytest

from portal.domain import batch, duplicates, lifecycle
from portal.domain.duplicates import Candidate, duplicates_on_send, reason_problem


def test_open_means_sent_and_not_ended():
    assert {state for state in lifecycle.STATES if duplicates.is_open(state)} == {
        "submitted", "in_review", "needs_correction", "approved", "ready"}


@pytest.mark.parametrize("others, reason, expected", [
    (0, "", None),  # nothing open: no reason asked
    (1, "", "missing"),
    (1, "   ", "missing"),
    (1, "ok", "missing"),  # too short to tell a clerk anything
    (2, "Untuk kartu adik saya", None),
    (1, "x" * 300, None),
    (1, "x" * 301, "too_long"),
])
def test_a_reason_is_needed_only_beside_an_open_application(others, reason, expected):
    assert reason_problem(others, reason) == expected


def test_a_reason_is_stored_with_single_spaces():
    assert duplicates.clean_reason("  Untuk \n kartu   adik ") == "Untuk kartu adik"
    assert duplicates.clean_reason(None) == ""


def test_applications_sent_together_meet_those_open_and_the_ones_before_them():
    siti, ani = ("3317014101900001", "KTP_HILANG"), ("3317015203910002", "KTP_HILANG")
    sent = [Candidate("A", siti), Candidate("B", ani), Candidate("C", siti), Candidate("D", None),
            Candidate("E", siti)]
    assert duplicates_on_send(sent, {ani: 1}) == {"A": 0, "B": 1, "C": 1, "D": 0, "E": 2}


def test_a_batch_member_beside_an_open_application_without_a_reason_blocks_the_batch():
    members = [batch.Member("RBG-1", "Siti", lifecycle.DRAFT, duplicate="missing"),
               batch.Member("RBG-2", "Ani", lifecycle.DRAFT, ("kk",), duplicate="missing"),
               batch.Member("RBG-3", "Budi", lifecycle.DRAFT)]
    assert batch.submission_problems(members) == [
        batch.Problem("duplicate", "RBG-1", "Siti"),
        batch.Problem("incomplete", "RBG-2", "Ani", ("kk",)), batch.Problem("duplicate", "RBG-2", "Ani")]
