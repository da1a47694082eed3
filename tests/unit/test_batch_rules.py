"""The batch rules: what blocks submitting, and how far a submitted batch got."""

import pytest

from portal.domain import batch, lifecycle
from portal.domain.batch import Member, Problem, progress, submission_problems


def test_an_empty_batch_cannot_be_submitted():
    assert submission_problems([]) == [Problem("empty")]


def test_complete_drafts_can_be_submitted():
    members = [Member("RBG-AAAA-AAAA", "Siti", lifecycle.DRAFT), Member("RBG-BBBB-BBBB", "Budi", lifecycle.DRAFT)]
    assert submission_problems(members) == []


def test_every_problem_is_named_in_the_batchs_order():
    members = [Member("RBG-AAAA-AAAA", "Siti", lifecycle.DRAFT, ("ktp-lama",)),
               Member("RBG-BBBB-BBBB", "Budi", lifecycle.DRAFT),
               Member("RBG-CCCC-CCCC", "Ani", lifecycle.CANCELLED)]
    assert submission_problems(members) == [Problem("incomplete", "RBG-AAAA-AAAA", "Siti", ("ktp-lama",)),
                                            Problem("not_draft", "RBG-CCCC-CCCC", "Ani")]


@pytest.mark.parametrize("states, expected", [
    ([lifecycle.SUBMITTED, lifecycle.IN_REVIEW], batch.IN_PROCESS),
    ([lifecycle.READY, lifecycle.IN_REVIEW], batch.PARTLY_READY),
    ([lifecycle.COLLECTED, lifecycle.APPROVED], batch.PARTLY_READY),
    ([lifecycle.READY, lifecycle.COLLECTED], batch.READY),
    ([lifecycle.COLLECTED, lifecycle.COLLECTED, lifecycle.REJECTED], batch.COLLECTED),
    ([lifecycle.REJECTED, lifecycle.CANCELLED], batch.ENDED),
])
def test_progress_of_a_submitted_batch(states, expected):
    assert progress(batch.SUBMITTED, states) == expected


def test_an_open_batch_is_open_whatever_it_holds():
    assert progress(batch.OPEN, [lifecycle.DRAFT]) == batch.OPEN


def test_an_unknown_stored_state_is_an_error():
    with pytest.raises(ValueError):
        progress("lost", [])
