"""Free text is stripped and never blank, in every command family (issue 8, defect 9).

A reason made only of spaces used to be accepted and stored. Each case builds a
valid command, then blanks one free-text field: pydantic refuses it with the
same words, so nothing reaches a decider, a workflow or the log.
"""

from datetime import date

import pytest
from pydantic import ValidationError

from domain.team import commands as team
from domain.rollout import commands as rollout
from domain.school import commands as school
from domain.text import BLANK
from domain.validation import describe_errors
from tests.support.builders import calendar, profile

DAY = date(2026, 9, 14)
BLANKS = ["", "   ", "\t\n "]

TEAM = [
    (team.RevisitStep, {"actor": "t.nelson", "step": "pose_question", "reason": "Measure was vague"}, "reason"),
    (team.RecordDecision, {"actor": "t.nelson", "kind": "lateral", "summary": "Regroup for fractions"}, "summary"),
    (team.ApproveRecommendation, {"actor": "p.rivera", "recommendation_id": "c1-1", "reason": "Staffing allows"}, "reason"),
    (team.RejectRecommendation, {"actor": "p.rivera", "recommendation_id": "c1-1", "reason": "No room"}, "reason"),
    (team.PauseTeam, {"actor": "a.kennedy", "reason": "Testing window"}, "reason"),
    (team.ResumeTeam, {"actor": "a.kennedy", "reason": "Testing done"}, "reason"),
    (team.AcknowledgeEscalation, {"actor": "a.kennedy", "escalation_id": "g7-math.1", "reason": "Seen it"}, "reason"),
    (team.SnoozeEscalation, {"actor": "a.kennedy", "escalation_id": "g7-math.1", "until": DAY, "reason": "Data Friday"}, "reason"),
    (team.AdvanceStep, {"actor": "t.nelson", "step": "identify_focus", "evidence": {"focus": "Fractions"}}, "evidence.focus"),
    (team.AdvanceStep, {"actor": "t.nelson", "step": "identify_focus", "evidence": {"notes": [{"text": "x"}]}}, "evidence.notes[0].text"),
    (team.AdvanceStep, {"actor": "t.nelson", "step": "identify_focus",
                        "evidence": {"links": [{"title": "Findings", "url": "https://drive.example/f"}]}}, "evidence.links[0].title"),
    (team.RegisterTeam, {"actor": "district.admin", "team": profile().model_dump(), "calendar": calendar().model_dump()}, "team.name"),
]
ROLLOUT = [
    (rollout.RecordInquiryActivity, {"actor": "sv.admin", "kind": "book_study", "title": "Learning by Doing", "held_on": DAY}, "title"),
    (rollout.SetNonNegotiables, {"actor": "sv.admin", "items": ["Every teacher is on a team"]}, "items[0]"),
    (rollout.AddLearningSession, {"actor": "sv.admin", "term": "2026-27 term 1", "topic": "Realistic goals", "held_on": DAY}, "topic"),
    (rollout.AddLearningSession, {"actor": "sv.admin", "term": "2026-27 term 1", "topic": "Realistic goals", "held_on": DAY}, "term"),
    (rollout.RecordDistrictNorms, {"actor": "sv.admin", "norms": ["Start on time"], "violation_process": "Talk first"}, "violation_process"),
    (rollout.RecordDistrictNorms, {"actor": "sv.admin", "norms": ["Start on time"], "violation_process": "Talk first"}, "norms[0]"),
    (rollout.ReviewSchool, {"actor": "sv.admin", "school_id": "svm", "celebration": "Math gains"}, "celebration"),
    (rollout.AcknowledgeRolloutEscalation, {"actor": "sv.admin", "escalation_id": "sv.1", "reason": "Seen it"}, "reason"),
    (rollout.SnoozeRolloutEscalation, {"actor": "sv.admin", "escalation_id": "sv.1", "until": DAY, "reason": "After break"}, "reason"),
]
SCHOOL = [
    (school.RecordNorms, {"actor": "p.rivera", "team_id": "g7-math", "procedural": ["Be on time"],
                          "conversational": ["Press each other's thinking"]}, "procedural[0]"),
    (school.RecordNorms, {"actor": "p.rivera", "team_id": "g7-math", "procedural": ["Be on time"],
                          "conversational": ["Press each other's thinking"]}, "conversational[0]"),
    (school.ReviewNorms, {"actor": "p.rivera", "team_id": "g7-math", "note": "Still fit"}, "note"),
    (school.AcknowledgeSchoolEscalation, {"actor": "p.rivera", "escalation_id": "svm.1", "reason": "Seen it"}, "reason"),
    (school.SnoozeSchoolEscalation, {"actor": "p.rivera", "escalation_id": "svm.1", "until": DAY, "reason": "Next week"}, "reason"),
]


def _blanked(data: dict, path: str, value: str) -> dict:
    """A deep copy of data with the field at a 'a.b[0].c' path set to value."""
    import copy
    import re

    data = copy.deepcopy(data)
    keys = [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]
    target = data
    for k in keys[:-1]:
        target = target[k]
    target[keys[-1]] = value
    return data


def _check(model, data, path, blank):
    model.model_validate(data)  # the command itself is valid
    with pytest.raises(ValidationError) as err:
        model.model_validate(_blanked(data, path, blank))
    # a one-item list also reports that it is left empty; the blank item is named first
    assert describe_errors(err.value)[0] == f"{path}: {BLANK}"


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("model,data,path", TEAM, ids=[f"{m.__name__}.{p}" for m, _, p in TEAM])
def test_team_commands_refuse_blank_text(model, data, path, blank):
    _check(model, data, path, blank)


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("model,data,path", ROLLOUT, ids=[f"{m.__name__}.{p}" for m, _, p in ROLLOUT])
def test_rollout_commands_refuse_blank_text(model, data, path, blank):
    _check(model, data, path, blank)


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("model,data,path", SCHOOL, ids=[f"{m.__name__}.{p}" for m, _, p in SCHOOL])
def test_school_commands_refuse_blank_text(model, data, path, blank):
    _check(model, data, path, blank)


def test_glossary_terms_and_definitions_refuse_blank_text():
    rollout.AdoptGlossary(actor="sv.admin", terms={"PLC": "professional learning community"})
    for terms in ({"   ": "professional learning community"}, {"PLC": "  "}):
        with pytest.raises(ValidationError, match=BLANK):
            rollout.AdoptGlossary(actor="sv.admin", terms=terms)


def test_surrounding_spaces_are_dropped_before_the_text_is_stored():
    cmd = team.PauseTeam(actor="a.kennedy", reason="  Testing window \n")
    assert cmd.reason == "Testing window"


def test_a_reason_is_still_at_least_three_characters_once_stripped():
    with pytest.raises(ValidationError) as err:
        team.PauseTeam(actor="a.kennedy", reason="  ok  ")
    assert describe_errors(err.value) == ["reason: String should have at least 3 characters (got '  ok  ')"]
