import sys
from pathlib import Path

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tests.support.harness import running

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
    async with running(env, event_store) as h:
        yield h
