"""The event store on a real PostgreSQL: exactly once, in order, outbox with its event."""

import asyncio
from pathlib import Path
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import uuid4

import asyncpg
import pytest
from pydantic import ValidationError

from activities.event_store import EventStore, EventStoreError, NewEvent, Notification, StreamConflict, StreamGap

MIGRATIONS = sorted(p.name for p in (Path(__file__).parents[2] / "activities" / "migrations").glob("*.sql"))
T0 = datetime(2026, 9, 14, 16, 0, tzinfo=UTC)


def stream() -> str:
    return f"test-{uuid4()}"


def events(first: int, count: int, kind: str = "StepCompleted") -> list[NewEvent]:
    return [
        NewEvent(version=v, type=kind, data={"n": v, "step": "analyze"}, occurred_at=T0 + timedelta(minutes=v))
        for v in range(first, first + count)
    ]


def note(version: int, recipient: str = "a.kennedy") -> Notification:
    return Notification(version=version, recipient=recipient, kind="escalation", payload={"level": "team"})


async def mine(store: EventStore, s: str):
    return [m for m in await store.pending_notifications(100_000) if m.stream_id == s]


async def test_append_then_read_back_in_order(event_store):
    s = stream()
    result = await event_store.append(s, events(1, 3))
    assert (result.appended, result.already_present) == (3, 0)
    rows = await event_store.read_stream(s)
    assert [r.version for r in rows] == [1, 2, 3] and rows[1].data == {"n": 2, "step": "analyze"}
    assert rows[0].occurred_at == T0 + timedelta(minutes=1) and rows[0].stream_id == s
    assert rows[0].recorded_at.tzinfo is not None
    assert [r.version for r in await event_store.read_stream(s, from_version=3)] == [3]


async def test_stream_version_is_the_last_stored_version_and_zero_for_an_unknown_stream(event_store):
    s = stream()
    assert await event_store.stream_version(s) == 0
    await event_store.append(s, events(1, 2))
    await event_store.append(s, events(3, 1))
    assert await event_store.stream_version(s) == 3


async def test_a_retried_identical_append_is_a_no_op(event_store):
    s = stream()
    await event_store.append(s, events(1, 2))
    before = await event_store.read_stream(s)
    result = await event_store.append(s, events(1, 2))
    assert (result.appended, result.already_present) == (0, 2)
    assert await event_store.read_stream(s) == before  # not rewritten: same recorded_at


async def test_a_partly_stored_batch_writes_only_its_new_tail(event_store):
    s = stream()
    await event_store.append(s, events(1, 2))
    result = await event_store.append(s, events(1, 4))
    assert (result.appended, result.already_present) == (2, 2)
    assert [r.version for r in await event_store.read_stream(s)] == [1, 2, 3, 4]


async def test_different_content_at_a_stored_version_is_a_conflict_and_writes_nothing(event_store):
    s = stream()
    await event_store.append(s, events(1, 1))
    batch = events(1, 1, kind="StepRevisited") + events(2, 1)
    with pytest.raises(StreamConflict, match=f"stream {s} version 1 already holds a different StepCompleted"):
        await event_store.append(s, batch, [note(2)])
    assert [r.type for r in await event_store.read_stream(s)] == ["StepCompleted"]
    assert await mine(event_store, s) == []


async def test_a_conflict_in_the_tail_of_a_retried_batch_also_writes_nothing(event_store):
    s = stream()
    await event_store.append(s, events(1, 2))
    changed = events(1, 1) + [events(2, 1)[0].model_copy(update={"data": {"n": 2, "step": "plan"}})] + events(3, 1)
    with pytest.raises(StreamConflict, match=f"stream {s} version 2"):
        await event_store.append(s, changed, [note(3)])
    assert await event_store.stream_version(s) == 2 and await mine(event_store, s) == []


async def test_a_gap_in_the_stream_is_refused(event_store):
    s = stream()
    await event_store.append(s, events(1, 1))
    with pytest.raises(StreamGap, match=f"stream {s} is at version 1; cannot append version 3"):
        await event_store.append(s, events(3, 1))
    with pytest.raises(StreamGap, match="is at version 0; cannot append version 2"):
        await event_store.append(stream(), events(2, 1))
    assert await event_store.stream_version(s) == 1


async def test_a_batch_must_hold_consecutive_ascending_versions(event_store):
    s = stream()
    with pytest.raises(StreamGap, match="consecutive"):
        await event_store.append(s, events(1, 1) + events(3, 1))
    with pytest.raises(StreamGap, match="consecutive"):
        await event_store.append(s, events(2, 1) + events(1, 1))
    assert await event_store.stream_version(s) == 0


async def test_events_need_a_positive_version_and_an_aware_timestamp():
    with pytest.raises(ValidationError):
        NewEvent(version=0, type="StepCompleted", data={}, occurred_at=T0)
    with pytest.raises(ValidationError):
        NewEvent(version=1, type="StepCompleted", data={}, occurred_at=T0.replace(tzinfo=None))


async def test_notifications_are_written_with_their_event_once(event_store):
    s = stream()
    notes = [note(2, r) for r in ("t.nelson", "d.slavit")]
    await event_store.append(s, events(1, 2), notes)
    result = await event_store.append(s, events(1, 2), notes)  # a retry after a lost reply
    assert result.appended == 0
    got = await mine(event_store, s)
    assert sorted(m.recipient for m in got) == ["d.slavit", "t.nelson"] and {m.version for m in got} == {2}
    assert got[0].payload == {"level": "team"} and got[0].sent_at is None


async def test_a_notification_must_belong_to_an_event_of_its_batch(event_store):
    s = stream()
    await event_store.append(s, events(1, 1))
    with pytest.raises(EventStoreError, match=r"versions \[1\] not in this batch"):
        await event_store.append(s, events(2, 1), [note(1)])
    assert await event_store.stream_version(s) == 1 and await mine(event_store, s) == []


async def test_pending_notifications_are_oldest_first_until_marked_sent(event_store):
    s = stream()
    await event_store.append(s, events(1, 1), [note(1, "first")])
    await event_store.append(s, events(2, 1), [note(2, "second")])
    got = await mine(event_store, s)
    assert [m.recipient for m in got] == ["first", "second"]
    await event_store.mark_sent([got[0].id], T0)
    assert [m.recipient for m in await mine(event_store, s)] == ["second"]
    await event_store.mark_sent([got[1].id], T0)
    assert await mine(event_store, s) == []


def with_search_path(url: str, schema: str) -> str:
    """asyncpg turns unknown DSN query parameters into server settings."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode([*parse_qsl(parts.query), ("search_path", schema)])))


async def test_migrating_again_is_a_no_op(event_store):
    assert await event_store.migrate() == []


async def test_workers_migrating_a_fresh_database_at_once_apply_each_migration_once(pg_url):
    schema = f"mig_{uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_url)
    await admin.execute(f"CREATE SCHEMA {schema}")
    stores = [await EventStore.connect(with_search_path(pg_url, schema)) for _ in range(4)]
    try:
        applied = await asyncio.gather(*(st.migrate() for st in stores))
        winners = [a for a in applied if a]
        assert len(winners) == 1 and winners[0] == MIGRATIONS
        assert await admin.fetchval(f"SELECT count(*) FROM {schema}.schema_migrations") == len(MIGRATIONS)
        assert (await stores[0].append(stream(), events(1, 1))).appended == 1
    finally:
        for st in stores:
            await st.close()
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


async def test_racing_appenders_land_one_whole_batch_and_the_other_conflicts(event_store):
    for _ in range(10):  # a few rounds, so the race goes both ways
        s = stream()
        await event_store.append(s, events(1, 1))
        ours, theirs = events(2, 3), events(2, 3, kind="TeamPaused")
        results = await asyncio.gather(event_store.append(s, ours), event_store.append(s, theirs), return_exceptions=True)
        assert sorted(type(r).__name__ for r in results) == ["AppendResult", "StreamConflict"]
        stored = [(r.version, r.type) for r in (await event_store.read_stream(s))[1:]]
        assert stored in ([(e.version, e.type) for e in ours], [(e.version, e.type) for e in theirs])


async def test_racing_identical_appenders_store_the_batch_once(event_store):
    s = stream()
    results = await asyncio.gather(*(event_store.append(s, events(1, 3), [note(3)]) for _ in range(4)))
    assert sorted((r.appended, r.already_present) for r in results) == [(0, 3), (0, 3), (0, 3), (3, 0)]
    assert [r.version for r in await event_store.read_stream(s)] == [1, 2, 3] and len(await mine(event_store, s)) == 1
