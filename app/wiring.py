"""The one place that builds clients, stores and workers from configuration.

Used alike by ``worker.py`` (production), the embedded stack (``make run``),
the API, the CLI, the tests and the benchmarks, so all of them run the same wiring.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import TLSConfig
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.event_store import EventStore
from activities.team_events import EventLogActivities
from workflows.district_rollout import DistrictRolloutWorkflow
from workflows.school_adoption import SchoolAdoptionWorkflow
from workflows.team_cycle import TeamCycleWorkflow

from .config import Settings
from .districts import DistrictClient
from .teams import TeamClient

WORKFLOWS: Sequence[type] = (DistrictRolloutWorkflow, SchoolAdoptionWorkflow, TeamCycleWorkflow)

# Issue 13: the sandbox imports a workflow's module afresh for every run it starts or replays. Profiled
# under ``make bench-scale``, that import (compiling the module's source, where no .pyc exists, as in
# our image with PYTHONDONTWRITEBYTECODE, then building the class and its Temporal definition) was two
# thirds of the worker's time handling activations, and each cached team kept its own copy of the module.
# Our workflow modules keep no mutable module state and already run the pure domain and the shell passed
# through, so one shared import loses no isolation they had; the sandbox's restrictions stay for every
# other module a workflow imports.
SANDBOX = SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules("workflows"))

# Issue 13: how long a workflow task or a query waits on the sticky queue of the worker that has the
# workflow cached before the server hands it, with full history, to any worker. After a worker dies
# (SIGKILL, OOM, a lost node) everything it last handled waits this long: with the SDK's 10 s, a
# restarted worker answered nothing it had cached for ~10 s, and 2,000 teams took 23-59 s to all
# answer. Too short costs the other way: a task that waits longer on a live but busy worker is
# replayed from its whole history instead of continuing from the cache, more work just when the
# worker is saturated. 200 teams advancing at once take p99 ~0.9 s on this 2-core machine (make
# bench), so 3 s leaves a live worker three times its worst queueing before that happens, and keeps
# the failover wait a third of the default.
STICKY_TIMEOUT = timedelta(seconds=3)


def temporal_tls(settings: Settings) -> TLSConfig | bool:
    """False (plain), True (TLS against the system's roots), or a TLSConfig with our CA, client pair, server name."""
    if not settings.temporal_tls:
        return False
    files = (settings.temporal_tls_ca, settings.temporal_tls_cert, settings.temporal_tls_key)
    if not any(files) and settings.temporal_tls_server_name is None:
        return True
    ca, cert, key = (path.read_bytes() if path else None for path in files)
    return TLSConfig(server_root_ca_cert=ca, client_cert=cert, client_private_key=key,
                     domain=settings.temporal_tls_server_name)


def temporal_connect_options(settings: Settings) -> dict[str, Any]:
    """Everything ``Client.connect`` gets besides the address (issue 8: TLS, mTLS, API key from the environment)."""
    return {
        "namespace": settings.temporal_namespace,
        "data_converter": pydantic_data_converter,
        "tls": temporal_tls(settings),
        "api_key": settings.temporal_api_key,
    }


async def connect_temporal(settings: Settings) -> Client:
    return await Client.connect(settings.temporal_address, **temporal_connect_options(settings))


@dataclass(frozen=True)
class Clients:
    """What the API, the CLI and the stack send commands and queries through."""

    temporal: Client
    teams: TeamClient
    districts: DistrictClient


def clients_for(client: Client, settings: Settings) -> Clients:
    return Clients(client, TeamClient(client, settings.task_queue), DistrictClient(client, settings.task_queue))


async def connect_clients(settings: Settings) -> Clients:
    return clients_for(await connect_temporal(settings), settings)


async def open_store(database_url: str) -> EventStore:
    """Connect and bring the schema up to date (versioned migrations, safe to run from every worker)."""
    store = await EventStore.connect(database_url)
    await store.migrate()
    return store


def build_worker(
    client: Client, store: EventStore, *, task_queue: str, workflow_cache: int = 2_000, extra_workflows: Sequence[type] = (),
    extra_activities: Sequence[Callable] = (),
) -> Worker:
    """``extra_*``: the benchmarks' baselines, hosted by the same worker so they share its costs; their
    modules pass through the sandbox like ours, so a ratio against them measures our workflows, not the
    sandbox's per-run import (issue 13)."""
    activities = EventLogActivities(store)
    runner = SANDBOX
    if extra_workflows:
        modules = sorted({w.__module__ for w in extra_workflows})
        runner = SandboxedWorkflowRunner(restrictions=SANDBOX.restrictions.with_passthrough_modules(*modules))
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[*WORKFLOWS, *extra_workflows],
        activities=[activities.append_events, *extra_activities],
        # Every open team stays cached: an evicted workflow replays its history
        # on the next update (DESIGN: 2x slower updates, 4.5x slower queries).
        max_cached_workflows=workflow_cache,
        workflow_runner=runner,
        sticky_queue_schedule_to_start_timeout=STICKY_TIMEOUT,
    )
