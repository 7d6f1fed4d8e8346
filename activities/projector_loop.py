"""The projector process's loop: keep the read models caught up, back off while PostgreSQL is away
(``activities.rounds``: the loop it shares with the notifier)."""

import asyncio
import time
from collections.abc import Awaitable, Callable

import asyncpg

from . import metrics
from .parking import parked_count
from .projector import Projector
from .projector_listen import LISTENER_NAME, POLLING_NAME, PROJECTOR_NAME, Listener
from .rounds import Backoff, run_rounds

__all__ = ["LISTENER_NAME", "Backoff", "gauge_refresher", "project_until"]


async def project_until(
    dsn: str, stop: asyncio.Event, log, backoff: Backoff = Backoff(),
    on_round: Callable[[Projector], Awaitable[None]] | None = None, listen: bool = True,
) -> None:
    """Keep the read models caught up until ``stop`` is set; a failing round is retried with backoff.

    Runs as its own process (``python projector.py``; the ``projector``
    service in production, a child of ``make run``), one per database, so its
    pace never depends on how busy a worker is. ``on_round`` runs after each
    successful round (the process refreshes its metrics there).

    Issue 13: it wakes as soon as an append commits (``activities.projector_listen``), and polls every
    ``backoff.interval`` in case a notification never comes; ``listen=False`` (PLCFLOW_PROJECTOR_LISTEN=0,
    for a pooler that cannot LISTEN) only polls.
    """
    listener = Listener(dsn, log, backoff) if listen else None

    async def one_round(store) -> float:
        if listener is not None:
            metrics.PROJECTOR_WAKES.labels("notify" if listener.wake.is_set() else "poll").inc()
            listener.wake.clear()  # before reading the log: what commits from now on wakes the next round
            await listener.keep()
        projector = Projector(store.pool)
        await _round(projector, log)
        if on_round:
            await on_round(projector)
        return backoff.delay(0)

    log.info("projector_started", listen=listen)
    try:
        await run_rounds(dsn, stop, log, "projection", one_round, backoff, wake=listener.wake if listener else None,
                         name=PROJECTOR_NAME if listen else POLLING_NAME, connection_class=RoundConnection)
    finally:
        if listener is not None:
            await listener.close()


class RoundConnection(asyncpg.Connection):
    """A projector pool's connection, released after every round without asyncpg's reset query.

    Issue 13: the reset (``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``) was one more round
    trip per round, between a round's commit and the next round, for state the projector never leaves: its
    lock and settings are the transaction's (``pg_advisory_xact_lock``, ``set_config(..., true)``), it opens
    no cursor, and it LISTENs on a connection of its own (``activities.projector_listen``). asyncpg still
    ends an open transaction on release.
    """

    def get_reset_query(self) -> str:
        return ""


async def _round(projector: Projector, log) -> None:
    applied = await projector.catch_up(batch=2_000)
    metrics.EVENTS_PROJECTED.inc(applied)
    metrics.EVENTS_PARKED.inc(len(projector.parked))
    if applied:
        log.info("projected", events=applied)
    for stream, version, error in projector.parked:
        log.error("event_parked", stream_id=stream, version=version, error=error,
                  fix="fix the cause, then run `plcflow projections retry`")


def gauge_refresher(every: float = 5.0) -> Callable[[Projector], Awaitable[None]]:
    """An ``on_round`` that refreshes the lag and parked gauges, at most every ``every`` seconds (two queries)."""
    last = float("-inf")

    async def refresh(projector: Projector) -> None:
        nonlocal last
        if time.monotonic() - last < every:
            return
        last = time.monotonic()
        behind, lag = await projector.lag()
        metrics.PROJECTOR_BEHIND.set(behind)
        metrics.PROJECTOR_LAG.set(lag)
        metrics.PARKED.set(await parked_count(projector.pool))

    return refresh
