"""The worker starts only once Temporal serves its namespace and search attributes (issue 8).

A freshly created namespace reaches every frontend's cache after a while,
and a search attribute becomes queryable after the visibility store has it;
a worker that polls before then fails its first tasks. So the worker asks the
way its own calls will go: describe the namespace, then run a visibility
query that names every custom search attribute (it is refused while one of
them is unknown). Bounded: a namespace that never appears is a start-up error.
"""

import asyncio

import structlog
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

# The custom search attributes plcflow's deployment registers (docker-compose.yml's
# temporal-admin-tools job, `make run`'s dev server); Keyword, ids only (DESIGN).
SEARCH_ATTRIBUTES: tuple[str, ...] = ("TeamId", "SchoolId")

log = structlog.get_logger("plcflow.worker")


class TemporalNotReady(RuntimeError):
    """Temporal is up but plcflow's namespace or search attributes never became usable."""


async def _missing(client: Client, attributes: tuple[str, ...]) -> str | None:
    """What is not usable yet, in a few words, or None when everything is."""
    try:
        await client.count_workflows(" OR ".join(f"{name} = 'plcflow-readiness'" for name in attributes) or None)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return f"namespace {client.namespace!r} not found"
        if err.status == RPCStatusCode.INVALID_ARGUMENT:
            return f"search attributes {', '.join(attributes)} not all registered ({err.message})"
        if err.status == RPCStatusCode.UNIMPLEMENTED:
            # A server with no visibility API (the time-skipping test server) has no search
            # attributes to wait for; the namespace answered, which is all it can say.
            log.warning("temporal_visibility_unimplemented", namespace=client.namespace)
            return None
        raise
    return None


async def wait_for_namespace(
    client: Client, attributes: tuple[str, ...] = SEARCH_ATTRIBUTES, *, attempts: int = 60, delay: float = 2.0
) -> None:
    """Return once the namespace and ``attributes`` answer a query; raise TemporalNotReady after ``attempts``."""
    for attempt in range(1, attempts + 1):
        missing = await _missing(client, attributes)
        if missing is None:
            log.info("temporal_namespace_ready", namespace=client.namespace, search_attributes=list(attributes))
            return
        if attempt == attempts:
            break
        log.warning("waiting_for_temporal_namespace", namespace=client.namespace, missing=missing,
                    attempt=attempt, of=attempts)  # fmt: skip
        await asyncio.sleep(delay)
    raise TemporalNotReady(
        f"Temporal never served what the worker needs after {attempts} tries: {missing}. "
        f"Create the namespace and register the Keyword search attributes {', '.join(attributes)} "
        "(docker-compose.yml's temporal-admin-tools job does both)."
    )


async def register_search_attributes(client: Client, attributes: tuple[str, ...] = SEARCH_ATTRIBUTES) -> None:
    """Add the missing Keyword attributes (``make run``: the dev server's ``--search-attribute`` only applies
    to a new database file, so a data folder from an older version lacks them)."""
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace))
    missing = [name for name in attributes if name not in listed.custom_attributes]
    if missing:
        keyword = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=dict.fromkeys(missing, keyword)))
