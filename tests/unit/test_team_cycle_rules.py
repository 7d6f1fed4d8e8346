"""The inquiry cycle's rules, one test per rule (seed 002, DESIGN 'Team inquiry cycle')."""

from datetime import date

import pytest

from domain.team import commands as cmd
from domain.team import events as ev
from domain.errors import InvalidTransition, MissingEvidence, NotAllowed
from domain.evidence import StepEvidence
from domain.steps import STEPS, Step
from tests.support.builders import EVIDENCE, local, register
from tests.support.gwt import Scenario, given

MON = date(2026, 9, 14)  # a Monday in the 2026-27 school year


def started(at=None) -> Scenario:
    at = at or local(MON)
    return given((register(), at), (cmd.StartCycle(actor="a.kennedy"), at))


def advance_through(s: Scenario, until: Step, at) -> None:
    for step in STEPS[: until.index]:
        if step is Step.REFLECT_AND_DECIDE:
            s.run(cmd.RecordDecision(actor="t.nelson", kind="lateral", summary="Keep the routine"), at)
        s.run(cmd.AdvanceStep(actor="t.nelson", step=step, evidence=EVIDENCE[step]), at)


def test_starting_a_cycle_opens_identify_focus_due_five_school_days_later():
    s = started()
    assert s.state.cycle == 1 and s.state.step is Step.IDENTIFY_FOCUS
    assert s.state.due_on == date(2026, 9, 21)  # Mon + 5 school days skips the weekend


def test_a_team_is_registered_only_once():
    s = started()
    with pytest.raises(InvalidTransition, match="already registered"):
        s.run(register(), local(MON))


def test_commands_before_registration_are_refused():
    with pytest.raises(InvalidTransition, match="not been registered"):
        Scenario().run(cmd.StartCycle(actor="a.kennedy"), local(MON))


def test_a_second_cycle_cannot_start_while_one_is_open():
    with pytest.raises(InvalidTransition, match="still open"):
        started().run(cmd.StartCycle(actor="a.kennedy"), local(MON))


def test_only_team_members_advance_the_cycle():
    with pytest.raises(NotAllowed, match="Only members of Grade 7 Math can advance its cycle; p.rivera is not one."):
        started().run(cmd.AdvanceStep(actor="p.rivera", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]), local(MON))


def test_advancing_names_the_open_step():
    with pytest.raises(InvalidTransition, match="is at identify focus, not pose question"):
        started().run(cmd.AdvanceStep(actor="t.nelson", step=Step.POSE_QUESTION, evidence=EVIDENCE[Step.POSE_QUESTION]), local(MON))


@pytest.mark.parametrize(
    "step,missing",
    [
        (Step.IDENTIFY_FOCUS, "a focus statement and a data summary"),
        (Step.POSE_QUESTION, "the question's text"),
        (Step.PLAN_ACTION, "how the plan will be measured and a note or a document link"),
        (Step.IMPLEMENT, "a note or a document link"),
        (Step.COLLECT_EVIDENCE, "at least one aggregate result"),
        (Step.ANALYZE, "a note with the team's analysis"),
        (Step.REFLECT_AND_DECIDE, "a recorded decision"),
        (Step.SHARE_FINDINGS, "a note or a document link"),
    ],
)
def test_each_step_names_the_evidence_it_needs(step, missing):
    s = started()
    s.state = s.state.model_copy(update={"step": step})
    with pytest.raises(MissingEvidence, match=missing):
        s.run(cmd.AdvanceStep(actor="t.nelson", step=step, evidence=StepEvidence()), local(MON))


def test_advancing_completes_the_step_and_opens_the_next_with_a_due_date():
    s = started()
    events = s.run(cmd.AdvanceStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]), local(MON))
    assert [type(e) for e in events] == [ev.StepCompleted, ev.StepOpened]
    # stored as the log holds it (RecordedEvidence), with the same content as handed in
    assert s.state.step is Step.POSE_QUESTION and s.state.evidence[Step.IDENTIFY_FOCUS].model_dump() == EVIDENCE[Step.IDENTIFY_FOCUS].model_dump()


def test_closing_share_findings_closes_the_cycle_and_opens_the_next():
    s = started()
    advance_through(s, Step.SHARE_FINDINGS, local(MON))
    events = s.run(cmd.AdvanceStep(actor="a.deuel", step=Step.SHARE_FINDINGS, evidence=EVIDENCE[Step.SHARE_FINDINGS]), local(MON))
    assert [e.type for e in events] == ["StepCompleted", "CycleClosed", "CycleStarted", "StepOpened"]
    assert (s.state.cycle, s.state.cycles_closed, s.state.step) == (2, 1, Step.IDENTIFY_FOCUS)
    assert s.state.decisions == () and s.state.evidence == {}


def test_a_cycle_cannot_close_while_a_recommendation_is_pending():
    s = started()
    advance_through(s, Step.SHARE_FINDINGS, local(MON))
    s.run(cmd.RecordDecision(actor="t.nelson", kind="recommendation", summary="Restructure classes"), local(MON))
    with pytest.raises(InvalidTransition, match="cannot close while recommendation c1-2 awaits the principal"):
        s.run(cmd.AdvanceStep(actor="t.nelson", step=Step.SHARE_FINDINGS, evidence=EVIDENCE[Step.SHARE_FINDINGS]), local(MON))


def test_a_recommendation_counts_as_the_decision_reflect_and_decide_needs():
    s = started()
    advance_through(s, Step.REFLECT_AND_DECIDE, local(MON))
    s.run(cmd.RecordDecision(actor="t.nelson", kind="recommendation", summary="Restructure classes"), local(MON))
    s.run(cmd.AdvanceStep(actor="t.nelson", step=Step.REFLECT_AND_DECIDE, evidence=StepEvidence()), local(MON))
    assert s.state.step is Step.SHARE_FINDINGS


def test_only_the_approving_principal_rules_on_a_recommendation():
    s = started()
    s.run(cmd.RecordDecision(actor="t.nelson", kind="recommendation", summary="Restructure classes"), local(MON))
    with pytest.raises(NotAllowed, match="Only p.rivera, the approving principal"):
        s.run(cmd.ApproveRecommendation(actor="a.kennedy", recommendation_id="c1-1", reason="Looks good"), local(MON))
    s.run(cmd.ApproveRecommendation(actor="p.rivera", recommendation_id="c1-1", reason="Schedule allows it"), local(MON))
    assert s.state.decision("c1-1").status == "approved"


def test_a_recommendation_is_ruled_on_once():
    s = started()
    s.run(cmd.RecordDecision(actor="t.nelson", kind="recommendation", summary="Restructure classes"), local(MON))
    s.run(cmd.RejectRecommendation(actor="p.rivera", recommendation_id="c1-1", reason="No staff for it this year"), local(MON))
    with pytest.raises(InvalidTransition, match="already rejected"):
        s.run(cmd.ApproveRecommendation(actor="p.rivera", recommendation_id="c1-1", reason="Changed my mind"), local(MON))


def test_a_lateral_decision_needs_no_approval():
    s = started()
    events = s.run(cmd.RecordDecision(actor="t.nelson", kind="lateral", summary="Swap warm-ups"), local(MON))
    assert isinstance(events[0], ev.DecisionRecorded) and s.state.pending_recommendations == ()
    with pytest.raises(InvalidTransition, match="no recommendation c1-1"):
        s.run(cmd.ApproveRecommendation(actor="p.rivera", recommendation_id="c1-1", reason="ok then"), local(MON))


def test_only_an_earlier_step_can_be_revisited():
    s = started()
    with pytest.raises(InvalidTransition, match="Only an earlier step"):
        s.run(cmd.RevisitStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS, reason="Data was thin"), local(MON))
    advance_through(s, Step.ANALYZE, local(MON))
    s.run(cmd.RevisitStep(actor="t.nelson", step=Step.POSE_QUESTION, reason="Question too broad"), local(MON))
    assert s.state.step is Step.POSE_QUESTION


def test_a_revisit_needs_a_reason():
    with pytest.raises(ValueError):
        cmd.RevisitStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS, reason="")


def test_only_the_facilitator_or_principal_pause_a_team():
    s = started()
    with pytest.raises(NotAllowed, match="facilitator or the principal"):
        s.run(cmd.PauseTeam(actor="t.nelson", reason="State testing window"), local(MON))
    s.run(cmd.PauseTeam(actor="a.kennedy", reason="State testing window"), local(MON))
    with pytest.raises(InvalidTransition, match="is paused \\(State testing window\\); resume it first"):
        s.run(cmd.AdvanceStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]), local(MON))


def test_resuming_moves_the_due_date_by_the_school_days_paused():
    s = started()
    s.run(cmd.PauseTeam(actor="p.rivera", reason="State testing window"), local(MON))
    s.run(cmd.ResumeTeam(actor="p.rivera", reason="Testing done"), local(date(2026, 9, 21)))
    assert s.state.due_on == date(2026, 9, 28) and s.state.paused is None


def test_resume_needs_a_paused_team():
    with pytest.raises(InvalidTransition, match="not paused"):
        started().run(cmd.ResumeTeam(actor="p.rivera", reason="Testing done"), local(MON))


def test_an_unknown_actor_id_shape_is_refused_at_the_edge():
    with pytest.raises(ValueError):
        cmd.AdvanceStep(actor="Not A Valid Id", step=Step.IDENTIFY_FOCUS)
