"""The team workflow on the time-skipping server: months pass in seconds.

Each test ends by checking that the fold of the team's PostgreSQL stream
equals the state the workflow reports.
"""

from datetime import time, timedelta

import pytest

from temporalio.api.enums.v1 import EventType

from app.teams import CommandRefused
from domain.team import commands as cmd
from domain.team.events import EscalationRaised
from domain.ladder import Rung
from domain.steps import STEPS, Step
from tests.support.builders import EVIDENCE

pytestmark = pytest.mark.asyncio
WORKFLOW_TASK_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}


async def run_cycle(h, team_id, *, recommendation: bool = False):
    for step in STEPS:
        if step is Step.REFLECT_AND_DECIDE:
            kind = "recommendation" if recommendation else "lateral"
            await h.send(team_id, cmd.RecordDecision(actor="d.slavit", kind=kind, summary="Keep the routine"))
        await h.advance(team_id, step)


async def test_a_full_cycle_closes_and_the_next_opens_in_a_fresh_run(harness):
    layout = await harness.layout()
    team = await harness.start(layout)
    first_run = await harness.run_id(team)
    await run_cycle(harness, team)
    await harness.next_run(team, first_run)  # continued as new (queried only after: see harness.continued)
    status = await harness.assert_log_matches(team)
    assert (status.state.cycle, status.state.cycles_closed, status.state.step) == (2, 1, Step.IDENTIFY_FOCUS)
    assert status.run_started_cycles_closed == 1


async def test_a_refused_update_writes_no_history_and_no_event(harness):
    layout = await harness.layout()
    team = await harness.start(layout)
    await harness.assert_log_matches(team)
    before_history = await harness.history_length(team)
    before_version = (await harness.status(team)).state.version
    with pytest.raises(CommandRefused, match="Only members of Grade 7 Math can advance its cycle; p.rivera is not one."):
        await harness.send(team, cmd.AdvanceStep(actor="p.rivera", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]))
    with pytest.raises(CommandRefused, match="needs a focus statement"):
        await harness.send(team, cmd.AdvanceStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS))
    # The time-skipping server has no speculative workflow tasks, so it may
    # record task bookkeeping; nothing else may appear (the exact "unchanged
    # length" is checked on the dev server in test_dev_server.py).
    added = (await harness.history_events(team))[before_history:]
    assert {e.event_type for e in added} <= WORKFLOW_TASK_EVENTS
    status = await harness.assert_log_matches(team)
    assert status.state.version == before_version


async def test_the_ladder_climbs_on_school_days_and_sleeps_through_winter_break(harness):
    layout = await harness.layout()
    cal = layout.calendar
    today = cal.local_date(await harness.now())
    break_start, break_end = layout.winter_break
    last_day_before_break = max(d for d in (cal.add_school_days(today, n) for n in range(1, 40)) if d and d < break_start)
    due_days = cal.school_days_between(today, last_day_before_break) - 1  # due the school day before the last
    team = await harness.start(layout, due_school_days={"identify_focus": due_days})
    due = (await harness.status(team)).state.due_on
    assert cal.add_school_days(due, 1) == last_day_before_break

    await harness.sleep_until(layout, break_start + timedelta(days=5))
    esc = (await harness.status(team)).state.escalation
    assert esc.level is Rung.TEAM and esc.raised_on == last_day_before_break  # nothing climbed during the break

    facilitator_day = cal.add_school_days(due, 3)
    assert facilitator_day > break_end
    await harness.sleep_until(layout, facilitator_day, time(6, 59))
    assert (await harness.status(team)).state.escalation.level is Rung.TEAM
    await harness.sleep_until(layout, facilitator_day, time(7, 1))
    assert (await harness.status(team)).state.escalation.level is Rung.FACILITATOR

    await harness.sleep_until(layout, cal.add_school_days(due, 10), time(8))
    status = await harness.assert_log_matches(team)
    assert status.state.escalation.level is Rung.COALITION
    raised = [e for e in await harness.stored_events(team) if isinstance(e, EscalationRaised)]
    assert [e.level for e in raised] == [Rung.TEAM, Rung.FACILITATOR, Rung.PRINCIPAL, Rung.COALITION]
    for e in raised:  # each fired on a school day, at notify time, never during the break
        assert cal.is_school_day(e.on) and cal.local_date(e.at) == e.on
        assert not (break_start <= e.on <= break_end)


async def test_summer_never_escalates(harness):
    layout = await harness.layout()
    cal = layout.calendar
    today = cal.local_date(await harness.now())
    last_day = max(d for d in (cal.add_school_days(today, n) for n in range(1, 200)) if d and d <= layout.first_year_end)
    due_days = cal.school_days_between(today, last_day) - 1
    team = await harness.start(layout, due_school_days={"identify_focus": due_days})
    await harness.sleep_until(layout, layout.first_year_end + timedelta(days=30))
    esc = (await harness.status(team)).state.escalation
    assert esc.level is Rung.TEAM and esc.raised_on == last_day
    first_day_back = cal.next_school_day_on_or_after(layout.second_year_start)
    await harness.sleep_until(layout, cal.add_school_days(first_day_back, 2), time(12))
    status = await harness.assert_log_matches(team)
    assert status.state.escalation.level is Rung.FACILITATOR
    assert status.state.escalation.raised_on >= first_day_back


async def test_a_paused_team_does_not_escalate_and_resuming_moves_the_due_date(harness):
    layout = await harness.layout()
    cal = layout.calendar
    team = await harness.start(layout)
    due = (await harness.status(team)).state.due_on
    await harness.send(team, cmd.PauseTeam(actor="a.kennedy", reason="State testing window"))
    await harness.sleep_until(layout, cal.add_school_days(due, 12))
    assert (await harness.status(team)).state.escalation is None
    await harness.send(team, cmd.ResumeTeam(actor="p.rivera", reason="Testing is over"))
    status = await harness.assert_log_matches(team)
    assert status.state.due_on > cal.add_school_days(due, 10) and status.state.paused is None


async def test_acknowledging_holds_the_climb_and_snoozing_holds_it_to_a_date(harness):
    layout = await harness.layout()
    cal = layout.calendar
    team = await harness.start(layout)
    due = (await harness.status(team)).state.due_on
    await harness.sleep_until(layout, cal.add_school_days(due, 1), time(8))
    esc = (await harness.status(team)).state.escalation
    assert esc.level is Rung.TEAM
    await harness.send(team, cmd.AcknowledgeEscalation(actor="t.nelson", escalation_id=esc.id, reason="Meeting Thursday"))
    held_until = (await harness.status(team)).state.escalation.held_until
    facilitator_day = cal.add_school_days(due, 3)
    assert facilitator_day < held_until
    await harness.sleep_until(layout, facilitator_day, time(12))
    assert (await harness.status(team)).state.escalation.level is Rung.TEAM  # held
    await harness.sleep_until(layout, held_until, time(12))
    esc = (await harness.status(team)).state.escalation
    assert esc.level is Rung.FACILITATOR
    today = cal.local_date(await harness.now())
    until = cal.add_school_days(today, 8)
    await harness.send(team, cmd.SnoozeEscalation(actor="a.kennedy", escalation_id=esc.id, until=until, reason="Data after the unit test"))
    await harness.sleep_until(layout, cal.add_school_days(today, 7), time(12))
    assert (await harness.status(team)).state.escalation.level is Rung.FACILITATOR
    await harness.sleep_until(layout, until, time(12))
    status = await harness.assert_log_matches(team)
    assert status.state.escalation.level is Rung.PRINCIPAL


async def test_revisiting_an_earlier_step_reopens_it_and_resolves_its_escalation(harness):
    layout = await harness.layout()
    cal = layout.calendar
    team = await harness.start(layout)
    for step in STEPS[:3]:
        await harness.advance(team, step)
    due = (await harness.status(team)).state.due_on
    await harness.sleep_until(layout, cal.add_school_days(due, 1), time(12))
    assert (await harness.status(team)).state.escalation is not None
    await harness.send(team, cmd.RevisitStep(actor="d.slavit", step=Step.POSE_QUESTION, reason="The question was too broad"))
    status = await harness.assert_log_matches(team)
    assert status.state.step is Step.POSE_QUESTION and status.state.escalation is None


async def test_a_recommendation_waits_for_the_principal_before_the_cycle_closes(harness):
    layout = await harness.layout()
    team = await harness.start(layout)
    for step in STEPS[:-1]:
        if step is Step.REFLECT_AND_DECIDE:
            await harness.send(team, cmd.RecordDecision(actor="d.slavit", kind="recommendation", summary="Restructure classes"))
        await harness.advance(team, step)
    with pytest.raises(CommandRefused, match="awaits the principal"):
        await harness.advance(team, Step.SHARE_FINDINGS)
    with pytest.raises(CommandRefused, match="Only p.rivera"):
        await harness.send(team, cmd.ApproveRecommendation(actor="a.kennedy", recommendation_id="c1-1", reason="Yes"))
    await harness.send(team, cmd.ApproveRecommendation(actor="p.rivera", recommendation_id="c1-1", reason="Staffing allows it"))
    await harness.advance(team, Step.SHARE_FINDINGS)
    status = await harness.assert_log_matches(team)
    assert status.state.cycle == 2


async def test_continue_as_new_keeps_state_open_escalations_and_pending_recommendations(harness):
    layout = await harness.layout()
    cal = layout.calendar
    team = await harness.start(layout, history_limit=40)
    await harness.send(team, cmd.RecordDecision(actor="d.slavit", kind="recommendation", summary="Restructure classes"))
    due = (await harness.status(team)).state.due_on
    await harness.sleep_until(layout, cal.add_school_days(due, 1), time(12))
    esc = (await harness.status(team)).state.escalation
    await harness.send(team, cmd.AcknowledgeEscalation(actor="t.nelson", escalation_id=esc.id, reason="On it"))
    first_run = await harness.run_id(team)
    for i in range(6):  # enough lateral decisions to pass the history limit
        await harness.send(team, cmd.RecordDecision(actor="t.nelson", kind="lateral", summary=f"Norm tweak {i}"))
    await harness.next_run(team, first_run)
    state = (await harness.status(team)).state
    assert state.escalation.id == esc.id and state.escalation.hold == "acknowledged"
    assert [d.id for d in state.pending_recommendations] == ["c1-1"]
    await harness.sleep_until(layout, cal.add_school_days(state.escalation.held_until, 0), time(12))
    status = await harness.assert_log_matches(team)
    assert status.state.escalation.level is Rung.FACILITATOR  # the climb resumed in the new run


async def test_a_retried_update_is_applied_once_even_across_continue_as_new(harness):
    layout = await harness.layout()
    team = await harness.start(layout)
    await harness.advance(team, Step.IDENTIFY_FOCUS)
    decide = cmd.RecordDecision(actor="t.nelson", kind="lateral", summary="Meet on Tuesdays")
    first = await harness.send(team, decide, update_id="client-retry-1")
    first_run = await harness.run_id(team)
    for step in STEPS[1:]:
        await harness.advance(team, step)  # closes the cycle: a new run
    await harness.next_run(team, first_run)
    again = await harness.send(team, decide, update_id="client-retry-1")
    assert again.duplicate and again.version == first.version
    await harness.assert_log_matches(team)
