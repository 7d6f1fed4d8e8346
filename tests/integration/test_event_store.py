"""The event store on a real PostgreSQL: exactly once, in order, outbox with its event."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from activities.event_store import EventStore, NewEvent, Notification, StreamConflict, StreamGap

T0 = datetime(2026, 9, 14, 16, 0, tzinfo=UTC)


def stream() -> str:
    return f"test-{uuid4()}"


def events(first: int, count: int, kind: str = "StepCompleted") -> list[NewEvent]:
    return [
        NewEvent(version=v, type=kind, data={"n": v, "step": "analyze"}, occurred_at=T0 + timedelta(minutes=v))
        for v in range(first, first + count)
    ]


async def test_append_then_read_back_in_order(event_store):
    s = stream()
    result = await event_store.append(s, events(1, 3))
    assert (result.appended, result.already_present) == (3, 0)
    rows = await event_store.read_stream(s)
    assert [r.version for r in rows] == [1, 2, 3] and rows[1].data == {"n": 2, "step": "analyze"}
    assert rows[0].occurred_at == T0 + timedelta(minutes=1) and rows[0].stream_id == s
    assert await event_store.stream_version(s) == 3 and await event_store.stream_version(stream()) == 0
    assert [r.version for r in await event_store.read_stream(s, from_version=3)] == [3]


async def test_a_retried_identical_append_is_a_no_op(event_store):
    s = stream()
    await event_store.append(s, events(1, 2))
    result = await event_store.append(s, events(1, 2))
    assert (result.appended, result.already_present) == (0, 2)
    assert len(await event_store.read_stream(s)) == 2


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
    note = Notification(version=2, recipient="a.kennedy", kind="escalation", payload={})
    with pytest.raises(StreamConflict, match=f"stream {s} version 1 already holds a different StepCompleted"):
        await event_store.append(s, batch, [note])
    assert [r.type for r in await event_store.read_stream(s)] == ["StepCompleted"]
    assert not [m for m in await event_store.pending_notifications(10_000) if m.stream_id == s]


async def test_a_gap_in_the_stream_is_refused(event_store):
    s = stream()
    await event_store.append(s, events(1, 1))
    with pytest.raises(StreamGap, match="is at version 1; cannot append version 3"):
        await event_store.append(s, events(3, 1))
    assert await event_store.stream_version(s) == 1


async def test_a_batch_must_hold_consecutive_versions(event_store):
    with pytest.raises(StreamGap, match="consecutive"):
        await event_store.append(stream(), events(1, 1) + events(3, 1))


async def test_notifications_are_written_with_their_event_once(event_store):
    s = stream()
    notes = [Notification(version=2, recipient=r, kind="escalation", payload={"level": "team"}) for r in ("t.nelson", "d.slavit")]
    await event_store.append(s, events(1, 2), notes)
    await event_store.append(s, events(1, 2), notes)  # a retry after a crash
    mine = [m for m in await event_store.pending_notifications(10_000) if m.stream_id == s]
    assert sorted(m.recipient for m in mine) == ["d.slavit", "t.nelson"] and {m.version for m in mine} == {2}
    await event_store.mark_sent([m.id for m in mine], T0)
    assert not [m for m in await event_store.pending_notifications(10_000) if m.stream_id == s]


async def test_migrating_again_or_concurrently_is_safe(pg_url, event_store):
    stores = [await EventStore.connect(pg_url) for _ in range(3)]
    try:
        applied = await asyncio.gather(*(st.migrate() for st in stores))
        assert applied == [[], [], []]
    finally:
        for st in stores:
            await st.close()


async def test_racing_appenders_land_one_batch_and_the_other_conflicts(event_store):
    s = stream()
    await event_store.append(s, events(1, 1))
    ours, theirs = events(2, 2), events(2, 2, kind="TeamPaused")
    results = await asyncio.gather(event_store.append(s, ours), event_store.append(s, theirs), return_exceptions=True)
    assert sum(isinstance(r, StreamConflict) for r in results) == 1
    assert len(await event_store.read_stream(s)) == 3


async def test_racing_identical_appenders_both_succeed_once(event_store):
    s = stream()
    results = await asyncio.gather(*(event_store.append(s, events(1, 3)) for _ in range(4)))
    assert sum(r.appended for r in results) == 3
    assert [r.version for r in await event_store.read_stream(s)] == [1, 2, 3]
