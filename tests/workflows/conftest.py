import sys
from pathlib import Path

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tests.support.harness import running

TEST_SERVER = Path(sys.executable).parent / "temporal-test-server"


async def _time_skipping():
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=str(TEST_SERVER)
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def env():
    async for e in _time_skipping():
        yield e


@pytest.fixture(scope="module")
async def private_env():
    """A time-skipping server for one module whose tests leave its clock stuck: a workflow task
    that fails on purpose, or a query lost as a run closes, holds the clock until the server
    stops, and would stall every later test sharing ``env``."""
    async for e in _time_skipping():
        yield e


@pytest.fixture
async def harness(env, event_store):
    async with running(env, event_store) as h:
        yield h
