"""The projector on real PostgreSQL: read models from the log, each event applied at most once,
and a rebuild from the log gives identical contents."""

from datetime import UTC, date, datetime
from uuid import uuid4

from activities.projector import READ_MODELS, Projector
from domain.team import commands as cmd
from domain.ladder import Rung
from domain.rollout import commands as rc
from domain.rollout.decider import decide as decide_rollout
from domain.rollout.state import RolloutState, evolve as evolve_rollout
from domain.school import commands as sm
from domain.school.state import SchoolState, evolve as evolve_school
from domain.school.decider import decide as decide_school
from domain.steps import Step
from tests.support.builders import EVIDENCE, local, register
from tests.support.gwt import given
from tests.unit.test_rollout_rules import SV_COALITION
from tests.unit.test_school_rules import MIDDLE, RATINGS, START
from workflows.persistence import to_rows

MON = date(2026, 9, 14)


def registered(team_id: str):
    """A team in a district of its own: a district has one calendar, and other suites register teams of
    "silver-valley" against calendars of their own."""
    command = register(team_id)
    return command.model_copy(update={"team": command.team.model_copy(update={"district_id": f"d-{team_id}"})})


def run(decide, evolve, state, steps):
    log = []
    for command, day in steps:
        for e in decide(state, command, local(day)):
            state = evolve(state, e)
            log.append(e)
    return state, log


async def snapshot(pool) -> dict:
    async with pool.acquire() as conn:
        return {t: [dict(r) for r in await conn.fetch(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in READ_MODELS}


async def test_teams_schools_and_districts_project_once_and_rebuild_identically(event_store):
    suffix = uuid4().hex[:8]
    team_id = f"team-{suffix}"
    team = given((registered(team_id), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))
    team.run(cmd.AdvanceStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]), local(MON))
    for day in (date(2026, 9, 22), date(2026, 9, 24), date(2026, 9, 29)):
        team.run(cmd.RaiseDueEscalations(), local(day))
    esc = team.state.escalation
    team.run(cmd.AcknowledgeEscalation(actor="p.rivera", escalation_id=esc.id, reason="Talking Thursday"), local(date(2026, 9, 29), 10))
    await event_store.append(f"team-{team_id}", to_rows(1, team.log))

    school = MIDDLE.model_copy(update={"school_id": f"ms-{suffix}"})
    opening = sm.OpenSchool(actor="sv.admin", district_id="silver-valley", school=school, calendar=START.calendar,
                            rubric=START.rubric, coalition=("sv.admin",))
    _, school_log = run(decide_school, evolve_school, SchoolState(), [
        (opening, MON), (sm.SelfAssess(actor="svm.principal", ratings=RATINGS), date(2026, 12, 1)),
    ])
    await event_store.append(f"school-{school.school_id}", to_rows(1, school_log))

    district = START.district.model_copy(update={"district_id": f"d-{suffix}"})
    start = START.model_copy(update={"district": district})
    _, district_log = run(decide_rollout, evolve_rollout, RolloutState(), [
        (start, MON), (rc.SeatCoalition(actor="sv.admin", members=SV_COALITION), MON), (rc.Tick(), date(2026, 10, 20)),
    ])
    await event_store.append(f"district-{district.district_id}", to_rows(1, district_log))

    projector = Projector(event_store.pool)
    assert await projector.catch_up() >= len(team.log) + len(school_log) + len(district_log)
    async with event_store.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM team_status WHERE team_id = $1", team_id)
        team_esc = await conn.fetchrow("SELECT * FROM open_escalations WHERE escalation_id = $1", esc.id)
        rubric = await conn.fetch("SELECT * FROM rubric_results WHERE school_id = $1", school.school_id)
        phase = await conn.fetchrow("SELECT * FROM district_status WHERE district_id = $1", district.district_id)
        district_esc = await conn.fetch("SELECT * FROM open_escalations WHERE district_id = $1 AND kind = 'district'", district.district_id)
    assert (row["cycle"], row["step"], row["version"]) == (1, "pose_question", team.state.version)
    assert row["escalation_level"] == Rung.PRINCIPAL.value and team_esc["hold"] == "acknowledged"
    assert team_esc["reached"] == list(esc.reached) and team_esc["school_id"] == "silver-valley-ms"
    assert {r["dimension"]: r["level"] for r in rubric} == RATINGS
    assert phase["phase"] == "form_coalition" and phase["version"] == len(district_log)
    assert [e["level"] for e in district_esc] == ["district_admin"]

    from activities.read_models import ReadModels

    read = await ReadModels(event_store.pool).team(team_id)
    cal = team.state.calendar  # "today" is the district's date, not the machine's (issue 8, defect 12)
    assert read["school_days_in_step"] == cal.school_days_between(MON, cal.local_date(datetime.now(UTC)))
    # A school no wave has launched is named as the district's file names it (issue 11: My work's "My school").
    named = {r["school_id"]: r["name"] for r in await event_store.pool.fetch(
        "SELECT school_id, name FROM district_schools WHERE district_id = $1", district.district_id)}
    assert named == {s.school_id: s.name for s in district.schools}
    assert await projector.catch_up() == 0  # nothing applies twice
    before = await snapshot(event_store.pool)
    await projector.rebuild()
    assert await snapshot(event_store.pool) == before


async def test_a_rebuild_and_a_live_projector_can_overlap(event_store):
    """plcflow projections rebuild while the projector process runs: batches take turns, nothing doubles."""
    import asyncio

    team_id = f"overlap-{uuid4().hex[:8]}"
    team = given((register(team_id), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))
    await event_store.append(f"team-{team_id}", to_rows(1, team.log))
    live, rebuilding = Projector(event_store.pool), Projector(event_store.pool)
    await asyncio.gather(rebuilding.rebuild(), live.catch_up(), live.catch_up(), rebuilding.catch_up())
    async with event_store.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM team_status WHERE team_id = $1", team_id)
    assert row["version"] == team.state.version


async def test_school_days_in_step_count_local_dates_not_utc(event_store):
    """Issue 8, defect 12: a step opened at 17:30 in Los Angeles (00:30 UTC the next day) opened on Monday."""
    from activities.read_models import ReadModels

    team_id = f"tz-{uuid4().hex[:8]}"
    evening = local(MON, 17, 30)
    assert evening.astimezone(UTC).date() != MON  # the premise: UTC already says Tuesday
    team = given((registered(team_id), evening), (cmd.StartCycle(actor="a.kennedy"), evening))
    await event_store.append(f"team-{team_id}", to_rows(1, team.log))
    await Projector(event_store.pool).catch_up()
    read = await ReadModels(event_store.pool).team(team_id)
    cal = team.state.calendar
    assert read["school_days_in_step"] == cal.school_days_between(MON, cal.local_date(datetime.now(UTC)))


async def test_the_time_zone_migration_backfills_districts_already_in_the_log(pg_url):
    """Migration 0009 on a database that already holds events: each district gets its calendar's time zone."""
    from app.wiring import open_store
    from tests.support.databases import fresh_database

    store = await open_store(await fresh_database(pg_url, "tz"))
    try:
        team = given((register("g7-math"), local(MON)))
        await store.append("team-g7-math", to_rows(1, team.log))
        await store.pool.execute("DELETE FROM schema_migrations WHERE name = '0009_district_time_zones.sql'")
        await store.pool.execute("DROP TABLE district_time_zones")
        assert await store.migrate() == ["0009_district_time_zones.sql"]
        rows = await store.pool.fetch("SELECT district_id, timezone FROM district_time_zones")
    finally:
        await store.close()
    assert [tuple(r) for r in rows] == [("silver-valley", "America/Los_Angeles")]


async def test_a_retired_team_stays_in_the_read_models_marked_retired_and_stops_counting(event_store):
    """Issue 9: its history stays and supervisors see what became of it; it is no longer an active team."""
    from activities.read_models import ReadModels

    suffix = uuid4().hex[:8]
    school_id = f"ms-{suffix}"
    ids = [f"r-{suffix}-{n}" for n in (1, 2)]
    for team_id in ids:
        team = given((register(team_id).model_copy(update={"team": register(team_id).team.model_copy(
                         update={"school_id": school_id})}), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))
        if team_id == ids[0]:
            team.run(cmd.RetireTeam(actor="p.rivera", reason="Merged", merged_into=ids[1]), local(date(2026, 10, 1)))
        await event_store.append(f"team-{team_id}", to_rows(1, team.log))
    school = MIDDLE.model_copy(update={"school_id": school_id})
    opening = sm.OpenSchool(actor="sv.admin", district_id="silver-valley", school=school, calendar=START.calendar,
                            rubric=START.rubric, coalition=("sv.admin",))
    _, school_log = run(decide_school, evolve_school, SchoolState(), [(opening, MON)])
    await event_store.append(f"school-{school_id}", to_rows(1, school_log))
    await Projector(event_store.pool).catch_up()
    read = ReadModels(event_store.pool)
    retired = await read.team(ids[0])
    assert retired["retired_at"] is not None and retired["merged_into"] == ids[1] and retired["step"] is None
    summary = await read.school_summary(school_id)
    assert summary["teams_per_step"] == {"retired": 1, "identify_focus": 1}


def _roster_story(team_id: str):
    """Issue 11: a team whose people change: one joins, one is replaced, one leaves, a new facilitator, a new principal."""
    team = given((registered(team_id), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))
    for command in (cmd.RecordDecision(actor="t.nelson", kind="recommendation", summary="Two mixed classes"),
                    cmd.RecordDecision(actor="t.nelson", kind="recommendation", summary="A common planning period"),
                    cmd.AddMember(actor="p.rivera", member="j.ortiz"), cmd.ReplaceMember(actor="p.rivera", leaving="d.slavit", joining="m.lee"),
                    cmd.RemoveMember(actor="p.rivera", member="a.deuel"), cmd.ChangeFacilitator(actor="p.rivera", facilitator="t.nelson"),
                    cmd.ApplySchoolRoster(actor="p.rivera", principal="q.nguyen"),
                    cmd.ApproveRecommendation(actor="q.nguyen", recommendation_id="c1-1", reason="Staffing allows")):
        team.run(command, local(MON))
    return team


async def work_rows(pool, team_id: str) -> tuple[list, list]:
    people = await pool.fetch("SELECT person_id, role FROM team_people WHERE team_id = $1 ORDER BY 1, 2", team_id)
    waiting = await pool.fetch("SELECT recommendation_id, summary, proposed_by FROM pending_recommendations WHERE team_id = $1",
                               team_id)
    return [tuple(r) for r in people], [tuple(r) for r in waiting]


PEOPLE_AFTER = [("j.ortiz", "member"), ("m.lee", "member"), ("q.nguyen", "principal"), ("t.nelson", "facilitator"),
                ("t.nelson", "member")]
WAITING_AFTER = [("c1-2", "A common planning period", "t.nelson")]


async def test_who_is_on_each_team_and_what_waits_for_its_principal_follow_its_events(event_store):
    team_id = f"people-{uuid4().hex[:8]}"
    team = _roster_story(team_id)
    assert team.state.team.facilitator == "t.nelson" and team.state.team.principal == "q.nguyen"
    await event_store.append(f"team-{team_id}", to_rows(1, team.log))
    await Projector(event_store.pool).catch_up()
    assert await work_rows(event_store.pool, team_id) == (PEOPLE_AFTER, WAITING_AFTER)


async def test_a_recommendation_made_in_the_evening_waits_dated_by_the_districts_day_not_utcs(event_store):
    """My work says when a recommendation was made as the principal's calendar does: 17:30 in Los Angeles is Monday."""
    from activities.read_models import ReadModels

    team_id = f"rec-{uuid4().hex[:8]}"
    evening = local(MON, 17, 30)
    assert evening.astimezone(UTC).date() != MON
    team = given((registered(team_id), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)),
                 (cmd.RecordDecision(actor="t.nelson", kind="recommendation", summary="Two mixed classes"), evening))
    await event_store.append(f"team-{team_id}", to_rows(1, team.log))
    await Projector(event_store.pool).catch_up()
    waiting = await ReadModels(event_store.pool).recommendations_waiting(team.state.team.district_id, "p.rivera")
    assert [(w["summary"], w["proposed_on"]) for w in waiting] == [("Two mixed classes", MON.isoformat())]


async def test_a_principal_sees_her_school_by_its_name_before_a_wave_launches_it(event_store):
    """Issue 11: a team of a school the rollout named but no wave has launched yet (no school_status row):
    My work's "My school" names it as the district's file does, not by its id."""
    from activities.read_models import ReadModels

    suffix = uuid4().hex[:8]
    district = START.district.model_copy(update={"district_id": f"d-{suffix}"})
    _, district_log = run(decide_rollout, evolve_rollout, RolloutState(),
                          [(START.model_copy(update={"district": district}), MON)])
    await event_store.append(f"district-{district.district_id}", to_rows(1, district_log))
    command = register(f"named-{suffix}")
    command = command.model_copy(update={"team": command.team.model_copy(update={"district_id": district.district_id})})
    team = given((command, local(MON)))
    await event_store.append(f"team-named-{suffix}", to_rows(1, team.log))
    await Projector(event_store.pool).catch_up()
    led = await ReadModels(event_store.pool).schools_led(district.district_id, command.team.principal)
    school = district.school(command.team.school_id)
    assert [(s["school_id"], s["name"]) for s in led] == [(school.school_id, school.name)]
    assert school.name != school.school_id


async def test_the_team_people_migration_backfills_teams_already_in_the_log(pg_url):
    """Migration 0014 on a database that already holds a team's story gives what the projector gives."""
    from app.wiring import open_store
    from tests.support.databases import fresh_database

    store = await open_store(await fresh_database(pg_url, "people"))
    try:
        await store.append("team-g7-math", to_rows(1, _roster_story("g7-math").log))
        await store.pool.execute("DELETE FROM schema_migrations WHERE name = '0014_my_work.sql'")
        await store.pool.execute("DROP TABLE team_people, pending_recommendations")
        assert await store.migrate() == ["0014_my_work.sql"]
        rows = await work_rows(store.pool, "g7-math")
    finally:
        await store.close()
    assert rows == (PEOPLE_AFTER, WAITING_AFTER)
