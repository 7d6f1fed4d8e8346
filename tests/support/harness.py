"""One harness for workflow tests: start teams on a fresh task queue, act, check the log.

Every workflow test ends with ``assert_log_matches``: the fold of the team's
PostgreSQL stream equals the state the workflow reports.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import uuid4

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.event_store import EventStore
from app.wiring import WORKFLOWS, build_worker
from app.teams import TeamClient
from domain.team import commands as cmd
from domain.team.commands import RegisterTeam
from domain.team.policy import EscalationPolicy
from domain.steps import Step
from workflows.messages import CommandResult, TeamStatus
from workflows.persistence import fold_rows, from_rows, stream_id

from .builders import EVIDENCE, profile
from .calendars import Layout, layout_around


# Real seconds a test waits for something the workers do on their own: generous, because the
# machine is shared (2 cores, other suites running) and the server may retry a workflow task
# only after its 10 s timeout. Waits end as soon as the condition holds (issue 8, defect 15).
PATIENCE = 60.0


async def eventually(check, what: str, timeout: float = PATIENCE):
    """Wait until ``await check()`` is truthy; return its value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if result := await check():
            return result
        if loop.time() > deadline:
            raise AssertionError(f"never happened within {timeout:.0f} s: {what}")
        await asyncio.sleep(0.05)


async def settled(get_status):
    """Wait until a workflow's events have all reached the log (its status says persisted == version)."""

    async def persisted():
        status = await get_status()
        return status if status.persisted_version == status.state.version else None

    return await eventually(persisted, "events finished persisting")


async def continued(handle: WorkflowHandle, previous_run: str) -> str:
    """Wait for a workflow to continue as new (by describe, not by query); return the new run id.

    Query a workflow at a moment it is known to continue as new only after this:
    the time-skipping server loses a query that reaches a run as it closes, and
    the lock that query holds stops its clock for the rest of the session.
    """

    async def new_run():
        run = (await handle.describe()).run_id
        return run if run != previous_run else None

    return await eventually(new_run, f"{handle.id} continued as new")


@dataclass
class Harness:
    env: WorkflowEnvironment
    teams: TeamClient
    store: EventStore
    started: list[str] = field(default_factory=list)

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    async def layout(self) -> Layout:
        return layout_around((await self.now()).date())

    async def start(self, layout: Layout, *, history_limit: int | None = None, **policy) -> str:
        team_id = f"t-{uuid4().hex[:12]}"
        register = RegisterTeam(
            actor="district.admin", team=profile(team_id), calendar=layout.calendar, policy=EscalationPolicy(**policy)
        )
        await self.teams.start(register, history_limit=history_limit)
        self.started.append(team_id)
        return team_id

    async def send(self, team_id: str, command: cmd.Command, **kw) -> CommandResult:
        return await self.teams.send(team_id, command, **kw)

    async def advance(self, team_id: str, step: Step, actor: str = "t.nelson") -> CommandResult:
        return await self.send(team_id, cmd.AdvanceStep(actor=actor, step=step, evidence=EVIDENCE[step]))

    async def status(self, team_id: str) -> TeamStatus:
        return await self.teams.status(team_id)

    async def sleep_until(self, layout: Layout, d: date, at: time = time(12)) -> None:
        target = layout.calendar.at_local(d, at)
        delta = target - await self.now()
        assert delta > timedelta(0), f"cannot sleep back to {target}"
        await self.env.sleep(delta)

    async def run_id(self, team_id: str) -> str:
        return (await self.teams.handle(team_id).describe()).run_id

    async def next_run(self, team_id: str, previous: str) -> str:
        """Continue-as-new waits for the last append, so a new run appears shortly after."""
        return await continued(self.teams.handle(team_id), previous)

    async def stored_events(self, team_id: str):
        return from_rows(await self.store.read_stream(stream_id(team_id)))

    async def history_events(self, team_id: str) -> list:
        return list((await self.teams.handle(team_id).fetch_history()).events)

    async def history_length(self, team_id: str) -> int:
        return len(await self.history_events(team_id))

    async def assert_log_matches(self, team_id: str) -> TeamStatus:
        status = await settled(lambda: self.status(team_id))
        rows = await self.store.read_stream(stream_id(team_id))
        assert [r.version for r in rows] == list(range(1, status.state.version + 1))
        assert fold_rows(rows) == status.state
        return status

    async def close(self) -> None:
        for team_id in self.started:
            try:
                await self.teams.handle(team_id).terminate("test finished")
            except Exception:
                pass  # already closed


@asynccontextmanager
async def running(
    env: WorkflowEnvironment, store: EventStore, prefix: str = "plcflow-test", activities: Sequence[Callable] | None = None
) -> AsyncIterator[Harness]:
    """A worker on a fresh task queue for one test, and a harness to drive it.

    ``activities`` replaces the real ones with fakes registered under the real
    names (an event log that refuses, one that is away for a while).
    """
    task_queue = f"{prefix}-{uuid4()}"
    worker = (
        build_worker(env.client, store, task_queue=task_queue) if activities is None
        else Worker(env.client, task_queue=task_queue, workflows=list(WORKFLOWS), activities=list(activities))
    )
    async with worker:
        h = Harness(env, TeamClient(env.client, task_queue), store)
        try:
            yield h
        finally:
            await h.close()
