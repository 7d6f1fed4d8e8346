"""The projector's wake-up call (issue 13): LISTEN on a connection of its own, poll only as a fallback.

Every insert into ``events`` notifies ``plcflow_events`` in its own transaction
(migration 0021), so the notification arrives once the events are committed.
Each one sets ``wake``; the loop clears it just before a round reads the log,
so a burst of appends during a round costs one more round, not one per append.

The connection can be lost (PostgreSQL restarted, the backend terminated, a
pooler that cannot LISTEN): projection never depends on it. The loop still
polls at its interval, ``keep`` reconnects (with the rounds' capped backoff)
before the next round, and the loss is visible: ``projector_listen_lost`` /
``projector_listen_failed`` in the log, ``plcflow_projector_listening`` 0, and a
``plcflow doctor`` problem, which finds the listener by its application_name.
"""

import asyncio
import time

import asyncpg

from . import metrics
from .rounds import Backoff

CHANNEL = "plcflow_events"
PROJECTOR_NAME = "plcflow projector"  # the projector's pool: a projector that should be listening runs
LISTENER_NAME = "plcflow projector listener"  # its LISTEN connection (``app.health`` looks for both)
POLLING_NAME = "plcflow projector (polling only)"  # PLCFLOW_PROJECTOR_LISTEN=0: nothing to look for


class Listener:
    def __init__(self, dsn: str, log, backoff: Backoff = Backoff(), check_every: float = 5.0, timeout: float = 5.0):
        self.wake = asyncio.Event()
        self._dsn, self._log, self._backoff = dsn, log, backoff
        self._check_every, self._timeout = check_every, timeout
        self._conn: asyncpg.Connection | None = None
        self._failures, self._retry_at, self._checked = 0, 0.0, 0.0

    @property
    def listening(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    async def keep(self) -> None:
        """Before each round: connect and LISTEN if not listening (when the backoff allows), and every
        ``check_every`` seconds ask the connection for ``SELECT 1``, which finds a socket that died silently.
        Never raises: a round must run whatever happens here."""
        now = time.monotonic()
        if self.listening:
            if now - self._checked >= self._check_every:
                self._checked = now
                try:
                    await asyncio.wait_for(self._conn.fetchval("SELECT 1"), self._timeout)
                except Exception as err:
                    self._lost(f"{type(err).__name__}: {err}")
            return
        if now < self._retry_at:
            return
        conn = None
        try:
            conn = await asyncpg.connect(self._dsn, timeout=self._timeout,
                                         server_settings={"application_name": LISTENER_NAME})
            conn.add_termination_listener(self._terminated)
            await conn.add_listener(CHANNEL, self._notified)
        except Exception as err:
            if conn is not None:
                conn.terminate()
            self._failures += 1
            delay = self._backoff.delay(self._failures)
            self._retry_at = now + delay
            if delay != self._backoff.delay(self._failures - 1):  # one line per longer wait, as the rounds log
                self._log.error("projector_listen_failed", error=f"{type(err).__name__}: {err}", failed_tries=self._failures,
                                retry_in_s=delay, fallback=f"polling every {self._backoff.interval} s")
            return
        self._conn, self._checked = conn, now
        metrics.PROJECTOR_LISTENING.set(1)
        self._log.info("projector_listening", channel=CHANNEL, failed_tries=self._failures)
        self._failures = 0

    def _notified(self, *_args) -> None:
        self.wake.set()

    def _terminated(self, conn: asyncpg.Connection) -> None:
        if conn is self._conn:
            self._lost("the connection was closed")

    def _lost(self, why: str) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()
        metrics.PROJECTOR_LISTENING.set(0)
        self._retry_at = 0.0  # try again at the next round, which this wake starts now
        self._log.error("projector_listen_lost", error=why, fallback=f"polling every {self._backoff.interval} s")
        self.wake.set()

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        metrics.PROJECTOR_LISTENING.set(0)
        if conn is not None and not conn.is_closed():
            await conn.close(timeout=self._timeout)
