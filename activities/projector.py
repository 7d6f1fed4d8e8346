"""The projector: folds the event log into read models for supervisors (issue 5's foundation).

It reads the log in global order from a cursor, re-reading a trailing window
each round because concurrent appends can commit out of position order; the
per-stream checkpoint, updated in the same transaction as the read models,
makes each event apply at most once however often it is read. ``rebuild``
empties every read model and replays the whole log: the result equals what
the incremental projector built (a test compares them).
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime

import asyncpg

from domain.calendar import SchoolCalendar


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


READ_MODELS = ("school_days", "district_time_zones", "team_status", "school_status", "district_status", "open_escalations", "rubric_results")
TRAILING_WINDOW = 1_000
PROJECTION_LOCK = 7_320_002  # advisory lock: one projection batch at a time across processes
Handler = Callable[[asyncpg.Connection, str, dict], Awaitable[None]]


class Projector:
    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool

    async def catch_up(self, batch: int = 500) -> int:
        """Apply every event not yet applied; returns how many were applied."""
        applied = 0
        while True:
            async with self._pool.acquire() as conn, conn.transaction():
                # One projector at a time, batch by batch: a rebuild and the live projector may overlap.
                await conn.execute("SELECT pg_advisory_xact_lock($1)", PROJECTION_LOCK)
                cursor = await conn.fetchval("SELECT coalesce(max(position), 0) FROM projection_cursor") or 0
                rows = await conn.fetch(
                    """SELECT e.stream_id, e.version, e.type, e.data, e.position
                         FROM events e LEFT JOIN projection_checkpoints c ON c.stream_id = e.stream_id
                        WHERE e.position > $1 AND e.version > coalesce(c.version, 0)
                        ORDER BY e.position LIMIT $2""",
                    max(cursor - TRAILING_WINDOW, 0),
                    batch,
                )
                done, waiting = await self._apply(conn, rows)
                if rows:
                    # never move the cursor past an event still waiting for an earlier one of its stream
                    top = waiting - 1 if waiting else max(r["position"] for r in rows)
                    await conn.execute(
                        """INSERT INTO projection_cursor (id, position) VALUES (true, $1)
                           ON CONFLICT (id) DO UPDATE SET position = greatest(projection_cursor.position, $1)""",
                        top,
                    )
            applied += done
            if len(rows) < batch or not done:
                return applied

    async def _apply(self, conn: asyncpg.Connection, rows) -> tuple[int, int | None]:
        """Apply a batch in order; checkpoints are read once and written once per batch."""
        streams = list({r["stream_id"] for r in rows})
        checkpoints = {
            c["stream_id"]: c["version"]
            for c in await conn.fetch("SELECT stream_id, version FROM projection_checkpoints WHERE stream_id = ANY($1)", streams)
        }
        done, waiting = 0, None
        for r in rows:
            checkpoint = checkpoints.get(r["stream_id"], 0)
            if r["version"] <= checkpoint:
                continue  # already applied
            if r["version"] != checkpoint + 1:
                waiting = min(waiting or r["position"], r["position"])  # an earlier event is not visible yet
                continue
            handler = HANDLERS.get(r["type"])
            if handler:
                await handler(conn, r["stream_id"], r["data"])
            checkpoints[r["stream_id"]] = r["version"]
            done += 1
        moved = [(s, v) for s, v in checkpoints.items() if s in streams]
        await conn.executemany(
            """INSERT INTO projection_checkpoints (stream_id, version, projected_at) VALUES ($1, $2, clock_timestamp())
               ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, projected_at = excluded.projected_at
               WHERE projection_checkpoints.version < excluded.version""",
            moved,
        )
        for kind, (table, key) in VERSIONED.items():
            await conn.executemany(
                f"UPDATE {table} SET version = $2 WHERE {key} = $1 AND version < $2",
                [(s.removeprefix(f"{kind}-"), v) for s, v in moved if s.startswith(f"{kind}-")],
            )
        return done, waiting

    async def rebuild(self) -> int:
        """Drop every read model's contents and replay the whole log."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", PROJECTION_LOCK)
            await conn.execute(f"TRUNCATE {', '.join(READ_MODELS)}, projection_checkpoints, projection_cursor")
        return await self.catch_up()


VERSIONED = {"team": ("team_status", "team_id"), "school": ("school_status", "school_id"),
             "district": ("district_status", "district_id")}


# --- what each event does to the read models ---


async def _school_days(conn, district_id: str, calendar: dict) -> None:
    """A district's calendar as rows, once (a district has one calendar for all its teams), and its time zone."""
    if await conn.fetchval("SELECT 1 FROM school_days WHERE district_id = $1 LIMIT 1", district_id):
        return
    parsed = SchoolCalendar.model_validate(calendar)
    days = parsed.school_days
    await conn.execute("INSERT INTO district_time_zones (district_id, timezone) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                       district_id, parsed.timezone)
    await conn.executemany("INSERT INTO school_days (district_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                           [(district_id, day) for day in days])


async def _team_registered(conn, stream, d):
    t = d["team"]
    await _school_days(conn, t["district_id"], d["calendar"])
    await conn.execute(
        "INSERT INTO team_status (team_id, school_id, district_id, name, version) VALUES ($1, $2, $3, $4, 0)",
        t["team_id"], t["school_id"], t["district_id"], t["name"],
    )


def _team_id(stream: str) -> str:
    return stream.removeprefix("team-")


async def _cycle_started(conn, stream, d):
    await conn.execute("UPDATE team_status SET cycle = $2 WHERE team_id = $1", _team_id(stream), d["cycle"])


async def _step_opened(conn, stream, d):
    await conn.execute(
        "UPDATE team_status SET step = $2, step_opened_at = $3, due_on = $4 WHERE team_id = $1",
        _team_id(stream), d["step"], _ts(d["at"]), _date(d["due_on"]),
    )


async def _cycle_closed(conn, stream, d):
    await conn.execute("UPDATE team_status SET step = NULL, due_on = NULL WHERE team_id = $1", _team_id(stream))


async def _paused(conn, stream, d):
    await conn.execute("UPDATE team_status SET paused = true WHERE team_id = $1", _team_id(stream))


async def _resumed(conn, stream, d):
    await conn.execute("UPDATE team_status SET paused = false, due_on = $2 WHERE team_id = $1", _team_id(stream), _date(d["due_on"]))


async def _escalation_raised(conn, stream, d, kind: str, subject: str, ids: dict):
    before = await conn.fetchval("SELECT reached FROM open_escalations WHERE escalation_id = $1", d["escalation_id"]) or []
    reached = list(dict.fromkeys([*before, *d["reached"]]))  # everyone reached so far, lowest rung first
    await conn.execute(
        """INSERT INTO open_escalations (escalation_id, kind, stream_id, team_id, school_id, district_id, subject, level,
                                         reached, reason, raised_on, raised_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (escalation_id) DO UPDATE SET level = $8, reached = $13, reason = $10, raised_on = $11,
               raised_at = $12, held_until = NULL, hold = NULL""",
        d["escalation_id"], kind, stream, ids.get("team_id"), ids.get("school_id"), ids.get("district_id"), subject,
        d["level"], list(d["reached"]), d["reason"], _date(d["on"]), _ts(d["at"]), reached,
    )


async def _team_escalation_raised(conn, stream, d):
    team = await conn.fetchrow("SELECT school_id, district_id FROM team_status WHERE team_id = $1", _team_id(stream))
    ids = {"team_id": _team_id(stream), **(dict(team) if team else {})}
    await _escalation_raised(conn, stream, d, "team", d["step"], ids)
    await conn.execute("UPDATE team_status SET escalation_id = $2, escalation_level = $3 WHERE team_id = $1",
                       _team_id(stream), d["escalation_id"], d["level"])


async def _held(conn, stream, d):
    hold = d.get("hold") or ("acknowledged" if d["type"] == "EscalationAcknowledged" else "snoozed")
    await conn.execute("UPDATE open_escalations SET held_until = $2, hold = $3 WHERE escalation_id = $1",
                       d["escalation_id"], _date(d["held_until"]), hold)


async def _resolved(conn, stream, d):
    await conn.execute("DELETE FROM open_escalations WHERE escalation_id = $1", d["escalation_id"])
    await conn.execute("UPDATE team_status SET escalation_id = NULL, escalation_level = NULL WHERE escalation_id = $1",
                       d["escalation_id"])


async def _school_opened(conn, stream, d):
    s = d["school"]
    await conn.execute(
        """INSERT INTO school_status (school_id, district_id, name, level, area, rubric_levels, version)
           VALUES ($1, $2, $3, $4, $5, $6, 0)""",
        s["school_id"], d["district_id"], s["name"], s["level"], s["area"], list(d["rubric"]["levels"]),
    )


async def _term_began(conn, stream, d):
    await conn.execute("UPDATE school_status SET term = $2 WHERE school_id = $1", stream.removeprefix("school-"), d["term"])


async def _self_assessed(conn, stream, d):
    a = d["assessment"]
    await conn.executemany(
        """INSERT INTO rubric_results (school_id, term, dimension, level, assessed_on) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (school_id, term, dimension) DO UPDATE SET level = $4, assessed_on = $5""",
        [(stream.removeprefix("school-"), a["term"], dim, level, _date(a["assessed_on"])) for dim, level in a["ratings"].items()],
    )


async def _school_escalation_raised(conn, stream, d):
    school_id = stream.removeprefix("school-")
    district = await conn.fetchval("SELECT district_id FROM school_status WHERE school_id = $1", school_id)
    await _escalation_raised(conn, stream, d, "school", d["subject"], {"school_id": school_id, "district_id": district})


async def _rollout_started(conn, stream, d):
    await _school_days(conn, d["district"]["district_id"], d["calendar"])
    await conn.execute("INSERT INTO district_status (district_id, name, version) VALUES ($1, $2, 0)",
                       d["district"]["district_id"], d["district"]["name"])


async def _phase_opened(conn, stream, d):
    await conn.execute("UPDATE district_status SET phase = $2, due_on = $3, school_year = $4 WHERE district_id = $1",
                       stream.removeprefix("district-"), d["phase"], _date(d["due_on"]), d["school_year"])


async def _rollout_escalation_raised(conn, stream, d):
    district_id = stream.removeprefix("district-")
    await _escalation_raised(conn, stream, d, "district", d["phase"], {"district_id": district_id})


HANDLERS: dict[str, Handler] = {
    "TeamRegistered": _team_registered,
    "CycleStarted": _cycle_started,
    "StepOpened": _step_opened,
    "CycleClosed": _cycle_closed,
    "TeamPaused": _paused,
    "TeamResumed": _resumed,
    "EscalationRaised": _team_escalation_raised,
    "EscalationAcknowledged": _held,
    "EscalationSnoozed": _held,
    "EscalationResolved": _resolved,
    "SchoolOpened": _school_opened,
    "TermBegan": _term_began,
    "SelfAssessed": _self_assessed,
    "SchoolEscalationRaised": _school_escalation_raised,
    "SchoolEscalationHeld": _held,
    "SchoolEscalationResolved": _resolved,
    "RolloutStarted": _rollout_started,
    "PhaseOpened": _phase_opened,
    "RolloutEscalationRaised": _rollout_escalation_raised,
    "RolloutEscalationHeld": _held,
    "RolloutEscalationResolved": _resolved,
}


async def project_until(dsn: str, stop: asyncio.Event, log, interval: float = 0.1) -> None:
    """Keep the read models caught up until ``stop`` is set; a failing round is logged and retried.

    Runs as its own process (``python projector.py``; the ``projector``
    service in production, a child of ``make run``), one per database, so its
    pace never depends on how busy a worker is.
    """
    from .event_store import EventStore

    store = await EventStore.connect(dsn, min_size=1, max_size=2)
    await store.migrate()
    projector = Projector(store.pool)
    log.info("projector_started")
    try:
        while not stop.is_set():
            try:
                applied = await projector.catch_up(batch=2_000)
                if applied:
                    log.info("projected", events=applied)
            except Exception as err:  # the log is the truth: never stop projecting over one bad round
                log.error("projection_failed", error=str(err))
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except asyncio.TimeoutError:
                pass
    finally:
        await store.close()
