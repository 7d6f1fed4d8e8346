"""``plcflow doctor`` and ``GET /healthz`` (issue 8, "Health") against real parts: the time-skipping
server and a fresh PostgreSQL database per test for the stack-level checks, the dev server for the
checks that list workflows (the time-skipping server cannot list them)."""

import asyncio
import os
from datetime import date
import sys
from pathlib import Path
from uuid import uuid4

import asyncpg
import httpx
import pytest
from temporalio import workflow
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.event_store import EventStore, NewEvent
from activities.projector import Projector
from activities.read_models import ReadModels
from activities.tokens import TokenStore
from api.app import create_app
from api.runtime import Runtime
from app.config import Settings
from app.districts import DistrictClient
from app.health import Limits, run_checks
from app.teams import TeamClient
from app.wiring import build_worker, open_store
from tests.support.builders import local, register
from tests.support.databases import fresh_database
from tests.support.gwt import given
from domain.team import commands as cmd
from workflows.persistence import to_rows

ROOT = Path(__file__).resolve().parents[2]
MONDAY = local(date(2026, 9, 14))


@pytest.fixture
async def store(pg_url):
    store = await open_store(await fresh_database(pg_url, "doctor"))
    yield store
    await store.close()


def address(env: WorkflowEnvironment) -> str:
    return env.client.service_client.config.target_host


async def doctor(database_url: str, temporal: str, *args: str) -> tuple[int, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PLCFLOW_TEMPORAL_ADDRESS": temporal, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode()


async def park_one(store: EventStore) -> tuple[str, int]:
    """A team whose read-model row is already there (a stray row): its registration cannot be projected."""
    team_id = f"stray-{uuid4().hex[:8]}"
    await store.pool.execute(
        "INSERT INTO team_status (team_id, school_id, district_id, name, version) VALUES ($1, 's', 'd', 'stray', 0)", team_id
    )
    team = given((register(team_id), MONDAY), (cmd.StartCycle(actor="a.kennedy"), MONDAY))
    await store.append(f"team-{team_id}", to_rows(1, team.log))
    await Projector(store.pool).catch_up()
    return team_id, len(team.log)


async def test_a_healthy_stack_passes_the_doctor(env, store):
    code, out = await doctor(store_url(store), address(env), "doctor")
    assert code == 0, out
    assert out.strip().endswith("healthy") and "PROBLEM" not in out


async def test_an_unreachable_postgresql_is_one_problem_line_and_exit_1(env):
    code, out = await doctor("postgresql://plcflow:secret@127.0.0.1:1/plcflow", address(env), "doctor")
    assert code == 1
    [line] = [x for x in out.splitlines() if x.startswith("PROBLEM")]
    assert line.startswith("PROBLEM PostgreSQL unreachable at 127.0.0.1:1/plcflow (ConnectionRefusedError")
    assert line.endswith("start it or fix DATABASE_URL, then run `plcflow doctor` again.")
    assert "secret" not in out


async def test_a_parked_event_is_reported_until_an_operator_retries_it(env, store):
    team_id, events = await park_one(store)
    code, out = await doctor(store_url(store), address(env), "doctor")
    assert code == 1
    [line] = [x for x in out.splitlines() if x.startswith("PROBLEM")]
    assert line.startswith(f"PROBLEM {events} events parked by the projector, first team-{team_id} version 1 (TeamRegistered)")
    assert line.endswith("fix the cause, then run `plcflow projections retry`.")

    await store.pool.execute("DELETE FROM team_status WHERE team_id = $1", team_id)  # the operator's fix
    code, out = await doctor(store_url(store), address(env), "projections", "retry")
    assert (code, out.strip()) == (0, f"Re-projected {events} parked events; 0 still parked")
    assert (await doctor(store_url(store), address(env), "doctor"))[0] == 0


async def test_pending_migrations_and_projector_lag_are_reported(env, pg_url, store):
    bare = await asyncpg.create_pool(await fresh_database(pg_url, "doctor"), min_size=1, max_size=1)
    try:
        report = await run_checks(Settings(), pool=bare, client=env.client)
    finally:
        await bare.close()
    assert report.checks["migrations"]["applied"] == 0
    assert report.problems[0].startswith("Migrations not applied: 0001_events.sql")

    await store.append("team-lagging", [NewEvent(version=1, type="TeamPaused", data={}, occurred_at=MONDAY)])
    report = await run_checks(Settings(), pool=store.pool, client=env.client, limits=Limits(lag=0.0))
    assert report.checks["projector"]["events_behind"] == 1
    assert [p for p in report.problems if p.startswith("The projector is")]


async def test_healthz_is_200_when_healthy_and_503_with_the_problems_when_not(env, store):
    teams = TeamClient(env.client, "unused")
    rt = Runtime(teams, DistrictClient(env.client, "unused"), ReadModels(store.pool), TokenStore(store.pool),
                 health=lambda quick: run_checks(Settings(), pool=store.pool, client=env.client, quick=quick))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(rt)), base_url="http://plcflow") as http:
        healthy = await http.get("/healthz")
        assert (healthy.status_code, healthy.json()["ok"], healthy.json()["problems"]) == (200, True, [])
        await park_one(store)
        sick = await http.get("/healthz", params={"quick": "true"})
    assert (sick.status_code, sick.json()["ok"]) == (503, False)
    assert "plcflow projections retry" in sick.json()["problems"][0]


def store_url(store: EventStore) -> str:
    """The DSN a store was opened with (asyncpg keeps it on the pool)."""
    return store.pool._connect_args[0]


# --- checks that list workflows: on the dev server ---


@workflow.defn(name="HealthCheckBroken", sandboxed=False)  # the sandbox would re-import this whole test module
class Broken:
    @workflow.run
    async def run(self) -> None:
        raise RuntimeError("a bug in workflow code")  # not an ApplicationError: the task fails and retries forever


@pytest.fixture(scope="module")
async def dev_env():
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter, dev_server_existing_path=str(Path(sys.executable).parent / "temporal")
    )
    yield env
    await env.shutdown()


async def test_a_failing_workflow_task_and_a_team_whose_events_do_not_persist_are_reported(dev_env, event_store):
    queue = f"health-{uuid4()}"
    # This worker's PostgreSQL is away (as when its DATABASE_URL is wrong): its teams run but cannot persist.
    away = EventStore(await asyncpg.create_pool("postgresql://x:y@127.0.0.1:1/db", min_size=0, max_size=1))
    async with build_worker(dev_env.client, away, task_queue=queue, extra_workflows=[Broken]):
        broken = await dev_env.client.start_workflow(Broken.run, id=f"broken-{uuid4().hex[:8]}", task_queue=queue)
        team_id = f"behind-{uuid4().hex[:8]}"
        await TeamClient(dev_env.client, queue).start(register(team_id))
        for _ in range(60):
            report = await run_checks(Settings(), pool=event_store.pool, client=dev_env.client,
                                      limits=Limits(settle=0.5))
            if broken.id in report.checks["failing_workflow_tasks"]["workflows"] and report.checks["teams_behind"]["behind"]:
                break
            await asyncio.sleep(0.5)
        await broken.terminate("test finished")
        await TeamClient(dev_env.client, queue).handle(team_id).terminate("test finished")
    assert not report.ok
    assert f"Workflow {broken.id}: its workflow task keeps failing and retrying" in "\n".join(report.problems)
    assert report.checks["teams_behind"]["behind"] == [f"team-{team_id}"]
    assert any(p.startswith(f"Team workflow team-{team_id} is at version ") and "the event log holds 0" in p
               for p in report.problems)


async def test_a_parked_notice_is_reported_until_an_operator_makes_it_due_again(env, store):
    """Issue 10: a notice the notifier parked (a person with no address) is a doctor line, never silent."""
    from activities.event_store import Notification
    from activities.notifier import park

    stream = f"team-notice-{uuid4().hex[:8]}"
    await store.append(stream, [NewEvent(version=1, type="TeamPaused", data={}, occurred_at=MONDAY)],
                       [Notification(version=1, recipient="p.nobody", kind="escalation", payload={"reason": "due"})])
    [row_id] = [r["id"] for r in await store.pool.fetch("SELECT id FROM outbox WHERE stream_id = $1", stream)]
    await park(store.pool, [row_id], "p.nobody has no email address")
    code, out = await doctor(store_url(store), address(env), "doctor")
    assert code == 1
    [line] = [x for x in out.splitlines() if x.startswith("PROBLEM") and "notices parked" in x]
    assert f"notices parked by the notifier, first #{row_id} to p.nobody (escalation): p.nobody has no email address" in line
    assert line.endswith("then run `plcflow notices retry`.")

    code, out = await doctor(store_url(store), address(env), "notices", "retry", "--recipient", "p.nobody")
    assert (code, out.strip()) == (0, "Due again: 1 parked notice(s)")
    row = await store.pool.fetchrow("SELECT parked_at, attempts, sent_at FROM outbox WHERE id = $1", row_id)
    assert row["parked_at"] is None and row["attempts"] == 0 and row["sent_at"] is None
    await store.pool.execute("UPDATE outbox SET sent_at = now() WHERE id = $1", row_id)  # the notifier delivers it
