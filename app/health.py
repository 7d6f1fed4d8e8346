"""Is plcflow well? The checks behind ``plcflow doctor`` and ``GET /healthz`` (issue 8, "Health").

Each check says what it saw; each problem is one sentence that says what is
wrong and what to do. The checks that walk workflows are bounded (``Limits``):
a district has ~1,500 teams and a health check must stay cheap enough to run
every half minute, so they look at the first ``workflows`` running ones and
say when they stopped short.
"""

import asyncio
from dataclasses import dataclass, field
from importlib import resources
from urllib.parse import parse_qs, urlsplit

import asyncpg
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.notifier import parked_notices, people_without_address
from activities.parking import parked_count, parked_events
from activities.projector import Projector
from activities.projector_listen import LISTENER_NAME, PROJECTOR_NAME
from activities.webhooks import parked_posts
from workflows.contracts import TEAM_WORKFLOW
from workflows.messages import TeamStatus

from .config import Settings
from .teams import query_status
from .wiring import connect_temporal


@dataclass(frozen=True)
class Limits:
    timeout: float = 5.0  # per connection attempt or call
    lag: float = 60.0  # seconds the oldest unprojected event may wait
    workflows: int = 500  # running workflows walked per check
    settle: float = 2.0  # a team behind its log is asked again after this long (appends are in flight)


@dataclass
class Report:
    checks: dict[str, dict] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        return {"ok": self.ok, "checks": self.checks, "problems": self.problems}


def redacted(url: str) -> str:
    """Where a database is, without its password."""
    parts = urlsplit(url)
    socket_dir = parse_qs(parts.query).get("host", [""])[0]  # postgresql://user@/db?host=/run/postgresql
    where = socket_dir if socket_dir and not parts.hostname else f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    return f"{where}{parts.path}"


def migration_names() -> set[str]:
    return {f.name for f in resources.files("activities.migrations").iterdir() if f.name.endswith(".sql")}


async def run_checks(settings: Settings, *, pool: asyncpg.Pool | None = None, client: Client | None = None,
                     limits: Limits = Limits(), quick: bool = False) -> Report:
    """Every check; ``pool`` and ``client`` are reused when the caller has them (the API), opened otherwise.

    ``quick`` skips the two checks that walk running workflows (for frequent container healthchecks).
    """
    report = Report()
    own_pool = pool is None
    pool = pool or await _connect_postgres(settings, report, limits)
    client = client or await _connect_temporal(settings, report, limits)
    try:
        if pool is not None:
            report.checks.setdefault("postgresql", {"reachable": True})
            await _guarded(report, "postgresql", _database_checks(pool, report, limits),
                           "is PostgreSQL up, and DATABASE_URL right?")
        if client is not None:
            report.checks.setdefault("temporal", {"reachable": True, "address": settings.temporal_address})
            if not quick:
                await _guarded(report, "temporal", _workflow_checks(client, pool, report, limits),
                               f"is Temporal up at {settings.temporal_address}?")
    finally:
        if own_pool and pool is not None:
            await pool.close()
    return report


async def _guarded(report: Report, name: str, checks, advice: str) -> None:
    """A dependency that fails half-way through its checks is a problem to report, not a crash (a 500 from /healthz)."""
    try:
        await checks
    except Exception as err:
        report.checks[name] = {**report.checks.get(name, {}), "reachable": False}
        report.problems.append(f"{name}: checking failed ({type(err).__name__}: {err}); {advice}")


async def _database_checks(pool: asyncpg.Pool, report: Report, limits: Limits) -> None:
    if await _migrations(pool, report):
        await _projector(pool, report, limits)
        await _parked(pool, report)
        await _parked_notices(pool, report)
        await _parked_posts(pool, report)
        await _people_without_address(pool, report)


async def _workflow_checks(client: Client, pool: asyncpg.Pool | None, report: Report, limits: Limits) -> None:
    await _failing_tasks(client, report, limits)
    if pool is not None and report.checks["postgresql"].get("reachable"):
        await _teams_behind(client, pool, report, limits)


async def _connect_postgres(settings: Settings, report: Report, limits: Limits) -> asyncpg.Pool | None:
    url = settings.event_store_url()
    if not url:
        report.checks["postgresql"] = {"reachable": False}
        report.problems.append("PostgreSQL: no event store is configured; set DATABASE_URL (or start `make run`).")
        return None
    try:
        return await asyncpg.create_pool(url, min_size=1, max_size=2, timeout=limits.timeout)
    except Exception as err:  # refused, unknown host, bad password, timeout: all mean "cannot read the log"
        report.checks["postgresql"] = {"reachable": False, "at": redacted(url)}
        report.problems.append(
            f"PostgreSQL unreachable at {redacted(url)} ({type(err).__name__}: {err}); "
            "start it or fix DATABASE_URL, then run `plcflow doctor` again."
        )
        return None


async def _connect_temporal(settings: Settings, report: Report, limits: Limits) -> Client | None:
    try:
        return await asyncio.wait_for(connect_temporal(settings), limits.timeout)
    except Exception as err:
        report.checks["temporal"] = {"reachable": False, "address": settings.temporal_address}
        report.problems.append(
            f"Temporal unreachable at {settings.temporal_address} ({type(err).__name__}: {err}); "
            "start it (`make run`, or the temporal service) or fix PLCFLOW_TEMPORAL_ADDRESS."
        )
        return None


async def _migrations(pool: asyncpg.Pool, report: Report) -> bool:
    exists = await pool.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    applied = {r["name"] for r in await pool.fetch("SELECT name FROM schema_migrations")} if exists else set()
    pending = sorted(migration_names() - applied)
    report.checks["migrations"] = {"applied": len(applied), "pending": pending}
    if pending:
        report.problems.append(
            f"Migrations not applied: {', '.join(pending)}; start the worker or the projector (each applies them "
            "at start-up), then run `plcflow doctor` again."
        )
    return not pending


async def _projector(pool: asyncpg.Pool, report: Report, limits: Limits) -> None:
    """Lag: how many events are past the projector's cursor, and how long the oldest has waited."""
    behind, lag = await Projector(pool).lag()
    report.checks["projector"] = {"events_behind": behind, "lag_seconds": round(lag, 3)}
    if lag > limits.lag:
        report.problems.append(
            f"The projector is {lag:.0f} s behind ({behind} events not projected); check that the projector "
            "process is running (`python projector.py`, the projector service) and read its log."
        )
    await _projector_listening(pool, report)


async def _projector_listening(pool: asyncpg.Pool, report: Report) -> None:
    """Issue 13: a projector that lost its LISTEN connection still projects (it polls), but slower: say so.
    The sessions' application_name tells a running projector and its listener apart (this database only)."""
    running, listening = await pool.fetchrow(
        """SELECT count(*) FILTER (WHERE application_name = $1), count(*) FILTER (WHERE application_name = $2)
             FROM pg_stat_activity WHERE datname = current_database()""", PROJECTOR_NAME, LISTENER_NAME)
    report.checks["projector"].update(running=running > 0, listening=listening > 0)
    if running and not listening:
        report.problems.append(
            "The projector is running but not listening for appends (its LISTEN connection to PostgreSQL is down): "
            "it polls instead, so reads may lag; read its log (projector_listen_lost, projector_listen_failed), and "
            "if a connection pooler sits in between, point the projector at PostgreSQL itself."
        )


async def _parked(pool: asyncpg.Pool, report: Report) -> None:
    total = await parked_count(pool)
    first = await parked_events(pool, limit=5)
    report.checks["parked_events"] = {
        "count": total, "first": [{"stream_id": p.stream_id, "version": p.version, "type": p.type, "error": p.error} for p in first],
    }
    if total:
        p = first[0]
        report.problems.append(
            f"{total} events parked by the projector, first {p.stream_id} version {p.version} ({p.type}): {p.error}; "
            "fix the cause, then run `plcflow projections retry`."
        )


def _counted(report: Report, key: str, found: tuple[int, list[dict]], problem) -> None:
    """A check that counts what waits on an operator: a PROBLEM line (``problem(total, first)``) when any does."""
    total, first = found
    report.checks[key] = {"count": total, "first": first}
    if total:
        report.problems.append(problem(total, first[0]))


async def _parked_notices(pool: asyncpg.Pool, report: Report) -> None:
    _counted(report, "parked_notices", await parked_notices(pool), lambda total, n: (
        f"{total} notices parked by the notifier, first #{n['id']} to {n['recipient']} ({n['kind']}): {n['last_error']}; "
        "fix the cause (an address, the mail server), then run `plcflow notices retry`."))


async def _parked_posts(pool: asyncpg.Pool, report: Report) -> None:
    _counted(report, "parked_webhook_posts", await parked_posts(pool), lambda total, p: (
        f"{total} webhook posts parked by the notifier, first #{p['id']} to hook {p['hook']} of district "
        f"{p['district_id']} ({p['kind']}): {p['last_error']}; fix the hook (its url in PLCFLOW_WEBHOOKS_FILE, "
        f"the channel), then run `plcflow notices retry --hook {p['hook']}`."))


async def _people_without_address(pool: asyncpg.Pool, report: Report) -> None:
    """Issue 10: a person with notices and no address hears nothing; their notices are parked, never rerouted."""
    total, people = await people_without_address(pool)
    report.checks["people_without_address"] = {"count": total, "first": people}
    if total:
        names = ", ".join(f"{p['person_id']} ({p['district_id']}, {p['notices']} notices)" for p in people[:5])
        report.problems.append(
            f"{total} {'person has' if total == 1 else 'people have'} notices and no email address: {names}{' ...' if total > 5 else ''}; add their "
            "`email` to the district's people, then run `plcflow notices retry`.")


# Temporal flags a workflow after consecutive failed or timed-out workflow tasks (server 1.28+).
REPORTED_PROBLEMS = (
    "ExecutionStatus = 'Running' AND TemporalReportedProblems IN ('category=WorkflowTaskFailed', 'category=WorkflowTaskTimedOut')"
)


async def _failing_tasks(client: Client, report: Report, limits: Limits) -> None:
    """Workflows whose workflow task keeps failing: a pending task on its second attempt or later (describe,
    bounded), plus Temporal's own flag where the server sets it (1.28+, when its dynamic config enables it)."""
    try:
        failing = await _described_failing(client, limits)
        ns = await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=client.namespace))
        if ns.namespace_info.capabilities.reported_problems_search_attribute:
            flagged = [wf.id async for wf in client.list_workflows(REPORTED_PROBLEMS, limit=limits.workflows)]
            failing = sorted({*failing, *flagged})
    except RPCError as err:
        if err.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        report.checks["failing_workflow_tasks"] = {"checked": False, "why": "this server cannot list workflows"}
        return
    report.checks["failing_workflow_tasks"] = {"checked": True, "workflows": failing}
    for wf_id in failing[:10]:
        report.problems.append(
            f"Workflow {wf_id}: its workflow task keeps failing and retrying; open it in the Temporal Web UI, read the "
            "failure, fix the worker and redeploy (the task retries by itself)."
        )
    if len(failing) > 10:
        report.problems.append(f"... and {len(failing) - 10} more workflows whose task keeps failing (see the Web UI).")


async def _described_failing(client: Client, limits: Limits) -> list[str]:
    ids = [wf.id async for wf in client.list_workflows("ExecutionStatus = 'Running'", limit=limits.workflows)]
    gate = asyncio.Semaphore(20)

    async def attempt(wf_id: str) -> int:
        async with gate:
            described = await client.get_workflow_handle(wf_id).describe()
            return described.raw_description.pending_workflow_task.attempt

    attempts = await asyncio.gather(*(attempt(i) for i in ids), return_exceptions=True)
    return [i for i, a in zip(ids, attempts) if isinstance(a, int) and a > 1]


async def _teams_behind(client: Client, pool: asyncpg.Pool, report: Report, limits: Limits) -> None:
    """Teams whose state is ahead of the event log: their events are not reaching PostgreSQL."""
    query = f"WorkflowType = '{TEAM_WORKFLOW}' AND ExecutionStatus = 'Running'"
    try:
        ids = [wf.id async for wf in client.list_workflows(query, limit=limits.workflows)]
    except RPCError as err:
        if err.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        report.checks["teams_behind"] = {"checked": False, "why": "this server cannot list workflows"}
        return
    behind = await _behind(client, pool, ids, limits)
    if behind:  # appends may be in flight: only what stays behind is a problem
        await asyncio.sleep(limits.settle)
        behind = await _behind(client, pool, list(behind), limits)
    report.checks["teams_behind"] = {"checked": True, "teams": len(ids), "behind": sorted(behind)}
    for wf_id, (state, stored) in sorted(behind.items())[:10]:
        report.problems.append(
            f"Team workflow {wf_id} is at version {state} but the event log holds {stored}: its events are not being "
            "persisted; read the worker log (event_append_refused, waiting_for_dependency) and check DATABASE_URL."
        )


async def _behind(client: Client, pool: asyncpg.Pool, ids: list[str], limits: Limits) -> dict[str, tuple[int, int]]:
    gate = asyncio.Semaphore(20)

    async def version(wf_id: str) -> int:
        async with gate:
            handle = client.get_workflow_handle(wf_id)
            status = await asyncio.wait_for(query_status(handle, TeamStatus, wf_id), limits.timeout)
            return status.state.version

    versions = await asyncio.gather(*(version(i) for i in ids), return_exceptions=True)
    states = {i: v for i, v in zip(ids, versions) if isinstance(v, int)}  # a failing task is the other check's
    stored = {  # a team's stream is named like its workflow (workflows.persistence.stream_id)
        r["stream_id"]: r["version"]
        for r in await pool.fetch(
            "SELECT stream_id, max(version) AS version FROM events WHERE stream_id = ANY($1) GROUP BY stream_id", list(states)
        )
    }
    return {i: (v, stored.get(i, 0)) for i, v in states.items() if v > stored.get(i, 0)}
