"""A district's calendar changes under a running team's open escalation, on the time-skipping server (issue 9).

The district admin closes a snow day, then opens a make-up Saturday, as
Updates to the district; the district records its event and signals its
school, which records its own and signals its team, which records its own.
The team's next rung moves by exactly one school day each time, and fires on
the day the new calendar says; every stream folds to its queried state.
"""

from datetime import date, time, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import TypeAdapter

from app.districts import DistrictClient
from app.files import load_district_file
from app.teams import CommandRefused
from domain.calendar import SchoolCalendar
from domain.calendar_change import closed_on, opened_on
from domain.escalation import watch
from domain.ladder import Rung, next_rung
from domain.rollout import commands as c
from domain.rollout.calendar_end import next_year_name
from domain.rollout.events import RolloutEventT
from domain.rollout.state import fold as fold_rollout
from domain.school.events import SchoolEventT
from domain.school.state import fold as fold_school
from domain.team import commands as cmd
from domain.team.commands import RegisterTeam
from domain.team.policy import EscalationPolicy
from tests.support.builders import profile
from tests.support.calendars import years_around
from tests.support.districts import staffed_district, suffixed
from tests.support.harness import eventually, running, settled
from tests.workflows.test_launch_workflow import at_launch_waves
from workflows.contracts import DISTRICT_WORKFLOW, district_workflow_id, school_workflow_id
from workflows.district_rollout import DistrictWorkflowInput

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"
# The principal's rung two weeks after the facilitator's, so a Saturday always lies between them.
LADDER = {Rung.TEAM: 1, Rung.FACILITATOR: 2, Rung.PRINCIPAL: 12, Rung.COALITION: 14}


@pytest.fixture
async def harness(private_env, event_store):
    async with running(private_env, event_store) as h:
        yield h


async def launched_team(h, cal):
    """A one-school district whose pilot team is running its first step."""
    district = staffed_district([[(True, 3)]])
    template = load_district_file(EXAMPLES / "silver-valley.yaml")
    start = suffixed(c.StartRollout(actor=district.admins[0], district=district, calendar=cal, rubric=template.rubric,
                                    team_policy=EscalationPolicy(ladder_school_days_past_due=LADDER)), uuid4().hex[:8])
    d = start.district
    [school] = d.schools
    [team] = school.teams
    state = await at_launch_waves(h, start)
    await h.env.client.start_workflow(DISTRICT_WORKFLOW, DistrictWorkflowInput(state=state), id=district_workflow_id(d.district_id),
                                      task_queue=h.teams._task_queue)
    districts = DistrictClient(h.env.client, h.teams._task_queue)
    await districts.send(d.district_id, c.SeatCoalition(actor=start.actor, members=(start.actor, school.principal)))
    launch_on = cal.add_school_days(cal.local_date(await h.now()), 2)
    await districts.send(d.district_id, c.ScheduleWave(actor=start.actor, kind="pilot", launch_on=launch_on,
                                                       school_ids=(school.school_id,), pilot_team_ids=(team.team_id,)))
    h.started.append(team.team_id)
    await h.env.sleep(cal.at_local(launch_on, time(12)) - await h.now() + timedelta(minutes=1))
    await eventually(lambda: _has_step(h, team.team_id), f"{team.team_id} opened its first step")
    return districts, start.actor, d.district_id, school.school_id, team.team_id


async def _has_step(h, team_id: str) -> bool:
    try:
        return (await h.status(team_id)).state.due_on is not None
    except Exception:
        return False  # not started yet


async def _next_rung_on(h, team_id: str, cal) -> date:
    async def moved():
        state = (await h.status(team_id)).state
        return state.calendar == cal and next_rung(watch(state))

    return (await eventually(moved, f"{team_id} received the new calendar")).on


async def test_a_snow_day_and_a_make_up_saturday_move_an_open_escalations_next_rung(harness):
    h = harness
    cal = years_around((await h.now()).date()).calendar
    districts, admin, district_id, school_id, team_id = await launched_team(h, cal)
    due = (await h.status(team_id)).state.due_on
    facilitator_day = cal.add_school_days(due, LADDER[Rung.FACILITATOR])
    await h.env.sleep(cal.at_local(facilitator_day, time(12)) - await h.now())
    state = await eventually(lambda: _at_rung(h, team_id, Rung.FACILITATOR), "the escalation reached the facilitator")
    principal_day = next_rung(watch(state)).on
    today = facilitator_day

    # A snow day before the principal's rung: the rung moves by exactly one school day.
    snow = cal.add_school_days(today, 1)
    with pytest.raises(CommandRefused, match=f"{today} is not after today"):
        await districts.send(district_id, c.CloseSchoolDay(actor=admin, on=today, reason="Snow"))
    await districts.send(district_id, c.CloseSchoolDay(actor=admin, on=snow, reason="Snow"))
    snowed = closed_on(cal, snow, "Snow", today)
    moved = await _next_rung_on(h, team_id, snowed)
    assert moved == snowed.add_school_days(principal_day, 1)

    # A make-up Saturday before it counts as a school day: the rung comes one school day sooner.
    saturday = next(today + timedelta(days=n) for n in range(1, 8) if (today + timedelta(days=n)).weekday() == 5)
    await districts.send(district_id, c.OpenSchoolDay(actor=admin, on=saturday, reason="Make-up day"))
    made_up = opened_on(snowed, saturday, "Make-up day", today)
    sooner = await _next_rung_on(h, team_id, made_up)
    assert made_up.school_days_between(sooner, moved) == 1 and made_up.is_school_day(saturday)

    # The rung fires on the day the new calendar says.
    await h.env.sleep(made_up.at_local(sooner, time(12)) - await h.now())
    fired = await eventually(lambda: _at_rung(h, team_id, Rung.PRINCIPAL), "the principal's rung fired")
    assert fired.escalation.raised_on == sooner

    # Each level recorded its own event, and each stream folds to the state its workflow reports.
    team = await h.assert_log_matches(team_id)
    assert [e.type for e in await h.stored_events(team_id)].count("TeamCalendarChanged") == 2
    district = await settled(lambda: districts.status(district_id))
    rows = await h.store.read_stream(district_workflow_id(district_id))
    assert fold_rollout(TypeAdapter(RolloutEventT).validate_python(r.data) for r in rows) == district.state
    assert [r.data["type"] for r in rows].count("DistrictCalendarChanged") == 2
    school = await settled(lambda: districts.school_status(school_id))
    rows = await h.store.read_stream(school_workflow_id(school_id))
    assert fold_school(TypeAdapter(SchoolEventT).validate_python(r.data) for r in rows) == school.state
    assert [r.data["type"] for r in rows].count("SchoolCalendarChanged") == 2
    assert district.state.calendar == school.state.calendar == team.state.calendar == made_up
    for handle in (districts.district(district_id), districts.school(school_id)):
        await handle.terminate("test finished")


async def _at_rung(h, team_id: str, rung: Rung):
    state = (await h.status(team_id)).state
    return state if state.escalation and state.escalation.level is rung else None


async def test_a_calendar_ending_unpublished_warns_the_admin_until_next_years_is_published(harness):
    """Issue 9, "The end of the calendar": no clock stops silently."""
    h = harness
    today = (await h.now()).date()
    one_year = {"timezone": "America/Chicago",
                "school_years": [{"name": "year-1", "start": (today - timedelta(days=30)).isoformat(),
                                  "end": (today + timedelta(days=60)).isoformat()}]}
    cal = SchoolCalendar.model_validate(one_year)
    start = suffixed(c.StartRollout(actor="d.admin0", district=staffed_district([[(True, 3)]]), calendar=cal,
                                    rubric=load_district_file(EXAMPLES / "silver-valley.yaml").rubric), uuid4().hex[:8])
    district_id = start.district.district_id
    state = await at_launch_waves(h, start)
    await h.env.client.start_workflow(DISTRICT_WORKFLOW, DistrictWorkflowInput(state=state), id=district_workflow_id(district_id),
                                      task_queue=h.teams._task_queue)
    districts = DistrictClient(h.env.client, h.teams._task_queue)
    warn_day = cal.school_days[-21]
    await h.env.sleep(cal.at_local(warn_day, time(12)) - await h.now())

    async def warned():
        return (await districts.status(district_id)).state.calendar_end

    escalation = await eventually(warned, "the district admin was warned")
    assert escalation.level is Rung.DISTRICT_ADMIN and escalation.reached == ("d.admin0",)
    assert escalation.reason == f"the {next_year_name(cal)} calendar is not published; 0 teams' clocks stop on {cal.school_days[-1]}"
    longer = SchoolCalendar.model_validate({**one_year, "school_years": [
        *one_year["school_years"], {"name": "year-2", "start": (today + timedelta(days=120)).isoformat(),
                                    "end": (today + timedelta(days=400)).isoformat()}]})
    await districts.send(district_id, c.PublishCalendar(actor="d.admin0", calendar=longer))
    district = await settled(lambda: districts.status(district_id))
    assert district.state.calendar_end is None and district.state.calendar == longer
    rows = await h.store.read_stream(district_workflow_id(district_id))
    assert fold_rollout(TypeAdapter(RolloutEventT).validate_python(r.data) for r in rows) == district.state
    assert [r.data["type"] for r in rows][-2:] == ["DistrictCalendarChanged", "CalendarEndEscalationResolved"]
    await districts.district(district_id).terminate("test finished")


async def test_a_standalone_team_takes_a_new_calendar_from_its_district_admin_as_an_update(harness):
    h = harness
    layout = await h.layout()
    team_id = f"t-{uuid4().hex[:12]}"
    await h.teams.start(RegisterTeam(actor="district.admin", team=profile(team_id), calendar=layout.calendar,
                                     district_admins=("district.admin",)))
    h.started.append(team_id)
    state = (await h.status(team_id)).state
    today = layout.calendar.local_date(await h.now())
    snow = layout.calendar.add_school_days(today, 1)
    new = closed_on(layout.calendar, snow, "Snow", today)
    with pytest.raises(CommandRefused, match="Only a district admin of Grade 7 Math can publish its calendar"):
        await h.send(team_id, cmd.PublishTeamCalendar(actor="p.rivera", calendar=new))
    result = await h.send(team_id, cmd.PublishTeamCalendar(actor="district.admin", calendar=new))
    assert [e.type for e in result.events] == ["TeamCalendarChanged"]
    status = await h.assert_log_matches(team_id)
    assert status.state.due_on == new.add_school_days(state.due_on, 1) and status.state.calendar == new


async def test_a_team_whose_workflow_ended_does_not_stop_its_schools_fan_out(harness):
    """A school keeps going when one of its teams can no longer take the calendar (its workflow ended)."""
    h = harness
    cal = years_around((await h.now()).date()).calendar
    districts, admin, district_id, school_id, team_id = await launched_team(h, cal)
    await h.teams.handle(team_id).terminate("the team was retired")
    today = cal.local_date(await h.now())
    first, second = cal.add_school_days(today, 2), cal.add_school_days(today, 3)
    for day in (first, second):
        await districts.send(district_id, c.CloseSchoolDay(actor=admin, on=day, reason="Snow"))
    both = closed_on(closed_on(cal, first, "Snow", today), second, "Snow", today)

    async def carried_on():
        s = await districts.school_status(school_id)
        return s.state.calendar == both and s.persisted_version == s.state.version

    await eventually(carried_on, "the school recorded both changes and kept persisting", timeout=30)
    for handle in (districts.district(district_id), districts.school(school_id)):
        await handle.terminate("test finished")
