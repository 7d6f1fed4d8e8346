"""The projector: folds the event log into read models for supervisors (issue 5's foundation).

It reads the log in global order from a cursor, re-reading a trailing window
each round because concurrent appends can commit out of position order; the
per-stream checkpoint, updated in the same transaction as the read models,
makes each event apply at most once however often it is read. ``rebuild``
empties every read model and replays the whole log: the result equals what
the incremental projector built (a test compares them).

An event it cannot apply is parked, not retried forever (issue 8, defect 11):
see ``activities.parking`` for which failures park and why the rest of that
stream waits behind it. ``activities.projector_loop`` runs it as a process.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import asyncpg

from .parking import database_away, describe, held_behind, park, parked_rows, unpark
from .projections import HANDLERS, READ_MODELS, VERSIONED, Statement

__all__ = ["HANDLERS", "READ_MODELS", "Projector", "Round"]


TRAILING_WINDOW = 1_000
PROJECTION_LOCK = 7_320_002  # advisory lock: one projection batch at a time across processes


@dataclass
class Round:
    """What one pass over the log did: events applied, and events parked (see ``activities.parking``)."""

    applied: int = 0
    parked: list[tuple[str, int, str]] = field(default_factory=list)  # (stream, version, error)
    moved: int = 0  # applied + parked: the checkpoints moved past them


class Projector:
    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool
        self.parked: list[tuple[str, int, str]] = []  # parked by the last catch_up, for its caller to report

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool

    async def catch_up(self, batch: int = 500) -> int:
        """Apply every event not yet applied; returns how many were applied (``self.parked``: what was parked)."""
        applied, self.parked = 0, []
        while True:
            try:
                done, rows = await self._round(batch, careful=False)
            except Exception as err:
                if database_away(err):
                    raise
                # Some event of the batch cannot be applied: redo the batch event by event, parking what fails.
                done, rows = await self._round(batch, careful=True)
            applied += done.applied
            self.parked += done.parked
            if rows < batch or not done.moved:
                return applied

    async def _round(self, batch: int, careful: bool) -> tuple[Round, int]:
        async with self._pool.acquire() as conn, _locked(conn):
            # the cursor, the events past it, their streams' checkpoints and first parked versions (a stream with
            # a parked event holds the rest behind it) in one round trip (issue 13: a round runs on every append's
            # notification, so its fixed cost is part of every event's lag)
            rows = await conn.fetch(
                """SELECT e.stream_id, e.version, e.type, e.data, e.position, c.version AS checkpoint,
                          (SELECT min(p.version) FROM parked_events p WHERE p.stream_id = e.stream_id) AS parked
                     FROM events e LEFT JOIN projection_checkpoints c ON c.stream_id = e.stream_id
                    WHERE e.position > (SELECT greatest(coalesce(max(position), 0) - $1, 0) FROM projection_cursor)
                      AND e.version > coalesce(c.version, 0)
                    ORDER BY e.position LIMIT $2""",
                TRAILING_WINDOW,
                batch,
            )
            if not rows:
                return Round(), 0
            done, waiting, checkpoints, applied_to = await self._apply(conn, rows, careful)
            # never move the cursor past an event still waiting for an earlier one of its stream
            top = waiting - 1 if waiting else max(r["position"] for r in rows)
            await _finish(conn, checkpoints, applied_to, top)
        return done, len(rows)

    async def _apply(self, conn: asyncpg.Connection, rows, careful: bool):
        """Apply a batch in order; checkpoints are read once (with the rows) and written once per batch
        (``_finish``, which ``_round`` calls with what this returns: the round, the first waiting position,
        the batch's streams' checkpoints and the versions applied).

        ``careful`` runs each event in its own savepoint so one that fails is
        parked instead of failing the batch; the fast path skips the savepoints and sends consecutive
        events of one ``Statement`` as one executemany (``_Run``); if any fails, the round is redone carefully.
        """
        checkpoints = {r["stream_id"]: r["checkpoint"] for r in rows if r["checkpoint"] is not None}  # read with the rows
        parked = {r["stream_id"]: r["parked"] for r in rows if r["parked"] is not None}  # so is what is parked
        done, waiting, applied_to, run = Round(), None, {}, _Run(conn)
        for r in rows:
            stream, checkpoint = r["stream_id"], checkpoints.get(r["stream_id"], 0)
            if r["version"] <= checkpoint:
                continue  # already applied
            if r["version"] != checkpoint + 1:
                waiting = min(waiting or r["position"], r["position"])  # an earlier event is not visible yet
                continue
            handler, error = HANDLERS.get(r["type"]), None
            if stream in parked:
                error = held_behind(stream, parked[stream])
            elif isinstance(handler, Statement) and not careful:
                await run.add(handler, stream, r["data"])
            elif handler is not None:
                await run.flush()  # what came before this event is applied before it
                error = await self._project(conn, r, careful)
            if error:
                await park(conn, r, error)
                parked.setdefault(stream, r["version"])
                done.parked.append((stream, r["version"], error))
            else:
                applied_to[stream] = r["version"]
                done.applied += 1
            checkpoints[stream] = r["version"]
            done.moved += 1
        await run.flush()
        return done, waiting, checkpoints, applied_to  # only the rows' streams: read with them, moved past them

    @staticmethod
    async def _project(conn: asyncpg.Connection, row, careful: bool) -> str | None:
        """Apply one event; in careful mode return why it cannot be applied instead of raising."""
        handler = HANDLERS.get(row["type"])
        if handler is None:
            return None
        if not careful:
            await handler(conn, row["stream_id"], row["data"])
            return None
        await conn.execute("SAVEPOINT event")  # a failing event leaves the batch intact
        try:
            await handler(conn, row["stream_id"], row["data"])
        except Exception as err:
            if database_away(err):
                raise
            await conn.execute("ROLLBACK TO SAVEPOINT event")
            return describe(err)
        await conn.execute("RELEASE SAVEPOINT event")
        return None

    async def retry_parked(self, stream_id: str | None = None) -> Round:
        """Re-project parked events (all, or one stream's) in version order; what fails again stays parked."""
        done = Round()
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", PROJECTION_LOCK)
            applied_to: dict[str, int] = {}
            stuck: dict[str, int] = {}
            for r in await parked_rows(conn, stream_id):
                stream = r["stream_id"]
                error = held_behind(stream, stuck[stream]) if stream in stuck else await self._project(conn, r, True)
                if error:
                    await park(conn, r, error)
                    stuck.setdefault(stream, r["version"])
                    done.parked.append((stream, r["version"], error))
                    continue
                await unpark(conn, r)
                applied_to[stream] = r["version"]
                done.applied += 1
            await _finish(conn, {}, applied_to)
        return done

    async def lag(self) -> tuple[int, float]:
        """Events past the cursor, and how many seconds the oldest of them has waited (the database's clock)."""
        row = await self._pool.fetchrow(
            """SELECT count(*) AS events, extract(epoch FROM clock_timestamp() - min(recorded_at)) AS seconds
                 FROM events WHERE position > (SELECT coalesce(max(position), 0) FROM projection_cursor)"""
        )
        return row["events"], float(row["seconds"] or 0.0)

    async def rebuild(self) -> int:
        """Drop every read model's contents (and parked events) and replay the whole log."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", PROJECTION_LOCK)
            await conn.execute(f"TRUNCATE {', '.join(READ_MODELS)}, projection_checkpoints, projection_cursor, parked_events")
        return await self.catch_up()


@asynccontextmanager
async def _locked(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """A round's transaction: BEGIN and the projection lock in one message, COMMIT or ROLLBACK at the end.

    One projector at a time, batch by batch: a rebuild and the live projector may overlap; the lock is taken
    before the round's first read, so that read sees every checkpoint the last holder committed. Issue 13: asyncpg's
    ``transaction()`` sends BEGIN alone, one more round trip before every round (hence plain SAVEPOINTs in
    careful mode: asyncpg refuses ``transaction()`` inside a transaction it did not start). The round commits
    without waiting for its WAL flush: a PostgreSQL crash can lose only whole rounds (read models,
    checkpoints and cursor together), which the next round applies again.
    """
    try:
        await conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({PROJECTION_LOCK}), "
                           "set_config('synchronous_commit', 'off', true)")
        yield
    except BaseException:
        if conn.is_in_transaction() and not conn.is_closed():
            await conn.execute("ROLLBACK")
        raise
    await conn.execute("COMMIT")


def _finish_statement() -> str:
    """The statement that ends a round: checkpoints, each read model row's version and the cursor at once.

    Issue 13: these were an executemany of checkpoints, one per kind of versioned row and the cursor's
    upsert, up to five round trips at the end of every round, each one more wait before the round's
    events are visible. A read model row's version is the last event applied to it (a parked event does
    not count); the cursor only moves forward. Each part is a no-op for an empty array (or a null cursor).
    """
    kinds = [f"""{kind}_versions AS (UPDATE {table} r SET version = a.version FROM unnest(${3 + 2 * i}::text[], ${4 + 2 * i}::int[]) a(id, version)
                           WHERE r.{key} = a.id AND r.version < a.version)"""
             for i, (kind, (table, key)) in enumerate(VERSIONED.items())]
    top = f"${3 + 2 * len(VERSIONED)}::bigint"
    return f"""WITH checkpoints AS (
                   INSERT INTO projection_checkpoints (stream_id, version, projected_at)
                   SELECT a.stream_id, a.version, clock_timestamp() FROM unnest($1::text[], $2::int[]) a(stream_id, version)
                   ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, projected_at = excluded.projected_at
                   WHERE projection_checkpoints.version < excluded.version),
               {", ".join(kinds)},
               moved_cursor AS (
                   INSERT INTO projection_cursor (id, position) SELECT true, {top} WHERE {top} IS NOT NULL
                   ON CONFLICT (id) DO UPDATE SET position = greatest(projection_cursor.position, excluded.position))
               SELECT 1"""


FINISH = _finish_statement()


class _Run:
    """Consecutive events of one ``Statement`` in a fast round, sent as one executemany (issue 13).

    Only a different statement or another handler ends a run (an event without a handler, or one held
    behind its parked stream, touches no read model), so PostgreSQL runs the same statements in the same
    order as one call per event, in one round trip per run instead of one per event.
    """

    def __init__(self, conn: asyncpg.Connection):
        self._conn, self._sql, self._args = conn, None, []

    async def add(self, statement: Statement, stream: str, data: dict) -> None:
        if statement.sql != self._sql:
            await self.flush()
            self._sql = statement.sql
        self._args.append(statement.args(stream, data))

    async def flush(self) -> None:
        if self._args:
            await self._conn.executemany(self._sql, self._args)
        self._sql, self._args = None, []


async def _finish(conn: asyncpg.Connection, checkpoints: dict[str, int], applied_to: dict[str, int],
                  top: int | None = None) -> None:
    """Write the round's checkpoints, the versions of the read model rows it applied events to, and (``top``)
    the cursor, in one statement (``FINISH``)."""
    args: list = [list(checkpoints), list(checkpoints.values())]
    for kind in VERSIONED:
        versions = {s.removeprefix(f"{kind}-"): v for s, v in applied_to.items() if s.startswith(f"{kind}-")}
        args += [list(versions), list(versions.values())]
    await conn.execute(FINISH, *args, top)
