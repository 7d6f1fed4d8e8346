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

from .digests import deliver_digests
from .metrics import MESSAGES_SENT, NOTICES
from .notifier import Retry, SmtpConfig, deliver
from .reminders import Reminders
from .rounds import Backoff, run_rounds
from .webhooks import Webhooks, post_webhooks


def count(done) -> None:
    """A round's outcome on the notifier's /metrics (PLCFLOW_METRICS_ADDRESS; README: Metrics)."""
    for outcome in ("sent", "parked", "postponed"):
        NOTICES.labels(outcome).inc(getattr(done, outcome))
    MESSAGES_SENT.inc(done.messages)


async def notify_until(dsn: str, smtp: SmtpConfig, stop: asyncio.Event, log, *, idle_s: float = 1.0,
                       backoff: Backoff = Backoff(), retry: Retry = Retry(),
                       clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                       reminders: Reminders | None = None, webhooks: Webhooks | None = None,
                       window_s: float = 0.0, public_url: str | None = None) -> None:
    """Deliver due notices until ``stop`` is set; a round that found work is followed at once by another.

    One ``now`` per round (``clock``, injectable for tests) for reminders, notices, digests and webhooks.
    ``window_s``: each person's send window (``activities.notice_claim``); ``public_url``: the emails' links.
    """
    reminders = reminders or Reminders()

    async def one_round(store) -> float:
        now = clock()
        await reminders.round(store.pool, now, log)  # written first: sent in this same round
        done = await deliver(store.pool, smtp, log, retry=retry, now=now, window_s=window_s, public_url=public_url)
        count(done)
        digests = await deliver_digests(store.pool, smtp, log, now=now, retry=retry)
        posted = await post_webhooks(store.pool, webhooks or {}, log, now=now, retry=retry)
        return 0 if done.held or any(r.messages + r.parked + r.postponed for r in (done, digests, posted)) else idle_s

    log.info("notifier_started", smtp_host=smtp.host, smtp_port=smtp.port,
             webhooks={district: [h.name for h in hooks] for district, hooks in (webhooks or {}).items()})
    await run_rounds(dsn, stop, log, "notifier", one_round, backoff)
