"""A status query never wedges a caller, even as the team continues as new (issue 8, defect 15).

A query that reaches a run just as it continues as new can go unanswered:
the worker's answer is refused ("workflow execution already completed") and
the caller would wait for the server's 30 s deadline. The client asks again
(by workflow id, so the next run answers). This module runs on a
time-skipping server of its own (``private_env``): there a lost query also
holds the clock.
"""

import asyncio
import time

from app.teams import QUERY_ATTEMPTS, QUERY_TIMEOUT
from domain.team import commands as cmd
from tests.support.harness import running

POLLERS = 4
RUNS = 6


async def test_status_queries_racing_continue_as_new_are_all_answered_promptly(private_env, event_store):
    async with running(private_env, event_store, prefix="plcflow-queries") as h:
        team = await h.start(await h.layout(), history_limit=20)
        stop = asyncio.Event()
        waits: list[float] = []

        async def poll() -> None:
            while not stop.is_set():
                t0 = time.monotonic()
                await h.status(team)  # an unanswered query would raise here
                waits.append(time.monotonic() - t0)

        pollers = [asyncio.create_task(poll()) for _ in range(POLLERS)]
        runs = {await h.run_id(team)}
        for i in range(200):
            await h.send(team, cmd.RecordDecision(actor="t.nelson", kind="lateral", summary=f"Norm tweak {i}"))
            # A pause lets the run drain (the last append lands) and continue as new.
            await asyncio.sleep(0.1)
            runs.add(await h.run_id(team))
            if len(runs) > RUNS:
                break
        stop.set()
        await asyncio.gather(*pollers)
        assert len(runs) > RUNS, "the team did not continue as new often enough to race the queries"
        assert max(waits) < 2 * QUERY_TIMEOUT.total_seconds() < QUERY_ATTEMPTS * QUERY_TIMEOUT.total_seconds()
        await h.assert_log_matches(team)
