"""Evidence stays aggregate: no student names or ids, small groups flagged (DESIGN 'Student privacy')."""

import pytest
from pydantic import ValidationError

from domain.evidence import AggregateResult, DocumentLink, Note, StepEvidence


def test_a_group_under_ten_is_marked_small():
    assert AggregateResult(metric="Quiz", n=9, counts={"meets": 9}).small
    assert not AggregateResult(metric="Quiz", n=10, counts={"meets": 10}).small


def test_counts_per_level_must_add_up_to_n():
    with pytest.raises(ValidationError, match="add up to 5, but n is 6"):
        AggregateResult(metric="Quiz", n=6, counts={"meets": 5})


def test_no_field_can_carry_a_student_name():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        AggregateResult(metric="Quiz", n=1, counts={"meets": 1}, student_name="Ana")
    with pytest.raises(ValidationError, match="Extra inputs"):
        StepEvidence(students=["Ana"])


def test_text_that_looks_like_a_student_id_is_refused():
    with pytest.raises(ValidationError, match="looks like a student ID"):
        Note(text="Follow up with 20231187")
    with pytest.raises(ValidationError, match="looks like a student ID"):
        AggregateResult(metric="Quiz", n=1, counts={"id 4451290": 1})


def test_notes_are_bounded():
    with pytest.raises(ValidationError, match="at most 2000 characters"):
        Note(text="x" * 2001)


def test_links_are_web_addresses():
    with pytest.raises(ValidationError):
        DocumentLink(title="Findings", url="file:///etc/passwd")
