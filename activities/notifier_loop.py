"""The notifier process's loop (issue 10): deliver the outbox until stopped, back off while PostgreSQL is away.

The same rounds as the projector (``activities.rounds``). Unlike the
projector, several notifiers may run at once: each claims its rows with SKIP
LOCKED (``activities.notifier.claim``). Each round first writes the reminders
due by then (``activities.reminders``; ``clock`` is injectable for tests), so
they leave in the same round, with whatever else a person has.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from .notifier import Retry, SmtpConfig, deliver
from .reminders import Reminders
from .rounds import Backoff, run_rounds


async def notify_until(dsn: str, smtp: SmtpConfig, stop: asyncio.Event, log, *, idle_s: float = 1.0,
                       backoff: Backoff = Backoff(), retry: Retry = Retry(),
                       clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                       reminders: Reminders | None = None) -> None:
    """Deliver due notices until ``stop`` is set; a round that found work is followed at once by another."""
    reminders = reminders or Reminders()

    async def one_round(store) -> float:
        await reminders.round(store.pool, clock(), log)  # written first: sent in this same round
        done = await deliver(store.pool, smtp, log, retry=retry)
        return 0 if done.messages + done.parked + done.postponed > 0 else idle_s

    log.info("notifier_started", smtp_host=smtp.host, smtp_port=smtp.port)
    await run_rounds(dsn, stop, log, "notifier", one_round, backoff)
