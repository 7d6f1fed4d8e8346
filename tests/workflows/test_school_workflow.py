"""The school workflow on its own: its clocks across terms, its teams as children."""

from datetime import time, timedelta
from pathlib import Path

from app.districts import DistrictClient
from app.files import load_district_file
from domain.school import commands as m
from domain.school.terms import terms
from tests.support.calendars import years_around
from workflows.contracts import SCHOOL_WORKFLOW, school_workflow_id
from workflows.school_adoption import SchoolWorkflowInput

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"


async def test_a_school_begins_each_term_and_launches_its_teams(harness):
    h = harness
    years = years_around((await h.now()).date())
    cal = years.calendar
    start = load_district_file(EXAMPLES / "justice-county.yaml")
    school = start.district.school("jc-middle")
    opening = m.OpenSchool(actor="k.admin", district_id="justice-county", school=school, calendar=cal, rubric=start.rubric,
                           coalition=("k.admin",))
    await h.env.client.start_workflow(SCHOOL_WORKFLOW, SchoolWorkflowInput(opening=opening), id=school_workflow_id("jc-middle"),
                                      task_queue=h.teams._task_queue)
    schools = DistrictClient(h.env.client, h.teams._task_queue)
    first = (await schools.school_status("jc-middle")).state.term
    today = cal.local_date(await h.now())
    next_term = next(t for t in terms(cal) if t.start > today)
    await h.env.sleep(cal.at_local(next_term.start + timedelta(days=2), time(12)) - await h.now())
    status = await schools.school_status("jc-middle")
    assert status.state.term == next_term.name != first
    assert sorted(status.started_teams) == sorted(t.team_id for t in school.teams)
    for t in school.teams:
        h.started.append(t.team_id)
    await schools.school("jc-middle").terminate("test finished")
