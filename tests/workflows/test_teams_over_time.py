"""Teams over time on the time-skipping server (issue 9): a school forms a team, which starts as its child;
retires one and merges another, whose workflows end cleanly with their last event; a standalone team
retires by its own Update. Each stream folds to the state its workflow last reported."""

from pathlib import Path
from uuid import uuid4

from temporalio.client import WorkflowExecutionStatus

from app.districts import DistrictClient
from app.files import load_district_file
from domain.district import TeamSpec
from domain.school import commands as m
from domain.team import commands as cmd
from tests.support.calendars import years_around
from tests.support.harness import eventually, settled
from workflows.contracts import SCHOOL_WORKFLOW, school_workflow_id
from workflows.persistence import from_rows, stream_id
from workflows.school_adoption import SchoolWorkflowInput

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"


def _school(suffix: str):
    """Justice County's middle school under ids of its own (tests share one server and one log)."""
    start = load_district_file(EXAMPLES / "justice-county.yaml")
    spec = start.district.school("jc-middle")
    teams = tuple(t.model_copy(update={"team_id": f"{t.team_id}-{suffix}"}) for t in spec.teams)
    return start, spec.model_copy(update={"school_id": f"jc-middle-{suffix}", "teams": teams})


async def _completed(h, team_id: str) -> bool:
    return (await h.teams.handle(team_id).describe()).status == WorkflowExecutionStatus.COMPLETED


async def test_a_school_forms_retires_and_merges_teams_and_retired_teams_end_cleanly(harness):
    h, suffix = harness, uuid4().hex[:6]
    start, spec = _school(suffix)
    cal = years_around((await h.now()).date()).calendar
    opening = m.OpenSchool(actor="k.admin", district_id="justice-county", school=spec, calendar=cal, rubric=start.rubric,
                           coalition=("k.admin",))
    await h.env.client.start_workflow(SCHOOL_WORKFLOW, SchoolWorkflowInput(opening=opening),
                                      id=school_workflow_id(spec.school_id), task_queue=h.teams._task_queue)
    schools = DistrictClient(h.env.client, h.teams._task_queue)
    first, second = spec.teams[0].team_id, spec.teams[1].team_id
    h.started += [t.team_id for t in spec.teams]
    await eventually(lambda: _all_started(schools, spec.school_id, len(spec.teams)), "the school launched its teams")

    leader = spec.teacher_leaders[0]
    new = TeamSpec(team_id=f"jc-new-{suffix}", name="Intervention", kind="content_area", facilitator=leader,
                   members=(leader,))
    await schools.send_school(spec.school_id, m.FormTeam(actor=spec.principal, team=new))
    h.started.append(new.team_id)
    await eventually(lambda: _all_started(schools, spec.school_id, len(spec.teams) + 1), "the formed team started")
    assert (await h.status(new.team_id)).state.team.facilitator == leader

    await schools.send_school(spec.school_id, m.RetireTeam(actor=spec.principal, team_id=first, reason="Staff left"))
    await schools.send_school(spec.school_id, m.MergeTeams(actor=spec.principal, team_id=second, into=new.team_id,
                                                           reason="One intervention team"))
    for team_id in (first, second):
        await eventually(lambda t=team_id: _completed(h, t), f"{team_id} ended after its school retired it")
        events = from_rows(await h.store.read_stream(stream_id(team_id)))
        assert events[-1].type == "TeamRetired" and events[-1].by == spec.principal
    assert events[-1].merged_into == new.team_id and events[-1].reason.startswith("merged into Intervention")

    school = await settled(lambda: schools.school_status(spec.school_id))
    assert {i for i, t in school.state.teams.items() if not t.active} == {first, second}
    await schools.school(spec.school_id).terminate("test finished")


async def test_a_standalone_team_retires_by_its_own_update_and_its_workflow_completes(harness):
    layout = await harness.layout()
    team = await harness.start(layout)
    status = await harness.status(team)
    await harness.send(team, cmd.RetireTeam(actor=status.state.team.principal, reason="The course ended"))
    await eventually(lambda: _completed(harness, team), "the retired team's workflow completed")
    rows = await harness.store.read_stream(stream_id(team))
    assert rows[-1].type == "TeamRetired" and [r.version for r in rows] == list(range(1, len(rows) + 1))


async def _all_started(schools, school_id: str, n: int) -> bool:
    return len((await schools.school_status(school_id)).started_teams) == n
