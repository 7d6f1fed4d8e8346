"""Projection-lag benchmark (issue 13): polling only against LISTEN/NOTIFY, in the same run.

    make bench-projection                              # 1,000 teams advancing at once, each way
    .venv/bin/python -m bench.projection --teams 300 --runs 2

On the embedded stack (``bench/stack.py``), N real team workflows are started
and then advance all at once while the projector runs as its own process, as
in production (``bench.supervisor.projection_lag``). Each run does this twice
with fresh teams, first with the projector polling only (PLCFLOW_PROJECTOR_LISTEN=0,
its 100 ms interval), then LISTENing. The lag is the projector's own, on the
database's clock: from the advance's append (``events.recorded_at``, the start
of the append's transaction, a few ms before its commit) to the checkpoint
written in the same transaction as the read models (``projected_at``). Prints
p50/p99 for each and ``projection_lag_p99_ratio`` (polling / listening).
"""

import argparse
import asyncio
import os
from uuid import uuid4

from app.logging import configure
from app.wiring import build_worker

from .advance import pct
from .stack import embedded_stack
from .supervisor import projection_lag


def row(name: str, lag: list[float]) -> str:
    return f"  {name:<34} p50 {pct(lag, .5) * 1000:6.1f} ms  p99 {pct(lag, .99) * 1000:6.1f} ms  ({len(lag)} advances)"


async def main(n: int, runs: int) -> None:
    lags: dict[str, list[float]] = {"polling only (every 100 ms)": [], "LISTEN/NOTIFY": []}
    async with embedded_stack() as (env, store):
        tq = f"bench-{uuid4()}"
        dsn = store.pool._connect_args[0]  # the URL the stack's store was opened with
        async with build_worker(env.client, store, task_queue=tq, workflow_cache=4 * n * runs):
            for _ in range(runs):
                for listen, name in zip((False, True), lags):
                    *_, db_lag = await projection_lag(env, store, dsn, tq, n, listen=listen)
                    lags[name] += db_lag
    load = os.getloadavg()
    print(f"projection-lag benchmark: {n} teams advancing at once, {runs} run(s) each way, embedded stack; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("  committed -> projected (database clock):")
    for name, lag in lags.items():
        print(row(name, lag))
    polling, listening = lags.values()
    print(f"projection_lag_p99_ms = {pct(listening, .99) * 1000:.1f}")
    print(f"projection_lag_p99_ratio = {pct(polling, .99) / max(pct(listening, .99), 1e-6):.2f}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--teams", type=int, default=1_000)
    p.add_argument("--runs", type=int, default=1)
    a = p.parse_args()
    configure("json", "warning")
    asyncio.run(main(a.teams, a.runs))
