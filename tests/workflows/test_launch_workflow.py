"""A large district's wave on the time-skipping server (issue 8, defects 2, 3, 14).

The coalition is seated at the limit every team shares (one more is refused), an unlaunchable pilot
wave is refused when it is scheduled, and the wave that is accepted launches its school and a team
that runs its cycle with the whole coalition on its top rung.
"""

import asyncio
from datetime import time, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from app.districts import DistrictClient
from app.files import load_district_file
from app.teams import CommandRefused
from domain.limits import MAX_COALITION, MAX_TEAM_MEMBERS
from domain.rollout import commands as c
from domain.rollout import events as ev
from domain.rollout.decider import decide
from domain.rollout.phases import Phase
from domain.rollout.state import RolloutState, evolve
from domain.steps import Step
from tests.support.calendars import years_around
from tests.support.districts import staffed_district, suffixed
from workflows.contracts import DISTRICT_WORKFLOW, district_workflow_id
from workflows.district_rollout import DistrictWorkflowInput
from workflows.persistence import to_rows

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"


async def at_launch_waves(h, start: c.StartRollout) -> RolloutState:
    """The rollout with its gates behind it (each has its own tests), logged as its workflow would have."""
    now = await h.now()
    events = decide(RolloutState(), start, now) + [ev.PhaseOpened(at=now, phase=Phase.LAUNCH_WAVES, due_on=None)]
    state = RolloutState()
    for e in events:
        state = evolve(state, e)
    await h.store.append(district_workflow_id(start.district.district_id), to_rows(1, events))
    return state


async def eventually(check, what: str, tries: int = 200):
    for _ in range(tries):
        try:
            if await check():
                return
        except Exception:
            pass  # not started yet
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def test_a_large_coalitions_wave_launches_a_running_team(harness):
    h = harness
    cal = years_around((await h.now()).date()).calendar
    district = staffed_district([[(True, MAX_TEAM_MEMBERS), (False, 3)]], staff=MAX_COALITION + 5)
    template = load_district_file(EXAMPLES / "silver-valley.yaml")
    start = suffixed(c.StartRollout(actor=district.admins[0], district=district, calendar=cal, rubric=template.rubric),
                     uuid4().hex[:8])
    d = start.district
    admin, [school], staff = start.actor, d.schools, tuple(p.id for p in d.people)
    volunteer, other = school.teams
    state = await at_launch_waves(h, start)
    await h.env.client.start_workflow(DISTRICT_WORKFLOW, DistrictWorkflowInput(state=state), id=district_workflow_id(d.district_id),
                                      task_queue=h.teams._task_queue)
    districts = DistrictClient(h.env.client, h.teams._task_queue)

    with pytest.raises(CommandRefused, match=f"at most {MAX_COALITION} members; {MAX_COALITION + 1} were named"):
        await districts.send(d.district_id, c.SeatCoalition(actor=admin, members=staff[:MAX_COALITION + 1]))
    await districts.send(d.district_id, c.SeatCoalition(actor=admin, members=staff[:MAX_COALITION]))
    launch_on = cal.add_school_days(cal.local_date(await h.now()), 2)
    version = (await districts.status(d.district_id)).state.version
    with pytest.raises(CommandRefused, match=f"{other.name} \\({other.team_id}\\) at School 0 is not a volunteer team"):
        await districts.send(d.district_id, c.ScheduleWave(actor=admin, kind="pilot", launch_on=launch_on,
                                                           school_ids=(school.school_id,), pilot_team_ids=(other.team_id,)))
    assert (await districts.status(d.district_id)).state.version == version  # refused when scheduled: nothing written
    await districts.send(d.district_id, c.ScheduleWave(actor=admin, kind="pilot", launch_on=launch_on,
                                                       school_ids=(school.school_id,), pilot_team_ids=(volunteer.team_id,)))
    h.started.append(volunteer.team_id)

    await h.env.sleep(cal.at_local(launch_on, time(12)) - await h.now() + timedelta(minutes=1))
    await eventually(lambda: _running(h, volunteer.team_id), f"{volunteer.team_id} opened its first step")
    team = (await h.status(volunteer.team_id)).state.team
    assert team.coalition == staff[:MAX_COALITION] and len(team.members) == MAX_TEAM_MEMBERS
    await h.advance(volunteer.team_id, Step.IDENTIFY_FOCUS, actor=volunteer.members[0])
    assert (await districts.school_status(school.school_id)).started_teams == (volunteer.team_id,)
    await h.assert_log_matches(volunteer.team_id)
    for handle in (districts.district(d.district_id), districts.school(school.school_id)):
        await handle.terminate("test finished")


async def _running(h, team_id: str) -> bool:
    return (await h.status(team_id)).state.step is Step.IDENTIFY_FOCUS
