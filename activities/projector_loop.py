"""The projector process's loop: keep the read models caught up, back off while PostgreSQL is away.

Issue 8, defect 11: a failing round used to be retried every 100 ms and
logged each time (600 lines a minute while PostgreSQL was down). Now a failed
round waits ``backoff(failures)`` (exponential, capped), and the log says
only what changed: the first failure, each longer wait, the recovery.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from . import metrics
from .event_store import EventStore
from .parking import parked_count
from .projector import Projector


@dataclass(frozen=True)
class Backoff:
    interval: float = 0.1  # between rounds while healthy
    first: float = 0.5  # after the first failed round
    cap: float = 5.0  # never longer: the log catches up within seconds of the database's return

    def delay(self, failures: int) -> float:
        """Seconds before the next round after ``failures`` failed rounds in a row (0: healthy)."""
        if failures <= 0:
            return self.interval
        return min(self.cap, self.first * 2 ** min(failures - 1, 30))


async def project_until(
    dsn: str, stop: asyncio.Event, log, backoff: Backoff = Backoff(),
    on_round: Callable[[Projector], Awaitable[None]] | None = None,
) -> None:
    """Keep the read models caught up until ``stop`` is set; a failing round is retried with backoff.

    Runs as its own process (``python projector.py``; the ``projector``
    service in production, a child of ``make run``), one per database, so its
    pace never depends on how busy a worker is. The store is (re)opened inside
    the loop, so a projector started before PostgreSQL waits for it.
    ``on_round`` runs after each successful round (the process refreshes its
    metrics there).
    """
    store: EventStore | None = None
    failures = 0
    log.info("projector_started")
    try:
        while not stop.is_set():
            try:
                store = store or await _open(dsn)
                projector = Projector(store.pool)
                await _round(projector, log)
                if on_round:
                    await on_round(projector)
                if failures:
                    log.info("projection_recovered", failed_rounds=failures)
                failures = 0
            except Exception as err:  # the log is the truth: never stop projecting over one bad round
                failures += 1
                if backoff.delay(failures) != backoff.delay(failures - 1):  # one line per step, none at the cap
                    log.error("projection_failed", error=f"{type(err).__name__}: {err}", failed_rounds=failures,
                              retry_in_s=backoff.delay(failures))
            try:
                await asyncio.wait_for(stop.wait(), backoff.delay(failures))
            except asyncio.TimeoutError:
                pass
    finally:
        if store is not None:
            await store.close()


async def _open(dsn: str) -> EventStore:
    store = await EventStore.connect(dsn, min_size=1, max_size=2)
    try:
        await store.migrate()
    except BaseException:
        await store.close()
        raise
    return store


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
