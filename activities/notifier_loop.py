"""The notifier process's loop (issue 10): deliver the outbox until stopped, back off while PostgreSQL is away.

The same rounds as the projector (``activities.rounds``). Unlike the
projector, several notifiers may run at once: each claims its rows with SKIP
LOCKED (``activities.notifier.claim``).
"""

import asyncio

from .metrics import MESSAGES_SENT, NOTICES
from .notifier import Retry, SmtpConfig, deliver
from .rounds import Backoff, run_rounds


def count(done) -> None:
    """A round's outcome on the notifier's /metrics (PLCFLOW_METRICS_ADDRESS; README: Metrics)."""
    for outcome in ("sent", "parked", "postponed"):
        NOTICES.labels(outcome).inc(getattr(done, outcome))
    MESSAGES_SENT.inc(done.messages)


async def notify_until(dsn: str, smtp: SmtpConfig, stop: asyncio.Event, log, *, idle_s: float = 1.0,
                       backoff: Backoff = Backoff(), retry: Retry = Retry()) -> None:
    """Deliver due notices until ``stop`` is set; a round that found work is followed at once by another."""

    async def one_round(store) -> float:
        done = await deliver(store.pool, smtp, log, retry=retry)
        count(done)
        return 0 if done.messages + done.parked + done.postponed > 0 else idle_s

    log.info("notifier_started", smtp_host=smtp.host, smtp_port=smtp.port)
    await run_rounds(dsn, stop, log, "notifier", one_round, backoff)
