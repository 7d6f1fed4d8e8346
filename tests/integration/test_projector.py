"""The projector on real PostgreSQL: read models from the log, each event applied at most once,
and a rebuild from the log gives identical contents."""

from datetime import date
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
    team = given((register(team_id), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))
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
    assert read["school_days_in_step"] == team.state.calendar.school_days_between(MON, date.today())
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
