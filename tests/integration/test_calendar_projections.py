"""The read models follow a calendar change (issue 9): the district's school days, its phase's and a team's due date."""

from datetime import date
from uuid import uuid4

from activities.projector import Projector
from domain.calendar import parse_calendar
from domain.calendar_change import closed_on
from domain.rollout import commands as rc
from domain.rollout.decider import decide as decide_rollout
from domain.rollout.state import RolloutState, evolve as evolve_rollout
from domain.team import commands as cmd
from tests.integration.test_projector import MON, run
from tests.support.builders import local, register
from tests.support.gwt import given
from tests.unit.test_school_rules import START
from workflows.persistence import to_rows

SNOW = date(2026, 9, 16)


async def test_a_snow_day_reaches_the_school_days_and_the_due_dates_read_models(event_store):
    suffix = uuid4().hex[:8]
    district = START.district.model_copy(update={"district_id": f"d-{suffix}"})
    state, log = run(decide_rollout, evolve_rollout, RolloutState(), [
        (START.model_copy(update={"district": district}), MON), (rc.CloseSchoolDay(actor="sv.admin", on=SNOW, reason="Snow"), MON),
    ])
    await event_store.append(f"district-{district.district_id}", to_rows(1, log))
    team_id = f"team-{suffix}"
    team = given((register(team_id), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))
    team.run(cmd.ChangeCalendar(actor="sv.admin", calendar=closed_on(team.state.calendar, SNOW, "Snow", MON)), local(MON, 10))
    await event_store.append(f"team-{team_id}", to_rows(1, team.log))

    await Projector(event_store.pool).catch_up()
    async with event_store.pool.acquire() as conn:
        days = {r["day"] for r in await conn.fetch("SELECT day FROM school_days WHERE district_id = $1", district.district_id)}
        phase_due = await conn.fetchval("SELECT due_on FROM district_status WHERE district_id = $1", district.district_id)
        team_due = await conn.fetchval("SELECT due_on FROM team_status WHERE team_id = $1", team_id)
    assert days == set(state.calendar.school_days) and SNOW not in days and date(2026, 9, 15) in days
    assert phase_due == state.due_on and team_due == team.state.due_on == date(2026, 9, 22)


async def test_the_calendar_end_escalation_is_open_until_next_years_calendar_is_published(event_store):
    suffix = uuid4().hex[:8]
    district = START.district.model_copy(update={"district_id": f"d-{suffix}"})
    april = date(2028, 4, 3)
    days = START.calendar.school_days
    data = START.calendar.model_dump(mode="json")
    data["school_years"].append({"name": "2028-29", "start": "2028-08-23", "end": "2029-06-08"})
    _, log = run(decide_rollout, evolve_rollout, RolloutState(), [
        (START.model_copy(update={"district": district}), april), (rc.Tick(), days[-21]),
    ])
    await event_store.append(f"district-{district.district_id}", to_rows(1, log))
    projector = Projector(event_store.pool)
    await projector.catch_up()
    query = "SELECT subject, level, reason FROM open_escalations WHERE district_id = $1 AND subject = 'calendar'"
    async with event_store.pool.acquire() as conn:
        [row] = await conn.fetch(query, district.district_id)
    assert row["level"] == "district_admin" and "calendar is not published" in row["reason"]

    state = RolloutState()
    for e in log:
        state = evolve_rollout(state, e)
    _, more = run(decide_rollout, evolve_rollout, state, [
        (rc.PublishCalendar(actor="sv.admin", calendar=parse_calendar(data)), days[-20]),
    ])
    await event_store.append(f"district-{district.district_id}", to_rows(len(log) + 1, more))
    await projector.catch_up()
    async with event_store.pool.acquire() as conn:
        assert await conn.fetch(query, district.district_id) == []
