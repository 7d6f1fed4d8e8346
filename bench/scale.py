"""What one team costs the worker, against the raw engine, and how fast a SIGKILLed worker's teams answer again.

    make bench-scale                      # N=2,000
    .venv/bin/python -m bench.scale --teams 500

Issue 13. The embedded stack of ``bench.advance`` (Temporal dev server on
SQLite+WAL, PostgreSQL) in a temporary folder. The same worker
(``build_worker`` hosting our workflows and the raw ``RawNoop``,
``bench/raw.py``) runs twice, each as its own process on its own task queue, so
its memory and CPU are its alone:

* raw: N ``RawNoop`` workflows, each started and sent its one no-op Update;
* ours: N teams, each started (registration) and sent its first advance.

A workflow counts as started and processed when its Update is answered. Both
workers first start a few warm-up workflows (modules, the sandbox), so the
figures are per workflow, not per process; then raw and ours start in
alternating chunks, so other load on the machine falls on both alike.
Measured per worker: RSS growth / N with every workflow cached (KB per cached
workflow), CPU time (user + system, every thread) / N, N / its chunks' wall
time. Then each worker is SIGKILLed and a new one started on its queue
(``--recovery-workers 2``: a pair, as ``docker compose --scale worker=2`` runs):
the seconds from the new processes' spawn until every one of its N workflows has
answered a status query (``recovery_all_answer_s`` for ours; raw beside it), and
how many queries were asked again after timing out (``QUERY_RPC_TIMEOUT``).
"""

import argparse
import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import uuid4

import psutil
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from app.local_postgres import die_with_parent
from app.teams import TeamClient
from domain.steps import Step
from domain.team import commands as cmd
from domain.team.commands import RegisterTeam
from workflows.contracts import STATUS_QUERY

from .fixtures import EVIDENCE, calendar_around, team
from .profile_groups import groups, report
from .raw import RawNoopWorkflow
from .stack import embedded_stack_with_url

WARM_UP = 20
IN_FLIGHT = 50  # starts at once: enough to keep the worker busy, as a district's morning would
QUERY_IN_FLIGHT = 200
RECOVERY_DEADLINE_S = 300.0
QUERY_RPC_TIMEOUT = timedelta(seconds=5)


# --- the worker process ---

async def serve_worker(temporal: str, database_url: str, task_queue: str, cache: int) -> None:
    """``build_worker`` as production wires it, plus ``RawNoop``; says ``ready`` on stdout once polling."""
    from temporalio.contrib.pydantic import pydantic_data_converter

    from app.wiring import build_worker, open_store

    store = await open_store(database_url)
    client = await Client.connect(temporal, data_converter=pydantic_data_converter)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with build_worker(client, store, task_queue=task_queue, workflow_cache=cache,
                            extra_workflows=[RawNoopWorkflow]):
        print("ready", flush=True)
        await stop.wait()
    await store.close()


@dataclass
class WorkerProcess:
    proc: asyncio.subprocess.Process
    spawned: float
    ready: float

    @property
    def ps(self) -> psutil.Process:
        return psutil.Process(self.proc.pid)

    def cpu_s(self) -> float:
        t = self.ps.cpu_times()
        return t.user + t.system

    def rss(self) -> int:
        return self.ps.memory_info().rss

    async def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()


async def spawn_worker(temporal: str, database_url: str, task_queue: str, cache: int, log_level: str) -> WorkerProcess:
    spawned = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.scale", "--serve-worker", temporal, database_url, task_queue, str(cache),
        "--log-level", log_level, stdout=asyncio.subprocess.PIPE, preexec_fn=die_with_parent(signal.SIGKILL),
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=120)
    if line.strip() != b"ready":
        raise RuntimeError(f"the worker did not start: {line!r}")
    return WorkerProcess(proc, spawned, time.perf_counter())


# --- the two kinds of workflow ---

class Raw:
    name = "raw no-op workflow"

    def __init__(self, client: Client, tq: str):
        self.client, self.tq = client, tq
        self.handles: list[WorkflowHandle] = []

    async def start_one(self) -> None:
        h = await self.client.start_workflow(RawNoopWorkflow.run, id=f"raw-{uuid4().hex[:12]}", task_queue=self.tq)
        await h.execute_update(RawNoopWorkflow.noop, 1)
        self.handles.append(h)

    async def query(self, h: WorkflowHandle) -> None:
        await h.query(RawNoopWorkflow.count, rpc_timeout=QUERY_RPC_TIMEOUT)


class Ours:
    name = "plcflow team workflow"

    def __init__(self, client: Client, tq: str):
        self.teams = TeamClient(client, tq)
        self.calendar = calendar_around(date.today())
        self.handles: list[WorkflowHandle] = []

    async def start_one(self) -> None:
        team_id = f"scale-{uuid4().hex[:12]}"
        h = await self.teams.start(RegisterTeam(actor="district.admin", team=team(team_id), calendar=self.calendar))
        await self.teams.send(team_id, cmd.AdvanceStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS,
                                                       evidence=EVIDENCE[Step.IDENTIFY_FOCUS]))
        self.handles.append(h)

    async def query(self, h: WorkflowHandle) -> None:
        await h.query(STATUS_QUERY, rpc_timeout=QUERY_RPC_TIMEOUT)


async def bounded(n: int, limit: int, one) -> None:
    sem = asyncio.Semaphore(limit)

    async def run(i: int) -> None:
        async with sem:
            await one(i)

    await asyncio.gather(*(run(i) for i in range(n)))


class Profile:
    """``--profile DIR``: py-spy samples each worker (collapsed stacks, one file per worker and stage). Its
    own CPU skews the figures, so a profiled run is for finding where the time goes, not for the ratios."""

    def __init__(self, folder: str | None, key: str):
        self.folder, self.key = folder, key

    async def start(self, worker: "WorkerProcess", stage: str):
        if not self.folder:
            return None
        out = os.path.join(self.folder, f"{self.key}-{stage}.txt")
        spy = await asyncio.create_subprocess_exec(
            os.path.join(os.path.dirname(sys.executable), "py-spy"), "record", "--pid", str(worker.proc.pid),
            "--format", "raw", "--rate", "100", "--nonblocking", "-o", out, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        await asyncio.sleep(0.5)
        return spy

    @staticmethod
    async def stop(spy) -> None:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            await spy.wait()


@dataclass
class Phase:
    kb_per_workflow: float = 0.0
    cpu_ms_per_workflow: float = 0.0
    per_second: float = 0.0
    recovery_all_s: float = 0.0
    recovery_p50_s: float = 0.0
    new_worker_ready_s: float = 0.0
    recovery_cpu_s: float = 0.0
    recovery_retries: int = 0  # status queries that timed out (QUERY_RPC_TIMEOUT) or failed and were asked again


class Side:
    """One kind of workflow with its own worker process and task queue."""

    def __init__(self, key: str, kind, spawn, profile: "Profile"):
        self.key, self.kind, self.spawn, self.profile = key, kind, spawn, profile
        self.result = Phase()
        self.wall = 0.0

    async def up(self) -> None:
        self.worker = await self.spawn()
        await bounded(WARM_UP, WARM_UP, lambda i: self.kind.start_one())

    async def chunk(self, n: int) -> None:
        t0 = time.perf_counter()
        await bounded(n, IN_FLIGHT, lambda i: self.kind.start_one())
        self.wall += time.perf_counter() - t0

    async def recover(self, workers: int = 1) -> None:
        """SIGKILL the worker, start ``workers`` new ones on the same queue, and ask every workflow for its status."""
        await self.worker.kill()
        started = time.perf_counter()
        news = list(await asyncio.gather(*(self.spawn() for _ in range(workers))))
        spy = await self.profile.start(news[0], "recovery")
        answered: list[float] = []

        async def answer(i: int) -> None:
            h = self.kind.handles[i]
            while True:
                try:
                    await self.kind.query(h)
                    answered.append(time.perf_counter() - started)
                    return
                except RPCError:
                    self.result.recovery_retries += 1
                    if time.perf_counter() - started > RECOVERY_DEADLINE_S:
                        raise
                    await asyncio.sleep(0.1)

        await bounded(len(self.kind.handles), QUERY_IN_FLIGHT, answer)
        await self.profile.stop(spy)
        self.result.recovery_cpu_s = sum(new.cpu_s() for new in news)
        for new in news:
            await new.kill()
        answered.sort()
        self.result.recovery_all_s, self.result.recovery_p50_s = answered[-1], answered[len(answered) // 2]
        self.result.new_worker_ready_s = max(new.ready for new in news) - started


async def measure(sides: list[Side], n: int, chunk: int, recovery_workers: int = 1) -> None:
    """Both workers up and warm, then N workflows of each kind started in alternating chunks, so the load
    that other processes put on the machine meanwhile falls on both alike."""
    for side in sides:
        await side.up()
    await asyncio.sleep(1.0)  # let the warm-up's last tasks and activities settle
    spies = [await side.profile.start(side.worker, "start") for side in sides]
    before = [(side.worker.rss(), side.worker.cpu_s()) for side in sides]
    done = 0
    while done < n:
        size = min(chunk, n - done)
        for side in sides:
            await side.chunk(size)
        done += size
    cpu = [side.worker.cpu_s() - c0 for side, (_, c0) in zip(sides, before, strict=True)]
    for spy in spies:
        await Profile.stop(spy)
    await asyncio.sleep(1.0)  # activities still in flight after the last answer (ours appends)
    for side, (rss0, _), cpu_s in zip(sides, before, cpu, strict=True):
        side.result.kb_per_workflow = (side.worker.rss() - rss0) / 1024 / n
        side.result.cpu_ms_per_workflow = cpu_s * 1000 / n
        side.result.per_second = n / side.wall
    for side in sides:
        await side.recover(recovery_workers)


async def main(n: int, log_level: str, profile: str | None = None, chunk: int = 200, recovery_workers: int = 1) -> dict[str, float]:
    load0 = os.getloadavg()
    async with embedded_stack_with_url() as (env, _store, database_url):
        temporal = env.client.service_client.config.target_host
        sides = []
        for key, make in (("raw", Raw), ("ours", Ours)):
            tq = f"scale-{key}-{uuid4().hex[:8]}"

            def spawn(tq=tq):
                return spawn_worker(temporal, database_url, tq, n + 2 * WARM_UP, log_level)

            sides.append(Side(key, make(env.client, tq), spawn, Profile(profile, key)))
        await measure(sides, n, chunk, recovery_workers)
        results = {side.key: side.result for side in sides}
    load1 = os.getloadavg()
    raw, ours = results["raw"], results["ours"]
    print(f"scale benchmark: {n} teams, embedded stack (Temporal dev server on SQLite+WAL, PostgreSQL), "
          f"each worker in its own process, raw and ours alternating in chunks of {chunk}, {recovery_workers} new worker(s) after the SIGKILL; load average {load0[0]:.2f} -> {load1[0]:.2f} on {os.cpu_count()} cores")
    print(f"  {'':<24}{'KB/cached wf':>14}{'CPU ms/start':>14}{'started/s':>11}{'recovery all':>14}{'p50':>8}{'worker up':>11}{'its CPU':>9}{'asked again':>13}")
    for kind, r in ((Raw, raw), (Ours, ours)):
        print(f"  {kind.name:<24}{r.kb_per_workflow:>14.1f}{r.cpu_ms_per_workflow:>14.2f}{r.per_second:>11.1f}"
              f"{r.recovery_all_s:>13.2f}s{r.recovery_p50_s:>7.2f}s{r.new_worker_ready_s:>10.2f}s{r.recovery_cpu_s:>8.1f}s{r.recovery_retries:>13}")
    figures = {
        "scale_memory_ratio": ours.kb_per_workflow / raw.kb_per_workflow,
        "scale_cpu_ratio": ours.cpu_ms_per_workflow / raw.cpu_ms_per_workflow,
        "scale_start_ratio": ours.per_second / raw.per_second,
        "recovery_all_answer_s": ours.recovery_all_s,
    }
    if profile:  # whose code the samples were in, before the figures' closing lines (bench.profile_groups)
        for key in ("raw", "ours"):
            for stage in ("start", "recovery"):
                with open(os.path.join(profile, f"{key}-{stage}.txt")) as f:
                    print(report(f"{key} worker, {stage}", groups(f)))
    for k, v in figures.items():
        print(f"{k} = {v:.2f}")
    return figures


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--teams", type=int, default=2_000)
    p.add_argument("--log-level", default="warning", help="the worker's log level (info logs every event)")
    p.add_argument("--chunk", type=int, default=200, help="workflows of one kind started before the other kind's turn")
    p.add_argument("--recovery-workers", type=int, default=1, metavar="K",
                   help="worker processes started after the SIGKILL (2: a worker pair), each on every core it gets")
    p.add_argument("--profile", metavar="DIR", help="py-spy (pip install py-spy) samples each worker per stage into DIR; skews the figures")
    p.add_argument("--serve-worker", nargs=4, metavar=("TEMPORAL", "DATABASE_URL", "TASK_QUEUE", "CACHE"),
                   help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.profile and not os.path.exists(os.path.join(os.path.dirname(sys.executable), "py-spy")):
        p.error("--profile needs py-spy in this environment: .venv/bin/pip install py-spy")
    from app.logging import configure

    configure("json", a.log_level)
    if a.serve_worker:
        temporal, url, tq, cache = a.serve_worker
        asyncio.run(serve_worker(temporal, url, tq, int(cache)))
    else:
        asyncio.run(main(a.teams, a.log_level, a.profile, a.chunk, a.recovery_workers))
