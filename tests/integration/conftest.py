"""Fixtures of the notifier's tests (issue 10): a real SMTP server, and a database of each test's own."""

import pytest

from app.wiring import open_store
from tests.support.databases import fresh_database
from tests.support.smtp import smtp_inbox


@pytest.fixture
def inbox():
    """A real aiosmtpd server on 127.0.0.1 that keeps every message it accepts."""
    with smtp_inbox() as handler:
        yield handler


@pytest.fixture
async def notify_db(pg_url):
    """A database of its own: a notifier claims every due row, so other tests' outbox rows must not be in it."""
    return await fresh_database(pg_url, "notify")


@pytest.fixture
async def store(notify_db):
    store = await open_store(notify_db)
    yield store
    await store.close()
