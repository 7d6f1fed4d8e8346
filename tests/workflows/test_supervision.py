"""No silent failures: a background loop that dies fails the workflow task (issue 8, defect 1).

A fake ``append_events`` activity, registered under the real name, refuses
the way the real one does on a stream conflict (a non-retryable
ApplicationError). The workflow must not carry on accepting commands it no
longer persists: its task fails, visibly, in history. A task failing for
ever holds the time-skipping clock, hence ``private_env``.
"""

import asyncio
from collections.abc import Callable

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.exceptions import ApplicationError

from activities.team_events import AppendEvents
from domain import commands as cmd
from domain.steps import STEPS, Step
from tests.support.harness import Harness, running


def refusing(refuses: Callable[[AppendEvents], bool]):
    @activity.defn(name="append_events")
    async def append_events(batch: AppendEvents) -> None:
        if refuses(batch):
            raise ApplicationError("stream conflict at this version", type="StreamConflict", non_retryable=True)

    return append_events


async def first_task_failure(h: Harness, team_id: str, timeout: float = 30.0) -> str:
    """The message of the team's first failed workflow task, waiting for it to be recorded."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for e in await h.history_events(team_id):
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                return e.workflow_task_failed_event_attributes.failure.message
        await asyncio.sleep(0.1)
    raise AssertionError(f"no workflow task of {team_id} failed within {timeout} s: the dead loop went unnoticed")


async def test_a_log_that_refuses_an_append_fails_the_team_task_instead_of_going_silent(private_env, event_store):
    async with running(private_env, event_store, "plcflow-refusing", [refusing(lambda batch: True)]) as h:
        team = await h.start(await h.layout())
        message = await first_task_failure(h, team)
        assert message.startswith("the persist loop died: event log refused versions 1..")


async def test_a_refusal_while_draining_before_continue_as_new_fails_the_task(private_env, event_store):
    def refuses_the_closing_batch(batch: AppendEvents) -> bool:
        return any(e.type == "CycleClosed" for e in batch.events)

    async with running(private_env, event_store, "plcflow-refusing", [refusing(refuses_the_closing_batch)]) as h:
        team = await h.start(await h.layout())
        first_run = await h.run_id(team)
        for step in STEPS:
            if step is Step.REFLECT_AND_DECIDE:
                await h.send(team, cmd.RecordDecision(actor="d.slavit", kind="lateral", summary="Keep the routine"))
            await h.advance(team, step)
        message = await first_task_failure(h, team)
        assert message.startswith("the persist loop died: event log refused versions")
        assert await h.run_id(team) == first_run  # it did not continue as new past the refused events
