"""The projector process's loop: keep the read models caught up, back off while PostgreSQL is away
(``activities.rounds``: the loop it shares with the notifier)."""

import asyncio
import time
from collections.abc import Awaitable, Callable

from . import metrics
from .parking import parked_count
from .projector import Projector
from .rounds import Backoff, run_rounds

__all__ = ["Backoff", "gauge_refresher", "project_until"]


async def project_until(
    dsn: str, stop: asyncio.Event, log, backoff: Backoff = Backoff(),
    on_round: Callable[[Projector], Awaitable[None]] | None = None,
) -> None:
    """Keep the read models caught up until ``stop`` is set; a failing round is retried with backoff.

    Runs as its own process (``python projector.py``; the ``projector``
    service in production, a child of ``make run``), one per database, so its
    pace never depends on how busy a worker is. ``on_round`` runs after each
    successful round (the process refreshes its metrics there).
    """

    async def one_round(store) -> float:
        projector = Projector(store.pool)
        await _round(projector, log)
        if on_round:
            await on_round(projector)
        return backoff.delay(0)

    log.info("projector_started")
    await run_rounds(dsn, stop, log, "projection", one_round, backoff)


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
