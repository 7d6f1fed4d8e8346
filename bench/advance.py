"""Step-advance benchmark on the embedded stack, against a raw no-op Update and the one-activity floor.

    make bench                      # N=200 teams
    .venv/bin/python -m bench.advance --teams 500 --rounds 3

Starts its own Temporal dev server (SQLite file, WAL, as ``make run``) and
embedded PostgreSQL in a temporary folder, one worker hosting our team
workflow and two baselines (``bench/raw.py``): ``RawNoop``, whose Update does
nothing, and ``FloorOneActivity``, whose Update runs one no-op activity: the
floor of any design that persists each advance outside Temporal. It measures
N teams advancing one at a time and all at once, interleaving the three so
drift hits all. Prints p50/p99 latency, throughput and the ratios:
``advance_p99_ratio`` (one at a time) and ``advance_throughput_ratio``
(concurrent) against raw, ``advance_vs_floor_throughput_ratio`` against the floor.
"""

import argparse
import asyncio
import statistics
import time
from datetime import date
from uuid import uuid4


from app.logging import configure
from app.teams import TeamClient
from app.wiring import build_worker
from domain.team import commands as cmd
from domain.team.commands import RegisterTeam
from domain.steps import STEPS

from .fixtures import EVIDENCE, calendar_around, team
from .raw import FloorWorkflow, RawNoopWorkflow, noop_activity
from .stack import embedded_stack



def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def timed(coro) -> float:
    t0 = time.perf_counter()
    await coro
    return time.perf_counter() - t0


class Bench:
    def __init__(self, client, teams: TeamClient, task_queue: str, n: int):
        self.client, self.teams, self.tq, self.n = client, teams, task_queue, n
        self.team_ids: list[str] = []
        self.raw = []
        self.floor = []
        self.step_of: dict[str, int] = {}

    async def setup(self) -> None:
        calendar = calendar_around(date.today())
        sem = asyncio.Semaphore(20)

        async def one(i: int) -> None:
            async with sem:
                team_id = f"bench-{uuid4().hex[:10]}"
                reg = RegisterTeam(actor="district.admin", team=team(team_id), calendar=calendar)
                await self.teams.start(reg)
                self.team_ids.append(team_id)
                self.step_of[team_id] = 0
                self.raw.append(
                    await self.client.start_workflow(RawNoopWorkflow.run, id=f"raw-{uuid4().hex[:10]}", task_queue=self.tq)
                )
                self.floor.append(
                    await self.client.start_workflow(FloorWorkflow.run, id=f"floor-{uuid4().hex[:10]}", task_queue=self.tq)
                )

        await asyncio.gather(*(one(i) for i in range(self.n)))

    def advance(self, team_id: str):
        i = self.step_of[team_id]
        self.step_of[team_id] = i + 1
        step = STEPS[i % len(STEPS)]
        # reflect_and_decide needs a decision; the benchmark measures plain advances only.
        assert i < 6, "benchmark rounds stay within the first six steps"
        return self.teams.send(team_id, cmd.AdvanceStep(actor="t.nelson", step=step, evidence=EVIDENCE[step]))

    def noop(self, handle):
        return handle.execute_update(RawNoopWorkflow.noop, 1)

    def one_activity(self, handle):
        return handle.execute_update(FloorWorkflow.advance, 1)

    async def sequential(self) -> tuple[list[float], list[float], list[float]]:
        ours, raw, floor = [], [], []
        for team_id, handle, floor_handle in zip(self.team_ids, self.raw, self.floor, strict=True):
            raw.append(await timed(self.noop(handle)))
            floor.append(await timed(self.one_activity(floor_handle)))
            ours.append(await timed(self.advance(team_id)))
        return ours, raw, floor

    async def concurrent(self, which: str) -> tuple[list[float], float]:
        if which == "ours":
            coros = [timed(self.advance(t)) for t in self.team_ids]
        elif which == "floor":
            coros = [timed(self.one_activity(h)) for h in self.floor]
        else:
            coros = [timed(self.noop(h)) for h in self.raw]
        t0 = time.perf_counter()
        lat = await asyncio.gather(*coros)
        return list(lat), len(lat) / (time.perf_counter() - t0)


def line(name: str, lat: list[float], tput: float | None = None) -> str:
    ms = lambda s: f"{s * 1000:7.1f} ms"  # noqa: E731
    extra = f"  throughput {tput:7.1f}/s" if tput else ""
    return f"  {name:<26} p50 {ms(pct(lat, .5))}  p99 {ms(pct(lat, .99))}{extra}"


async def main(n: int, rounds: int) -> dict[str, float]:
    async with embedded_stack() as (env, store):
        tq = f"bench-{uuid4()}"
        async with build_worker(env.client, store, task_queue=tq, workflow_cache=6 * n,
                                extra_workflows=[RawNoopWorkflow, FloorWorkflow], extra_activities=[noop_activity]):
            bench = Bench(env.client, TeamClient(env.client, tq), tq, n)
            await bench.setup()
            seq = {"ours": [], "raw": [], "floor": []}
            con = {"ours": [], "raw": [], "floor": []}
            tput = {"ours": [], "raw": [], "floor": []}
            for _ in range(rounds):
                for which, lat in zip(("ours", "raw", "floor"), await bench.sequential(), strict=True):
                    seq[which] += lat
                for which in ("raw", "floor", "ours"):
                    lat, tp = await bench.concurrent(which)
                    con[which] += lat
                    tput[which].append(tp)
    tp = {which: statistics.median(values) for which, values in tput.items()}
    figures = {
        "advance_p99_ratio": pct(seq["ours"], .99) / pct(seq["raw"], .99),
        "advance_p50_ratio": pct(seq["ours"], .5) / pct(seq["raw"], .5),
        "advance_throughput_ratio": tp["ours"] / tp["raw"],
        "concurrent_p99_ratio": pct(con["ours"], .99) / pct(con["raw"], .99),
        "advance_vs_floor_throughput_ratio": tp["ours"] / tp["floor"],
        "advance_vs_floor_p99_ratio": pct(seq["ours"], .99) / pct(seq["floor"], .99),
    }
    names = {"raw": "raw no-op update", "floor": "floor: one no-op activity", "ours": "plcflow advance"}
    print(f"step-advance benchmark: {n} teams, {rounds} round(s), embedded stack (Temporal dev server on SQLite+WAL, PostgreSQL 18)")
    print("one at a time:")
    for which, name in names.items():
        print(line(name, seq[which]))
    print("concurrent (all teams at once):")
    for which, name in names.items():
        print(line(name, con[which], tp[which]))
    for k, v in figures.items():
        print(f"{k} = {v:.2f}")
    return figures


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--teams", type=int, default=200)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--log-level", default="warning", help="worker log level during the run (info logs every event)")
    a = p.parse_args()
    configure("json", a.log_level)
    asyncio.run(main(a.teams, a.rounds))
