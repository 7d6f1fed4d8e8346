"""People change under running workflows (issue 9): the school validates, its teams learn by signal.

A facilitator is replaced while an escalation reached her: it reaches the new
one; the principal changes while a recommendation is pending: the old one is
refused, the new one approves; every stream folds to the state its workflow
reports. Someone who leaves the district leaves every role, down to the teams.
"""

from datetime import time
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import TypeAdapter

from app.districts import DistrictClient
from app.files import load_district_file
from app.teams import CommandRefused
from domain.ladder import Rung
from domain.rollout import commands as c
from domain.rollout.events import RolloutEventT
from domain.rollout.state import fold as fold_rollout
from domain.school import commands as m
from domain.school.events import SchoolEventT
from domain.school.state import fold as fold_school
from domain.team import commands as cmd
from tests.support.calendars import years_around
from tests.support.districts import suffixed
from tests.support.harness import eventually, settled
from tests.workflows.test_launch_workflow import at_launch_waves
from workflows.contracts import DISTRICT_WORKFLOW, SCHOOL_WORKFLOW, district_workflow_id, school_workflow_id
from workflows.district_rollout import DistrictWorkflowInput
from workflows.school_adoption import SchoolWorkflowInput

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"


async def open_school(h):
    """Silver Valley Middle School, ids unique to this test, its teams launched as children."""
    cal = years_around((await h.now()).date()).calendar
    start = suffixed(load_district_file(EXAMPLES / "silver-valley.yaml"), uuid4().hex[:8], calendar=cal)
    school = next(s for s in start.district.schools if s.school_id.startswith("silver-valley-ms"))
    opening = m.OpenSchool(actor="sv.admin", district_id=start.district.district_id, school=school, calendar=cal,
                           rubric=start.rubric, coalition=("sv.admin",))
    await h.env.client.start_workflow(SCHOOL_WORKFLOW, SchoolWorkflowInput(opening=opening),
                                      id=school_workflow_id(school.school_id), task_queue=h.teams._task_queue)
    schools = DistrictClient(h.env.client, h.teams._task_queue)
    status = await eventually(lambda: _all_started(schools, school), "the school started its teams")
    h.started += list(status.started_teams)
    return schools, school, cal


async def _all_started(schools, school):
    status = await schools.school_status(school.school_id)
    return status if len(status.started_teams) == len(school.teams) else None


async def school_log_matches(h, schools, school_id: str) -> None:
    status = await settled(lambda: schools.school_status(school_id))
    rows = await h.store.read_stream(school_workflow_id(school_id))
    assert fold_school(TypeAdapter(SchoolEventT).validate_python(r.data) for r in rows) == status.state


async def test_a_replaced_facilitator_hands_an_open_escalation_to_the_new_one(harness):
    h = harness
    schools, school, cal = await open_school(h)
    math = next(t for t in school.teams if t.team_id.startswith("svm-math"))
    state = (await h.status(math.team_id)).state
    facilitator_day = cal.add_school_days(state.due_on, 3)  # the team's ladder: +3 school days reaches the facilitator
    await h.env.sleep(cal.at_local(facilitator_day, time(12)) - await h.now())
    esc = (await h.status(math.team_id)).state.escalation
    assert esc.level is Rung.FACILITATOR and math.facilitator in esc.reached

    # She steps down: the school names a new teacher leader to facilitate, the principal takes her off the team.
    await schools.send_school(school.school_id, m.AddTeacherLeader(actor=school.principal, leader="svm.new-lead"))
    await schools.send_school(school.school_id, m.ChangeTeamFacilitator(
        actor=school.principal, team_id=math.team_id, facilitator="svm.new-lead"))

    async def reassigned():
        s = (await h.status(math.team_id)).state
        return s if s.team.facilitator == "svm.new-lead" and s.escalation and "svm.new-lead" in s.escalation.reached else None

    await eventually(reassigned, "the open escalation reached the new facilitator")
    [removed, moved] = (await h.send(math.team_id, cmd.RemoveMember(actor=school.principal, member=math.facilitator))).events
    assert moved.type == "EscalationReassigned" and moved.no_longer == (math.facilitator,)
    hold = cmd.AcknowledgeEscalation(actor=math.facilitator, escalation_id=esc.id, reason="Seen it")
    with pytest.raises(CommandRefused, match=f"did not reach {math.facilitator}"):
        await h.send(math.team_id, hold)
    await h.send(math.team_id, hold.model_copy(update={"actor": "svm.new-lead"}))
    await h.assert_log_matches(math.team_id)
    await school_log_matches(h, schools, school.school_id)
    await schools.school(school.school_id).terminate("test finished")


async def test_a_pending_recommendation_waits_for_the_new_principal(harness):
    h = harness
    schools, school, _ = await open_school(h)
    math = next(t for t in school.teams if t.team_id.startswith("svm-math"))
    [proposed] = (await h.send(math.team_id, cmd.RecordDecision(
        actor=math.members[0], kind="recommendation", summary="Adopt a common warm-up routine"))).events

    await schools.send_school(school.school_id, m.ChangePrincipal(actor="sv.admin", principal="h.chen"))

    async def new_principal_everywhere():
        states = [(await h.status(t)).state for t in h.started]
        return all(s.team.principal == "h.chen" for s in states)

    await eventually(new_principal_everywhere, "every started team learned its new principal")
    approve = cmd.ApproveRecommendation(actor=school.principal, recommendation_id=proposed.recommendation_id, reason="Go ahead")
    with pytest.raises(CommandRefused, match="Only h.chen, the approving principal"):
        await h.send(math.team_id, approve)
    [approved] = (await h.send(math.team_id, approve.model_copy(update={"actor": "h.chen"}))).events
    assert approved.by == "h.chen"
    for team_id in h.started:
        await h.assert_log_matches(team_id)
    await school_log_matches(h, schools, school.school_id)
    await schools.school(school.school_id).terminate("test finished")


async def test_someone_who_leaves_the_district_leaves_every_role_down_to_the_teams(harness):
    h = harness
    cal = years_around((await h.now()).date()).calendar
    start = suffixed(load_district_file(EXAMPLES / "silver-valley.yaml"), uuid4().hex[:8], calendar=cal)
    d = start.district
    school = next(s for s in d.schools if s.school_id.startswith("silver-valley-ms"))
    math = next(t for t in school.teams if t.team_id.startswith("svm-math"))
    state = await at_launch_waves(h, start)
    await h.env.client.start_workflow(DISTRICT_WORKFLOW, DistrictWorkflowInput(state=state), id=district_workflow_id(d.district_id),
                                      task_queue=h.teams._task_queue)
    districts = DistrictClient(h.env.client, h.teams._task_queue)
    # One teacher leaves before the school is launched: the team starts from the district file, then learns it.
    await districts.send(d.district_id, c.PersonLeaves(actor=start.actor, person_id="svm.teacher3", reason="Retired"))
    launch_on = cal.add_school_days(cal.local_date(await h.now()), 1)
    await districts.send(d.district_id, c.ScheduleWave(actor=start.actor, kind="pilot", launch_on=launch_on,
                                                       school_ids=(school.school_id,), pilot_team_ids=(math.team_id,)))
    h.started.append(math.team_id)
    await h.env.sleep(cal.at_local(launch_on, time(12)) - await h.now())
    await eventually(lambda: _step_open(h, math.team_id), f"{math.team_id} started")

    # The school replaces its principal; the district's copy follows, so the old principal may now leave.
    await districts.send_school(school.school_id, m.ChangePrincipal(actor=start.actor, principal="h.chen"))

    async def district_knows_the_new_principal():
        return (await districts.status(d.district_id)).state.district.school(school.school_id).principal == "h.chen"

    await eventually(district_knows_the_new_principal, "the district learned the school's new principal")
    await districts.send(d.district_id, c.PersonLeaves(actor=start.actor, person_id="svm.principal", reason="Retired"))
    await districts.send(d.district_id, c.PersonLeaves(actor=start.actor, person_id="svm.math-lead", reason="Moved away"))

    async def gone_from_the_team():
        team_state = (await h.status(math.team_id)).state
        return team_state if team_state.roster_gaps == ("facilitator",) else None

    team_state = await eventually(gone_from_the_team, "the team lost its facilitator and flagged it")
    assert team_state.team.facilitator is None and team_state.team.members == ("svm.teacher1", "svm.teacher2")
    assert "svm.math-lead" not in (await districts.school_status(school.school_id)).state.school.teacher_leaders
    assert (await districts.status(d.district_id)).state.departed == ("svm.teacher3", "svm.principal", "svm.math-lead")
    assert team_state.team.principal == "h.chen"
    await h.assert_log_matches(math.team_id)
    await school_log_matches(h, schools=districts, school_id=school.school_id)
    status = await settled(lambda: districts.status(d.district_id))
    rows = await h.store.read_stream(district_workflow_id(d.district_id))
    assert fold_rollout(TypeAdapter(RolloutEventT).validate_python(r.data) for r in rows) == status.state
    for handle in (districts.district(d.district_id), districts.school(school.school_id)):
        await handle.terminate("test finished")


async def _step_open(h, team_id: str):
    try:
        return (await h.status(team_id)).state.step is not None
    except Exception:
        return False  # not started yet
