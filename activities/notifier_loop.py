"""The notifier process's loop (issue 10): deliver the outbox until stopped, back off while PostgreSQL is away.

Modelled on ``projector_loop``: the store is (re)opened inside the loop, a
failed round waits ``Backoff.delay(failures)`` and the log says only what
changed. Unlike the projector, several notifiers may run at once: each claims
its rows with SKIP LOCKED (``activities.notifier.claim``).
"""

import asyncio

from .event_store import EventStore
from .notifier import Retry, SmtpConfig, deliver
from .projector_loop import Backoff


async def notify_until(dsn: str, smtp: SmtpConfig, stop: asyncio.Event, log, *, idle_s: float = 1.0,
                       backoff: Backoff = Backoff(), retry: Retry = Retry()) -> None:
    """Deliver due notices until ``stop`` is set; a round that found work is followed at once by another."""
    store: EventStore | None = None
    failures = 0
    log.info("notifier_started", smtp_host=smtp.host, smtp_port=smtp.port)
    try:
        while not stop.is_set():
            busy = False
            try:
                store = store or await _open(dsn)
                done = await deliver(store.pool, smtp, log, retry=retry)
                busy = done.messages + done.parked + done.postponed > 0
                if failures:
                    log.info("notifier_recovered", failed_rounds=failures)
                failures = 0
            except Exception as err:  # the outbox keeps every row: never stop over one bad round
                failures += 1
                if backoff.delay(failures) != backoff.delay(failures - 1):
                    log.error("notifier_failed", error=f"{type(err).__name__}: {err}", failed_rounds=failures,
                              retry_in_s=backoff.delay(failures))
            wait = 0 if busy else (backoff.delay(failures) if failures else idle_s)
            try:
                await asyncio.wait_for(stop.wait(), wait)
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
