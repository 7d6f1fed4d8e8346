"""The projector's runs (issue 13): in a fast round, consecutive events of one ``Statement`` go to PostgreSQL
as one executemany. The read models must be exactly those of one event at a time, and an event that fails
inside a run must still park only itself and what follows it in its stream."""

from datetime import date
from itertools import zip_longest
from uuid import uuid4

from activities.event_store import EventStore
from activities.parking import parked_events
from activities.projections import HANDLERS, Statement
from activities.projector import Projector
from activities.projector_loop import RoundConnection
from app.wiring import open_store
from domain.rollout import commands as rc
from domain.rollout.decider import decide as decide_rollout
from domain.rollout.state import RolloutState, evolve as evolve_rollout
from domain.school import commands as sm
from domain.school.decider import decide as decide_school
from domain.school.state import SchoolState, evolve as evolve_school
from domain.steps import Step
from domain.team import commands as cmd
from tests.integration.test_projector import registered, run, snapshot
from tests.support.builders import EVIDENCE, local
from tests.support.databases import fresh_database
from tests.support.gwt import given
from tests.unit.test_rollout_rules import SV_COALITION
from tests.unit.test_school_rules import MIDDLE, RATINGS, START
from workflows.persistence import to_rows

MON = date(2026, 9, 14)


def team_log(team_id: str, i: int) -> list:
    """A team's log with most of the kinds a team projects: steps, a pause, an escalation and its hold; in
    orders where applying a statement out of turn shows (a step's due date after a resume's, a retirement's
    cleared step after a step's)."""
    team = given((registered(team_id), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))
    if i % 2:
        team.run(cmd.PauseTeam(actor="a.kennedy", reason="Testing week"), local(MON, 10))
        team.run(cmd.ResumeTeam(actor="a.kennedy", reason="Back to it"), local(date(2026, 9, 21)))
    team.run(cmd.AdvanceStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]),
             local(date(2026, 9, 21), 10) if i % 2 else local(MON))
    if i == 1:
        team.run(cmd.RetireTeam(actor="p.rivera", reason="Merged", merged_into=f"{team_id}-next"), local(date(2026, 9, 22)))
    elif not i % 2:
        for day in (date(2026, 9, 22), date(2026, 9, 24), date(2026, 9, 29)):
            team.run(cmd.RaiseDueEscalations(), local(day))
        esc = team.state.escalation
        team.run(cmd.AcknowledgeEscalation(actor="p.rivera", escalation_id=esc.id, reason="Talking Thursday"),
                 local(date(2026, 9, 29), 10))
    return team.log


async def append_interleaved(store: EventStore, logs: dict[str, list]) -> None:
    """Each stream's log two events at a time, streams taking turns: a round holds runs of many streams."""
    chunks = {stream: [rows[i:i + 2] for i in range(0, len(rows), 2)] for stream, rows in
              ((stream, to_rows(1, log)) for stream, log in logs.items())}
    for turn in zip_longest(*chunks.values()):
        for stream, chunk in zip(chunks, turn):
            if chunk:
                await store.append(stream, chunk)


async def test_one_round_of_many_streams_and_kinds_equals_the_events_applied_one_at_a_time(pg_url):
    store = await open_store(await fresh_database(pg_url, "runs"))
    statements: list[str] = []

    def log(query):
        statements.append(query.query)

    async def count(conn):
        conn.add_query_logger(log)  # a set of loggers: once however often the connection is acquired

    counted = await EventStore.connect(store.pool._connect_args[0], min_size=1, max_size=1, setup=count)
    try:
        suffix = uuid4().hex[:6]
        logs = {f"team-t{i}-{suffix}": team_log(f"t{i}-{suffix}", i) for i in range(6)}
        school = MIDDLE.model_copy(update={"school_id": f"ms-{suffix}"})
        opening = sm.OpenSchool(actor="sv.admin", district_id="silver-valley", school=school, calendar=START.calendar,
                                rubric=START.rubric, coalition=("sv.admin",))
        logs[f"school-{school.school_id}"] = run(decide_school, evolve_school, SchoolState(), [
            (opening, MON), (sm.SelfAssess(actor="svm.principal", ratings=RATINGS), date(2026, 12, 1))])[1]
        district = START.district.model_copy(update={"district_id": f"d-{suffix}"})
        logs[f"district-{district.district_id}"] = run(decide_rollout, evolve_rollout, RolloutState(), [
            (START.model_copy(update={"district": district}), MON),
            (rc.SeatCoalition(actor="sv.admin", members=SV_COALITION), MON), (rc.Tick(), date(2026, 10, 20))])[1]
        await append_interleaved(store, logs)
        events = sum(len(log) for log in logs.values())
        kinds = {type(e).__name__ for log in logs.values() for e in log if isinstance(HANDLERS.get(type(e).__name__), Statement)}
        assert {"CycleStarted", "StepOpened", "TeamPaused", "TeamResumed", "EscalationHeld", "PhaseOpened"} <= kinds

        one_at_a_time = Projector(store.pool)
        assert await one_at_a_time.catch_up(batch=1) == events  # every round one event: every run one statement
        applied_singly = await snapshot(store.pool)

        rebuilt = Projector(counted.pool)
        assert await rebuilt.rebuild() == events < 500  # one round (catch_up's batch is 500)
        assert await snapshot(store.pool) == applied_singly
        updates = [q for q in statements if q.startswith("UPDATE team_status SET step = $2")]
        opened = sum(type(e).__name__ == "StepOpened" for log in logs.values() for e in log)
        assert 0 < len(updates) < opened  # runs of StepOpened went as one executemany each
    finally:
        await counted.close()
        await store.close()


async def test_an_event_that_fails_inside_a_run_parks_itself_and_what_follows_in_its_stream(event_store):
    suffix = uuid4().hex[:8]
    teams = [f"run-{i}-{suffix}" for i in range(3)]
    pool = event_store.pool
    started = {t: given((registered(t), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON))) for t in teams}
    for t, team in started.items():
        await event_store.append(f"team-{t}", to_rows(1, team.log))
    await Projector(pool).catch_up()

    # Three teams advance in one round: StepCompleted, StepOpened each, so one run of StepOpened updates;
    # the middle team's StepOpened cannot be applied (its step_opened_at is not a time), and a pause follows it.
    bad = teams[1]
    for t, team in started.items():
        before = len(team.log)
        team.run(cmd.AdvanceStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]), local(MON))
        if t == bad:
            team.run(cmd.PauseTeam(actor="a.kennedy", reason="Testing week"), local(MON, 10))
        rows = to_rows(before + 1, team.log[before:])
        if t == bad:
            assert [r.type for r in rows] == ["StepCompleted", "StepOpened", "TeamPaused"]
            rows[1] = rows[1].model_copy(update={"data": {**rows[1].data, "at": "not a time"}})
        await event_store.append(f"team-{t}", rows)

    projector = Projector(pool)
    await projector.catch_up()
    parked = [p for p in await parked_events(pool, limit=10_000) if p.stream_id == f"team-{bad}"]
    assert [(p.type, p.error.split(":")[0]) for p in parked] == [("StepOpened", "ValueError"), ("TeamPaused", "held")]
    assert {s for s, _, _ in projector.parked} == {f"team-{bad}"}
    rows = {r["team_id"]: r for r in await pool.fetch("SELECT * FROM team_status WHERE team_id = ANY($1)", teams)}
    for t in (teams[0], teams[2]):  # the other streams of the run applied
        assert (rows[t]["step"], rows[t]["version"]) == ("pose_question", started[t].state.version)
    # the bad stream: what came before the bad event applied (StepCompleted has no read model), nothing after
    assert (rows[bad]["step"], rows[bad]["paused"], rows[bad]["version"]) == ("identify_focus", False, len(started[bad].log) - 2)


async def test_a_round_leaves_nothing_on_a_connection_released_without_the_reset_query(event_store):
    """The projector process's pool skips asyncpg's reset query (``RoundConnection``): a round's lock and its
    synchronous_commit are the transaction's, so the next user of the connection finds neither."""
    team_id = f"noreset-{uuid4().hex[:8]}"
    await event_store.append(f"team-{team_id}", to_rows(1, given((registered(team_id), local(MON))).log))
    store = await EventStore.connect(event_store.pool._connect_args[0], min_size=1, max_size=1,
                                     connection_class=RoundConnection)
    try:
        await Projector(store.pool).catch_up()
        async with store.pool.acquire() as conn:
            assert await conn.fetchval("SHOW synchronous_commit") == "on"
            assert not await conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
        assert (await event_store.pool.fetchrow("SELECT version FROM team_status WHERE team_id = $1", team_id))["version"] == 1
    finally:
        await store.close()
