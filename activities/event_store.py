"""The PostgreSQL event store: append-only streams keyed (stream_id, version), plus an outbox.

"Nothing lost": an append is one transaction, serialised per stream by an
advisory lock; a retried append of identical events is a no-op; different
content at a stored version is a ``StreamConflict`` and writes nothing; a hole
in the stream is a ``StreamGap``. Notifications are written in the same
transaction as the event that raised them, so an escalation is never stored
without its messages, nor its messages without it.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from typing import Any

import asyncpg
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MIGRATION_LOCK = 7_320_001  # advisory lock id: one migrator at a time across workers


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NewEvent(_Row):
    """An event a stream appends; ``data`` is already JSON (``model_dump(mode="json")``)."""

    version: int = Field(ge=1)
    type: str
    data: dict[str, Any]
    # Aware, so a retried append compares equal to the timestamptz read back.
    occurred_at: AwareDatetime


class StoredEvent(NewEvent):
    stream_id: str
    recorded_at: datetime


class Notification(_Row):
    """An outbox row raised by the event at ``version`` of the same batch."""

    version: int = Field(ge=1)
    recipient: str
    kind: str
    payload: dict[str, Any]


class AppendResult(_Row):
    appended: int
    already_present: int


class OutboxMessage(_Row):
    id: int
    stream_id: str
    version: int
    recipient: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    sent_at: datetime | None


class EventStoreError(Exception):
    """A refused append: retrying the same call cannot succeed."""


class StreamConflict(EventStoreError):
    """A version already holds different content (type, data or occurred_at)."""


class StreamGap(EventStoreError):
    """The batch would leave a hole: not contiguous, or starts past the stream's end + 1."""


async def _init_connection(conn: asyncpg.Connection) -> None:
    """jsonb in and out as Python dicts, so stored data compares equal to what was appended."""
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


_OUTBOX_COLUMNS = "id, stream_id, version, recipient, kind, payload, created_at, sent_at"


class EventStore:
    """Streams of events in PostgreSQL; every method is one pooled round trip or one transaction."""

    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool

    @classmethod
    async def connect(cls, dsn: str, *, min_size: int = 1, max_size: int = 10, **options) -> "EventStore":
        """``options``: more of ``asyncpg.create_pool``'s (the projector names its connections, issue 13)."""
        return cls(await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=_init_connection, **options))

    @property
    def pool(self) -> asyncpg.Pool:
        """Shared with the projector, which reads the same log."""
        return self._pool

    async def close(self) -> None:
        await self._pool.close()

    async def migrate(self) -> list[str]:
        """Apply pending ``migrations/*.sql`` in name order; return the names applied.

        Every worker calls this at start-up: the advisory lock makes the others
        wait, then find nothing to do. All scripts run in one transaction, so a
        failing script leaves the schema (and ``schema_migrations``) as it was.
        """
        scripts = sorted(
            (f.name, f.read_text()) for f in resources.files("activities.migrations").iterdir() if f.name.endswith(".sql")
        )
        applied = []
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
            for name, sql in scripts:
                if name not in done:
                    await conn.execute(sql)
                    await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                    applied.append(name)
        return applied

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], notifications: Sequence[Notification] = ()
    ) -> AppendResult:
        """Append a contiguous batch and its notifications in one transaction.

        Idempotent so an activity retried after a lost reply stores each event
        once: stored identical events are counted, not rewritten, and only the
        new tail is inserted. Different content at a stored version raises
        ``StreamConflict``; starting past the end raises ``StreamGap``; either
        way nothing of the batch is written. A per-stream advisory lock keeps
        two appenders from interleaving.
        """
        stray = sorted({n.version for n in notifications} - {e.version for e in events})
        if stray:
            raise EventStoreError(f"stream {stream_id}: notifications for versions {stray} not in this batch")
        if not events:
            return AppendResult(appended=0, already_present=0)
        versions = [e.version for e in events]
        if versions != list(range(versions[0], versions[0] + len(versions))):
            raise StreamGap(f"stream {stream_id}: a batch must hold consecutive versions, got {versions}")
        try:
            inserted = await self._pool.fetchval(
                "SELECT plcflow_append($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                stream_id,
                versions[0],
                [e.type for e in events],
                [e.data for e in events],
                [e.occurred_at for e in events],
                [n.version for n in notifications],
                [n.recipient for n in notifications],
                [n.kind for n in notifications],
                [n.payload for n in notifications],
            )
        except asyncpg.PostgresError as err:
            error = {"PLC01": StreamGap, "PLC02": StreamConflict}.get(err.sqlstate)
            if error is None:
                raise
            raise error(err.args[0] if err.args else str(err)) from None
        return AppendResult(appended=inserted, already_present=len(events) - inserted)

    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[StoredEvent]:
        """The stream from ``from_version`` on, in version order (the order it is folded in)."""
        rows = await self._pool.fetch(
            """SELECT stream_id, version, type, data, occurred_at, recorded_at FROM events
               WHERE stream_id = $1 AND version >= $2 ORDER BY version""",
            stream_id,
            from_version,
        )
        return [StoredEvent(**dict(r)) for r in rows]

    async def stream_version(self, stream_id: str) -> int:
        """The last stored version; 0 for a stream never appended to."""
        return await self._pool.fetchval("SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", stream_id)

    async def pending_notifications(self, limit: int = 100) -> list[OutboxMessage]:
        """Unsent outbox rows, oldest first (a sender delivers at least once, then ``mark_sent``)."""
        rows = await self._pool.fetch(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1", limit
        )
        return [OutboxMessage(**dict(r)) for r in rows]

    async def mark_sent(self, ids: Sequence[int], at: datetime) -> None:
        """Record delivery; marking an already-sent row again keeps its first ``sent_at``."""
        await self._pool.execute("UPDATE outbox SET sent_at = $2 WHERE id = ANY($1) AND sent_at IS NULL", list(ids), at)
