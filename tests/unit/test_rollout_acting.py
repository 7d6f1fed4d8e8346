"""The rollout's "who may send it" table (domain.rollout.acting) held to the decider, and its gate as a checklist
(domain.rollout.gates.gate_checklist): what the district admin's journey page offers and shows (issue 11)."""

from datetime import timedelta

import pytest

from domain.errors import NotAllowed
from domain.rollout import commands as c
from domain.rollout.acting import may_send
from domain.rollout.decider import decide
from domain.rollout.gates import gate_checklist, phase_gaps
from domain.rollout.phases import Phase
from tests.unit.test_rollout_rules import MON, Rollout, at, through_coalition

SAMPLES = {
    c.SeatCoalition: {"members": ["sv.admin"]},
    c.RecordInquiryActivity: {"kind": "book_study", "title": "Learning by Doing", "held_on": MON},
    c.AdoptGlossary: {"terms": {"PLC": "professional learning community"}},
    c.SetNonNegotiables: {"items": ["Every teacher belongs to a team"]},
    c.AlignMissionAndVision: {"school_id": "silver-valley-ms"},
    c.AddLearningSession: {"term": "2026-27 term 1", "topic": "Goals", "held_on": MON},
    c.RecordDistrictNorms: {"norms": ["Start on time"], "violation_process": "Name it"},
    c.ScheduleWave: {"kind": "pilot", "launch_on": MON + timedelta(days=7), "school_ids": ["silver-valley-ms"]},
    c.CompletePhase: {"phase": Phase.BUILD_SHARED_KNOWLEDGE},
    c.ReviewSchool: {"school_id": "silver-valley-ms", "celebration": "A year"},
}
# A district admin; a coalition member who is no admin; a principal on the coalition; staff on neither.
ACTORS = ("sv.admin", "svm.math-lead", "svm.principal", "svm.teacher1")


@pytest.mark.parametrize("command", list(SAMPLES), ids=lambda t: t.__name__)
@pytest.mark.parametrize("actor", ACTORS)
def test_the_table_says_what_the_decider_allows(command, actor):
    r = Rollout()
    through_coalition(r)
    try:
        decide(r.state, command.model_validate({**SAMPLES[command], "actor": actor}), at(MON))
        refused_as_not_allowed = False
    except NotAllowed:
        refused_as_not_allowed = True
    except Exception:  # refused for another rule (a phase not reached): the actor was allowed to try
        refused_as_not_allowed = False
    assert may_send(r.state, actor, command) is not refused_as_not_allowed


def test_the_checklist_shows_what_is_done_and_its_gaps_are_what_the_gate_refuses_with():
    r = Rollout()
    assert [(i.what, i.done) for i in gate_checklist(Phase.FORM_COALITION, r.state)] == [("a seated guiding coalition", False)]
    r.run(c.SeatCoalition(actor=r.admin, members=("sv.admin", "svm.principal")), MON)
    items = gate_checklist(Phase.FORM_COALITION, r.state)
    assert items[0].done and items[0].closed_by is c.SeatCoalition
    assert ("a principal from a middle school in the valley area", True) in [(i.what, i.done) for i in items]
    assert ("union leadership", False) in [(i.what, i.done) for i in items]
    assert phase_gaps(Phase.FORM_COALITION, r.state) == [i.what for i in items if not i.done]
    with pytest.raises(Exception, match="still missing: " + "; ".join(phase_gaps(Phase.FORM_COALITION, r.state))):
        r.run(c.CompletePhase(actor=r.admin, phase=Phase.FORM_COALITION), MON)


def test_a_phase_s_checklist_is_done_when_its_gate_passes():
    r = Rollout()
    through_coalition(r)
    assert all(i.done for i in gate_checklist(Phase.FORM_COALITION, r.state))
    assert r.state.phase is Phase.BUILD_SHARED_KNOWLEDGE
    school_items = [i for i in gate_checklist(Phase.BUILD_SHARED_KNOWLEDGE, r.state) if i.closed_by is c.AlignMissionAndVision]
    assert [i.what for i in school_items] == [f"{s.school_id}'s mission and vision aligned" for s in r.state.district.schools]
