"""A process that works in rounds against PostgreSQL (the projector, the notifier): one loop for both.

Issue 8, defect 11: a failing round used to be retried every 100 ms and
logged each time (600 lines a minute while PostgreSQL was down). Now a failed
round waits ``backoff.delay(failures)`` (exponential, capped), and the log says
only what changed: the first failure, each longer wait, the recovery. The
store is (re)opened inside the loop, so a process started before PostgreSQL
waits for it.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from .event_store import EventStore


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


async def run_rounds(dsn: str, stop: asyncio.Event, log, what: str, one_round: Callable[[EventStore], Awaitable[float]],
                     backoff: Backoff, wake: asyncio.Event | None = None, name: str | None = None,
                     connection_class: type[asyncpg.Connection] | None = None) -> None:
    """Run ``one_round`` until ``stop`` is set; it returns how long to wait before the next healthy round.

    ``wake`` (the projector's LISTEN, issue 13) ends a healthy wait early; ``one_round`` clears it. A failed
    round's backoff is never cut short. ``name`` is the pool's application_name (what ``plcflow doctor`` sees);
    ``connection_class`` its connections' (the projector's skip the reset query on release, issue 13).

    A failing round (PostgreSQL away, a bug) never stops the process: it is retried after
    ``backoff.delay(failures)``, logged as ``{what}_failed`` once per longer wait and
    ``{what}_recovered`` when a round succeeds again.
    """
    store: EventStore | None = None
    failures = 0
    try:
        while not stop.is_set():
            try:
                store = store or await _open(dsn, name, connection_class)
                wait = await one_round(store)
                if failures:
                    log.info(f"{what}_recovered", failed_rounds=failures)
                failures = 0
            except Exception as err:  # the log and the outbox keep everything: never stop over one bad round
                failures += 1
                if backoff.delay(failures) != backoff.delay(failures - 1):  # one line per step, none at the cap
                    log.error(f"{what}_failed", error=f"{type(err).__name__}: {err}", failed_rounds=failures,
                              retry_in_s=backoff.delay(failures))
                wait = backoff.delay(failures)
            await _until(wait, stop, *((wake,) if wake is not None and not failures else ()))
    finally:
        if store is not None:
            await store.close()


async def _until(seconds: float, *events: asyncio.Event) -> None:
    """Wait ``seconds``, or less if one of ``events`` is set first."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def _open(dsn: str, name: str | None = None, connection_class: type[asyncpg.Connection] | None = None) -> EventStore:
    options = {"server_settings": {"application_name": name}} if name else {}
    if connection_class is not None:
        options["connection_class"] = connection_class
    store = await EventStore.connect(dsn, min_size=1, max_size=2, **options)
    try:
        await store.migrate()
    except BaseException:
        await store.close()
        raise
    return store
