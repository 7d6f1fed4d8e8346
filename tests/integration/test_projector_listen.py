"""Issue 13: the projector wakes on LISTEN/NOTIFY, and polls when it cannot listen, on real PostgreSQL.

Each test runs ``project_until`` (the projector process's loop) against a database of its own, so the
listener found in pg_stat_activity and the rounds counted are this test's.
"""

import asyncio
import inspect
import time
from datetime import date
from urllib.parse import urlsplit
from uuid import uuid4

import asyncpg
import pytest
import structlog
from prometheus_client import REGISTRY

from activities.event_store import EventStore, _init_connection
from activities.projector_listen import LISTENER_NAME
from activities.projector_loop import Backoff, project_until
from app.config import Settings
from app.health import run_checks
from app.wiring import open_store
from domain.team import commands as cmd
from tests.support.builders import local, register
from tests.support.databases import fresh_database
from tests.support.gwt import given
from workflows.persistence import to_rows

MON = date(2026, 9, 14)


@pytest.fixture
async def db(pg_url):
    url = await fresh_database(pg_url, "listen")
    store = await open_store(url)
    yield url, store
    await store.close()
    conn = await asyncpg.connect(pg_url)  # let the database take connections again, whatever a test left
    try:
        await conn.execute(f'ALTER DATABASE "{_name(url)}" ALLOW_CONNECTIONS true')
    finally:
        await conn.close()


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def rounds(by: str) -> float:
    return REGISTRY.get_sample_value("plcflow_projector_rounds_total", {"woken_by": by}) or 0.0


async def until(condition, what: str, timeout: float = 10.0, every: float = 0.005) -> float:
    """Seconds until ``condition()`` (a function, or a coroutine function) is true; fails after ``timeout``."""
    t0 = time.monotonic()
    while not await _value(condition()):
        assert time.monotonic() - t0 < timeout, f"waited {timeout} s for {what}"
        await asyncio.sleep(every)
    return time.monotonic() - t0


async def listener_pids(pool) -> list[int]:
    rows = await pool.fetch("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
                            LISTENER_NAME)
    return [r["pid"] for r in rows]


async def append_team(pool_or_store, team_id: str) -> None:
    team = given((register(team_id), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))
    await pool_or_store.append(f"team-{team_id}", to_rows(1, team.log))


def projected(pool, team_id: str):
    async def check() -> bool:
        return await pool.fetchval("SELECT version FROM team_status WHERE team_id = $1", team_id) is not None
    return check


async def test_an_append_is_projected_at_once_by_the_notification_not_the_poll(db):
    url, store = db
    stop = asyncio.Event()
    # a 30 s poll: anything projected within a second was woken by the notification
    task = asyncio.create_task(project_until(url, stop, structlog.get_logger(), Backoff(interval=30.0)))
    try:
        await until(lambda: _has_listener(store.pool), "the listener to connect")
        await asyncio.sleep(0.2)  # the first round (at start-up) is done
        polled, notified = rounds("poll"), rounds("notify")
        took = []
        for _ in range(3):
            team_id = f"wake-{uuid4().hex[:8]}"
            t0 = time.monotonic()
            await append_team(store, team_id)
            await until(projected(store.pool, team_id), "the team's row")
            took.append(time.monotonic() - t0)
        assert max(took) < 1.0, took
        assert rounds("poll") == polled and rounds("notify") >= notified + 3

        # a burst of 200 appends: every one projected, in far fewer rounds than appends (coalesced)
        before = rounds("notify")
        ids = [f"burst-{uuid4().hex[:8]}" for _ in range(200)]
        await asyncio.gather(*(append_team(store, t) for t in ids))
        await until(lambda: _count(store.pool, ids, 200), "all 200 teams", timeout=20)
        assert rounds("notify") - before < 200
        assert REGISTRY.get_sample_value("plcflow_projector_listening") == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert REGISTRY.get_sample_value("plcflow_projector_listening") == 0


async def test_a_killed_listener_falls_back_to_polling_says_so_and_comes_back(db, pg_url):
    url, store = db
    name = _name(url)
    admin = await asyncpg.connect(pg_url)  # another database: ALTER DATABASE from outside it
    writer = await asyncpg.connect(url)  # opened before the database refuses new connections
    await _init_connection(writer)
    stop = asyncio.Event()
    with structlog.testing.capture_logs() as logs:
        task = asyncio.create_task(project_until(url, stop, structlog.get_logger(),
                                                 Backoff(interval=1.0, first=0.2, cap=0.4)))
        try:
            await until(lambda: _has_listener(store.pool), "the listener to connect")
            [pid] = await listener_pids(writer)
            # no new connection may open, so the listener cannot come back yet: only the poll is left
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            assert await writer.fetchval("SELECT pg_terminate_backend($1)", pid)
            await until(lambda: _logged(logs, "projector_listen_lost"), "the loss to be logged")
            assert REGISTRY.get_sample_value("plcflow_projector_listening") == 0

            report = await run_checks(Settings(temporal_address="127.0.0.1:1"), pool=writer, quick=True)
            assert report.checks["projector"]["running"] and not report.checks["projector"]["listening"]
            assert [p for p in report.problems if p.startswith("The projector is running but not listening for appends")]

            polled = rounds("poll")
            team_id = f"fallback-{uuid4().hex[:8]}"
            await append_team(EventStore(writer), team_id)  # through the connection opened before
            await until(projected(writer, team_id), "the poll to project the team", timeout=5)
            assert rounds("poll") > polled
            assert await listener_pids(writer) == []  # it was the poll: nobody was listening
            assert _logged(logs, "projector_listen_failed")  # and each try to come back is in the log

            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            await until(lambda: _has_listener(store.pool), "the listener to come back")
            assert (await listener_pids(store.pool))[0] != pid
            assert REGISTRY.get_sample_value("plcflow_projector_listening") == 1
            report = await run_checks(Settings(temporal_address="127.0.0.1:1"), pool=store.pool, quick=True)
            assert report.checks["projector"]["listening"]
            assert not [p for p in report.problems if "not listening" in p]

            notified = rounds("notify")
            team_id = f"back-{uuid4().hex[:8]}"
            await asyncio.sleep(0.05)
            await append_team(store, team_id)
            assert await until(projected(store.pool, team_id), "the team's row") < 0.9  # sooner than the 1 s poll
            assert rounds("notify") > notified
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
            await writer.close()
            await admin.close()


async def _has_listener(pool) -> bool:
    return bool(await listener_pids(pool))


async def _count(pool, ids, n) -> bool:
    return await pool.fetchval("SELECT count(*) FROM team_status WHERE team_id = ANY($1)", ids) == n


async def _value(result):
    return await result if inspect.isawaitable(result) else result


def _logged(logs, event: str) -> bool:
    return any(entry["event"] == event for entry in logs)
