"""The projector on real PostgreSQL when an event cannot be applied, or PostgreSQL cannot be reached
(issue 8, defect 11): the event is parked with its error, every other stream keeps projecting, the rest
of its stream waits behind it until ``retry_parked``; an unreachable database is retried with backoff."""

import asyncio
from datetime import date
from uuid import uuid4

import structlog

from activities.event_store import NewEvent
from activities.parking import parked_events
from activities.projector import Projector
from activities.projector_loop import Backoff, project_until
from domain.team import commands as cmd
from tests.support.builders import local, register
from tests.support.gwt import given
from workflows.persistence import to_rows

MON = date(2026, 9, 14)


def started(team_id: str):
    return given((register(team_id), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))


async def team_row(pool, team_id: str):
    return await pool.fetchrow("SELECT * FROM team_status WHERE team_id = $1", team_id)


async def parked_of(pool, stream: str) -> list:
    return [p for p in await parked_events(pool, limit=10_000) if p.stream_id == stream]


async def test_an_event_the_projection_cannot_apply_is_parked_and_other_streams_keep_projecting(event_store):
    suffix = uuid4().hex[:8]
    blocked, fine, garbled = f"blocked-{suffix}", f"fine-{suffix}", f"garbled-{suffix}"
    pool = event_store.pool
    # A stray read-model row (left by a hand edit, say): the team's registration cannot insert its own.
    await pool.execute("INSERT INTO team_status (team_id, school_id, district_id, name, version) VALUES ($1, 's', 'd', 'stray', 0)",
                       blocked)
    blocked_log = started(blocked).log
    await event_store.append(f"team-{blocked}", to_rows(1, blocked_log))
    # An event whose data the handler cannot read (a date that is not one).
    await event_store.append(f"team-{garbled}", [
        *to_rows(1, started(garbled).log[:1]),
        NewEvent(version=2, type="StepOpened", data={"step": "identify_focus", "at": "x", "due_on": None},
                 occurred_at=local(MON)),
    ])
    fine_team = started(fine)
    await event_store.append(f"team-{fine}", to_rows(1, fine_team.log))

    projector = Projector(pool)
    await projector.catch_up()

    assert (await team_row(pool, fine))["version"] == fine_team.state.version
    parked = await parked_of(pool, f"team-{blocked}")
    assert [p.version for p in parked] == list(range(1, len(blocked_log) + 1))
    assert parked[0].type == "TeamRegistered" and parked[0].error.startswith("UniqueViolationError")
    assert all(p.error.startswith(f"held: version 1 of team-{blocked}") for p in parked[1:])
    assert (await team_row(pool, blocked))["name"] == "stray"
    [garbled_parked] = await parked_of(pool, f"team-{garbled}")
    assert (garbled_parked.version, garbled_parked.error.split(":")[0]) == (2, "ValueError")
    assert (await team_row(pool, garbled))["version"] == 1  # what applied before the bad event stays applied
    assert await projector.catch_up() == 0  # parked, not retried on every round

    # Later events of a parked stream wait behind it.
    more = started(blocked)
    more.run(cmd.PauseTeam(actor="a.kennedy", reason="Testing week"), local(MON, 10))
    await event_store.append(f"team-{blocked}", to_rows(len(blocked_log) + 1, more.log[len(blocked_log):]))
    await projector.catch_up()
    assert len(await parked_of(pool, f"team-{blocked}")) == len(more.log)
    # Leave the shared database as a rebuild would make it (other tests compare against one).
    await pool.execute("DELETE FROM team_status WHERE team_id = $1", blocked)
    assert (await projector.retry_parked(f"team-{blocked}")).applied == len(more.log)


async def test_retry_re_projects_a_parked_stream_in_order_once_the_cause_is_fixed(event_store):
    team_id = f"retry-{uuid4().hex[:8]}"
    pool = event_store.pool
    await pool.execute("INSERT INTO team_status (team_id, school_id, district_id, name, version) VALUES ($1, 's', 'd', 'stray', 0)",
                       team_id)
    team = started(team_id)
    await event_store.append(f"team-{team_id}", to_rows(1, team.log))
    projector = Projector(pool)
    await projector.catch_up()
    assert (await projector.retry_parked(f"team-{team_id}")).applied == 0  # still broken: stays parked
    assert len(await parked_of(pool, f"team-{team_id}")) == len(team.log)

    await pool.execute("DELETE FROM team_status WHERE team_id = $1", team_id)  # the operator's fix
    retried = await projector.retry_parked(f"team-{team_id}")

    assert (retried.applied, retried.parked) == (len(team.log), [])
    assert await parked_of(pool, f"team-{team_id}") == []
    row = await team_row(pool, team_id)
    assert (row["name"], row["cycle"], row["step"], row["version"]) == ("Grade 7 Math", 1, "identify_focus", team.state.version)


async def test_an_unreachable_database_is_retried_with_growing_capped_waits_and_few_log_lines():
    """PostgreSQL away: a listener that accepts and drops every connection, counting the projector's tries."""
    tries = 0

    async def drop(reader, writer):
        nonlocal tries
        tries += 1
        writer.close()

    server = await asyncio.start_server(drop, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    backoff = Backoff(interval=0.01, first=0.02, cap=0.16)
    with structlog.testing.capture_logs() as logs:
        task = asyncio.create_task(project_until(f"postgresql://x:y@127.0.0.1:{port}/db", stop, structlog.get_logger(), backoff))
        await asyncio.sleep(2.0)
        stop.set()
        await asyncio.wait_for(task, 5)
    server.close()
    failures = [entry for entry in logs if entry["event"] == "projection_failed"]
    assert [entry["retry_in_s"] for entry in failures] == [0.02, 0.04, 0.08, 0.16]  # one line per step, none at the cap
    assert 8 <= tries <= 2.0 / 0.16 + 5  # kept trying, but no faster than the schedule allows


async def test_a_closed_port_is_retried_without_crashing_the_projector():
    stop = asyncio.Event()
    with structlog.testing.capture_logs() as logs:
        task = asyncio.create_task(project_until("postgresql://x:y@127.0.0.1:1/db", stop, structlog.get_logger(),
                                                 Backoff(interval=0.01, first=0.02, cap=0.04)))
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.wait_for(task, 5)
    assert [e["event"] for e in logs] == ["projector_started", "projection_failed", "projection_failed"]
    assert "ConnectionRefusedError" in logs[1]["error"] or "OSError" in logs[1]["error"]
