"""``/metrics`` per process (issue 8, "Metrics"): the real worker and projector processes started with
PLCFLOW_METRICS_ADDRESS, scraped over HTTP; commands counted where they are sent, never in workflow code."""

import asyncio
import os
import signal
import socket
import sys
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from prometheus_client import REGISTRY

from app.teams import CommandRefused, TeamClient
from app.wiring import open_store
from domain.team import commands as cmd
from domain.steps import Step
from tests.support.builders import EVIDENCE
from tests.support.databases import fresh_database
from tests.support.harness import Harness, settled

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start(script: str, **env: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / script), cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "PLCFLOW_LOG_FORMAT": "json", **env},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 20)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()


async def scrape_until(port: int, *wanted: str, proc: asyncio.subprocess.Process, timeout: float = 30) -> str:
    """The metrics page once it shows every wanted line fragment."""
    text = ""
    async with httpx.AsyncClient() as http:
        for _ in range(int(timeout / 0.2)):
            assert proc.returncode is None, f"the process exited with {proc.returncode}"
            try:
                text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
            except httpx.TransportError:
                text = ""
            if all(w in text for w in wanted):
                return text
            await asyncio.sleep(0.2)
    missing = [w for w in wanted if w not in text]
    raise AssertionError(f"never scraped {missing}")


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def database(pg_url):
    url = await fresh_database(pg_url, "metrics")
    store = await open_store(url)
    yield url, store
    await store.close()


async def test_the_projector_serves_its_lag_and_parked_events(database):
    url, store = database
    port = free_port()
    proc = await start("projector.py", DATABASE_URL=url, PLCFLOW_METRICS_ADDRESS=f"127.0.0.1:{port}")
    try:
        text = await scrape_until(port, "plcflow_projector_lag_seconds 0.0", "plcflow_parked_events 0.0",
                                  "plcflow_projector_events_behind 0.0", "plcflow_events_projected_total", proc=proc)
    finally:
        await stop(proc)
    assert "# TYPE plcflow_events_parked_total counter" in text


async def test_the_worker_serves_the_sdk_series_and_the_events_and_escalations_it_appended(env, database):
    url, store = database
    port, queue = free_port(), f"metrics-{uuid4()}"
    proc = await start("worker.py", DATABASE_URL=url, PLCFLOW_METRICS_ADDRESS=f"127.0.0.1:{port}",
                       PLCFLOW_TEMPORAL_ADDRESS=env.client.service_client.config.target_host, PLCFLOW_TASK_QUEUE=queue)
    h = Harness(env, TeamClient(env.client, queue), store)
    try:
        await scrape_until(port, "temporal_", proc=proc)  # the worker is up (its SDK series are served)
        layout = await h.layout()
        team = await h.start(layout)
        await h.advance(team, Step.IDENTIFY_FOCUS)
        await env.sleep(timedelta(days=20))  # the open step is long past due: the ladder climbs
        status = await settled(lambda: h.status(team))
        assert status.state.escalation is not None
        text = await scrape_until(
            port,
            'plcflow_events_appended_total{type="TeamRegistered"} 1.0',
            'plcflow_events_appended_total{type="StepOpened"}',
            f'plcflow_escalations_raised_total{{kind="team",rung="{status.state.escalation.level.value}"}}',
            "temporal_worker_task_slots_available",
            "temporal_request_total",
            proc=proc,
        )
    finally:
        await h.close()
        await stop(proc)
    assert "# TYPE plcflow_append_retries_total counter" in text


async def test_commands_are_counted_accepted_and_refused_by_type_where_they_are_sent(harness):
    before = (sample("plcflow_commands_total", command="advance", outcome="accepted"),
              sample("plcflow_commands_total", command="advance", outcome="refused"))
    team = await harness.start(await harness.layout())
    await harness.advance(team, Step.IDENTIFY_FOCUS)
    with pytest.raises(CommandRefused):
        await harness.send(team, cmd.AdvanceStep(actor="t.nelson", step=Step.ANALYZE, evidence=EVIDENCE[Step.ANALYZE]))
    after = (sample("plcflow_commands_total", command="advance", outcome="accepted"),
             sample("plcflow_commands_total", command="advance", outcome="refused"))
    assert (after[0] - before[0], after[1] - before[1]) == (1.0, 1.0)
    await harness.assert_log_matches(team)  # nothing in flight when the test's worker stops
