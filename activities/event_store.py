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
from pydantic import BaseModel, ConfigDict

MIGRATION_LOCK = 7_320_001  # advisory lock id: one migrator at a time across workers


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NewEvent(_Row):
    version: int
    type: str
    data: dict[str, Any]
    occurred_at: datetime


class StoredEvent(NewEvent):
    stream_id: str
    recorded_at: datetime


class Notification(_Row):
    version: int
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
    pass


class StreamConflict(EventStoreError):
    pass


class StreamGap(EventStoreError):
    pass


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


def _same(stored: asyncpg.Record, new: NewEvent) -> bool:
    return stored["type"] == new.type and stored["data"] == new.data and stored["occurred_at"] == new.occurred_at


class EventStore:
    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool

    @classmethod
    async def connect(cls, dsn: str, *, min_size: int = 1, max_size: int = 10) -> "EventStore":
        return cls(await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=_init_connection))

    async def close(self) -> None:
        await self._pool.close()

    async def migrate(self) -> list[str]:
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
        if not events:
            return AppendResult(appended=0, already_present=0)
        versions = [e.version for e in events]
        if versions != list(range(versions[0], versions[0] + len(versions))):
            raise StreamGap(f"stream {stream_id}: a batch must hold consecutive versions, got {versions}")
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", stream_id)
            current = await conn.fetchval("SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", stream_id)
            if versions[0] > current + 1:
                raise StreamGap(f"stream {stream_id} is at version {current}; cannot append version {versions[0]}")
            stored = {
                r["version"]: r
                for r in await conn.fetch(
                    "SELECT version, type, data, occurred_at FROM events WHERE stream_id = $1 AND version = ANY($2)",
                    stream_id,
                    versions,
                )
            }
            for e in events:
                if e.version in stored and not _same(stored[e.version], e):
                    raise StreamConflict(
                        f"stream {stream_id} version {e.version} already holds a different {stored[e.version]['type']} event"
                    )
            new = [e for e in events if e.version not in stored]
            await conn.executemany(
                "INSERT INTO events (stream_id, version, type, data, occurred_at) VALUES ($1, $2, $3, $4, $5)",
                [(stream_id, e.version, e.type, e.data, e.occurred_at) for e in new],
            )
            await conn.executemany(
                """INSERT INTO outbox (stream_id, version, recipient, kind, payload) VALUES ($1, $2, $3, $4, $5)
                   ON CONFLICT (stream_id, version, recipient, kind) DO NOTHING""",
                [(stream_id, n.version, n.recipient, n.kind, n.payload) for n in notifications],
            )
        return AppendResult(appended=len(new), already_present=len(events) - len(new))

    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[StoredEvent]:
        rows = await self._pool.fetch(
            """SELECT stream_id, version, type, data, occurred_at, recorded_at FROM events
               WHERE stream_id = $1 AND version >= $2 ORDER BY version""",
            stream_id,
            from_version,
        )
        return [StoredEvent(**dict(r)) for r in rows]

    async def stream_version(self, stream_id: str) -> int:
        return await self._pool.fetchval("SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", stream_id)

    async def pending_notifications(self, limit: int = 100) -> list[OutboxMessage]:
        rows = await self._pool.fetch("SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1", limit)
        return [OutboxMessage(**dict(r)) for r in rows]

    async def mark_sent(self, ids: Sequence[int], at: datetime) -> None:
        await self._pool.execute("UPDATE outbox SET sent_at = $2 WHERE id = ANY($1)", list(ids), at)
