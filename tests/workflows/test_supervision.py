"""No silent failures: a background loop that dies fails the workflow task (issue 8, defect 1).

A fake ``append_events`` activity, registered under the real name, refuses
the way the real one does on a stream conflict (a non-retryable
ApplicationError). The workflow must not carry on accepting commands it no
longer persists: its task fails, visibly, in history. A task failing for
ever holds the time-skipping clock, hence ``private_env``.
"""

from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.exceptions import ApplicationError

from activities.team_events import AppendEvents
from app.files import load_district_file
from domain.team import commands as cmd
from domain.school import commands as m
from domain.steps import STEPS, Step
from tests.support.calendars import years_around
from tests.support.harness import PATIENCE, eventually, running
from workflows.contracts import SCHOOL_WORKFLOW, school_workflow_id
from workflows.school_adoption import SchoolWorkflowInput

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"


def refusing(refuses: Callable[[AppendEvents], bool]):
    @activity.defn(name="append_events")
    async def append_events(batch: AppendEvents) -> None:
        if refuses(batch):
            raise ApplicationError("stream conflict at this version", type="StreamConflict", non_retryable=True)

    return append_events


async def first_task_failure(handle, timeout: float = PATIENCE) -> str:
    """The message of the workflow's first failed task, waiting for it to be recorded."""

    async def failure():
        async for e in handle.fetch_history_events():
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                return e.workflow_task_failed_event_attributes.failure.message
        return None

    return await eventually(failure, f"a workflow task of {handle.id} failed: a dead loop went unnoticed", timeout)


async def test_a_log_that_refuses_an_append_fails_the_team_task_instead_of_going_silent(private_env, event_store):
    async with running(private_env, event_store, "plcflow-refusing", [refusing(lambda batch: True)]) as h:
        team = await h.start(await h.layout())
        message = await first_task_failure(h.teams.handle(team))
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
        message = await first_task_failure(h.teams.handle(team))
        assert message.startswith("the persist loop died: event log refused versions")
        assert await h.run_id(team) == first_run  # it did not continue as new past the refused events


async def test_a_school_whose_log_refuses_fails_its_task_too(private_env, event_store):
    """The shell is every workflow's: the school gets the same supervision as the team."""
    async with running(private_env, event_store, "plcflow-refusing", [refusing(lambda batch: True)]) as h:
        start = load_district_file(EXAMPLES / "justice-county.yaml")
        cal = years_around((await h.now()).date()).calendar
        school_id = f"jc-middle-{uuid4().hex[:8]}"
        school = start.district.school("jc-middle").model_copy(update={"school_id": school_id, "teams": ()})
        opening = m.OpenSchool(actor="k.admin", district_id="justice-county", school=school, calendar=cal,
                               rubric=start.rubric, coalition=("k.admin",))
        handle = await h.env.client.start_workflow(SCHOOL_WORKFLOW, SchoolWorkflowInput(opening=opening),
                                                   id=school_workflow_id(school_id), task_queue=h.teams._task_queue)
        try:
            assert (await first_task_failure(handle)).startswith("the persist loop died: event log refused versions 1..")
        finally:
            await handle.terminate("test finished")
