"""Parked events: what the projector does with an event it cannot apply (issue 8, defect 11).

Two kinds of failure look alike from inside a batch and must be told apart:
the database being away (a connection refused or dropped, a server shutting
down, a serialisation conflict) is retried as it is, with backoff, because the
same batch will apply once the database is back; anything else (a handler that
raises, a constraint a read-model row breaks) will fail again on every retry,
so that one event is parked and the projector moves on.

Order within a stream matters to a fold, so once an event of a stream is
parked every later event of that stream is parked behind it ("held") instead
of being applied out of order; other streams keep projecting. ``plcflow
projections retry`` re-projects a stream's parked events in version order.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime

import asyncpg

_AWAY = (
    OSError,  # refused, reset, unreachable
    asyncio.TimeoutError,
    asyncpg.InterfaceError,  # the connection closed under us
    asyncpg.PostgresConnectionError,  # class 08
    asyncpg.exceptions.OperatorInterventionError,  # 57: shutting down, cannot connect now
    asyncpg.exceptions.InsufficientResourcesError,  # 53: too many connections, disk full
    asyncpg.exceptions.TransactionRollbackError,  # 40: serialisation failure, deadlock
)


def database_away(err: BaseException) -> bool:
    """True when retrying the same work later can succeed: the database, not the event, is the problem."""
    return isinstance(err, _AWAY)


def describe(err: BaseException) -> str:
    """One line (health and the log print it on one line), bounded."""
    return " ".join(f"{type(err).__name__}: {err}".split())[:2_000]


@dataclass(frozen=True)
class Parked:
    stream_id: str
    version: int
    type: str
    error: str
    parked_at: datetime


async def park(conn: asyncpg.Connection, row, error: str) -> None:
    await conn.execute(
        """INSERT INTO parked_events (stream_id, version, type, error) VALUES ($1, $2, $3, $4)
           ON CONFLICT (stream_id, version) DO UPDATE SET error = excluded.error, parked_at = clock_timestamp()""",
        row["stream_id"], row["version"], row["type"], error,
    )


def held_behind(stream_id: str, version: int) -> str:
    return f"held: version {version} of {stream_id} is parked and later events wait behind it"


async def parked_count(pool: asyncpg.Pool) -> int:
    return await pool.fetchval("SELECT count(*) FROM parked_events")


async def parked_events(pool: asyncpg.Pool, limit: int = 100) -> list[Parked]:
    rows = await pool.fetch(
        "SELECT stream_id, version, type, error, parked_at FROM parked_events ORDER BY parked_at, stream_id, version LIMIT $1",
        limit,
    )
    return [Parked(**dict(r)) for r in rows]


async def parked_rows(conn: asyncpg.Connection, stream_id: str | None):
    """The parked events themselves (from the log), stream by stream in version order, for a retry."""
    return await conn.fetch(
        """SELECT e.stream_id, e.version, e.type, e.data FROM parked_events p
             JOIN events e ON e.stream_id = p.stream_id AND e.version = p.version
            WHERE $1::text IS NULL OR p.stream_id = $1
            ORDER BY p.stream_id, p.version""",
        stream_id,
    )


async def unpark(conn: asyncpg.Connection, row) -> None:
    await conn.execute("DELETE FROM parked_events WHERE stream_id = $1 AND version = $2", row["stream_id"], row["version"])
