import sys
from pathlib import Path
from uuid import uuid4

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from app.teams import TeamClient
from app.wiring import build_worker
from tests.support.harness import Harness

TEST_SERVER = Path(sys.executable).parent / "temporal-test-server"


@pytest.fixture(scope="session")
async def env():
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=str(TEST_SERVER)
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def harness(env, event_store):
    task_queue = f"plcflow-test-{uuid4()}"
    async with build_worker(env.client, event_store, task_queue=task_queue):
        h = Harness(env, TeamClient(env.client, task_queue), event_store)
        yield h
        await h.close()
