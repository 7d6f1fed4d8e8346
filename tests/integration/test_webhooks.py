"""Issue 10, webhooks: the outbox posted by the real httpx client to a real HTTP receiver on 127.0.0.1, from
rows written by the real append path and a district projected from its events. Time is injected (``now``),
so backoff and closed days need no sleeping."""

import asyncio
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
import structlog

from activities.event_store import EventStore
from activities.notifier import Retry
from activities.webhook_payloads import ITEM_FIELDS
from activities.webhooks import claim, enqueue, post_webhooks, posts as grouped, send
from app.config import Settings
from app.health import run_checks
from tests.integration.test_notifier import escalated_district
from tests.support.builders import EVIDENCE
from tests.support.webhooks import webhook_receiver

ROOT = Path(__file__).resolve().parents[2]
LOG = structlog.get_logger("test.webhooks")
# Silver Valley (America/Los_Angeles, notify_at 07:00): a Wednesday mid-morning, a Saturday, the Monday after.
WED = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
SAT = datetime(2026, 10, 3, 17, 0, tzinfo=UTC)
MON_OPEN = datetime(2026, 10, 5, 14, 0, tzinfo=UTC)
RETRY = Retry()  # 30 s doubling to 1 h; the clock is injected




@pytest.fixture
def receiver():
    with webhook_receiver() as r:
        yield r


async def district_with_escalations(store: EventStore, teams: int = 2) -> tuple[str, dict]:
    """The district's id and its escalation events: {(stream_id, version): the person ids each reached}."""
    await escalated_district(store, teams=teams)
    district = await store.pool.fetchval("SELECT district_id FROM district_status")
    events: dict = {}
    for r in await store.pool.fetch("SELECT stream_id, version, recipient FROM outbox WHERE kind = 'escalation'"):
        events.setdefault((r["stream_id"], r["version"]), set()).add(r["recipient"])
    return district, events


async def posts(store: EventStore) -> list[dict]:
    return [dict(r) for r in await store.pool.fetch("SELECT * FROM webhook_posts ORDER BY id")]


async def test_each_escalation_is_posted_once_per_hook_all_in_one_post_per_window(store, receiver):
    district, events = await district_with_escalations(store)
    assert any(len(reached) >= 2 for reached in events.values())  # the premise: an escalation reached several people
    hooks = {district: (receiver.hook("slack", "slack"), receiver.hook("teams", "teams"),
                        receiver.hook("chat", "google_chat"))}

    done = await post_webhooks(store.pool, hooks, LOG, now=WED)

    assert (done.messages, done.sent) == (3, 3 * len(events))
    rows = await posts(store)
    for name in ("slack", "teams", "chat"):
        [post] = receiver.at(name)
        mine = [r for r in rows if r["hook"] == name]
        assert sorted(post.post_ids) == [r["id"] for r in mine]
        assert {(r["stream_id"], r["version"]): set(r["item"]["reached"]) for r in mine} == events
    assert all(r["sent_at"] is not None and r["attempts"] == 1 for r in rows)
    assert (await post_webhooks(store.pool, hooks, LOG, now=WED + timedelta(hours=1))).messages == 0
    assert len(receiver.received) == 3  # nothing twice


async def test_each_kind_gets_its_documented_json_shape(store, receiver):
    district, events = await district_with_escalations(store, teams=1)
    hooks = {district: (receiver.hook("slack", "slack"), receiver.hook("teams", "teams"),
                        receiver.hook("chat", "google_chat"))}

    await post_webhooks(store.pool, hooks, LOG, now=WED)

    [slack], [teams], [chat] = receiver.at("slack"), receiver.at("teams"), receiver.at("chat")
    heading = f"plcflow, {district}: {len(events)} items need a next move"
    assert list(slack.body) == ["text"] and slack.body["text"].startswith(f"*{heading}*\n")
    assert slack.body["text"].count("\n• ") == len(events)
    assert list(chat.body) == ["text"] and chat.body["text"].count("\n• ") == len(events)
    assert teams.body["type"] == "message"
    [attachment] = teams.body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive" and attachment["contentUrl"] is None
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.2")
    assert [b["type"] for b in card["body"]] == ["TextBlock"] * (len(events) + 2) and card["body"][0]["text"] == heading
    for reached in events.values():  # each item says who it reached, by person id
        assert all(", ".join(sorted(reached)) in text for text in (slack.raw, chat.raw, teams.raw))


async def test_a_500_or_a_429_is_retried_after_its_backoff_then_delivered_once(store, receiver):
    district, events = await district_with_escalations(store, teams=1)
    hooks = {district: (receiver.hook("slack", "slack"), receiver.hook("chat", "google_chat"))}
    receiver.answers["/slack"] = [(500, {})]
    receiver.answers["/chat"] = [(429, {"Retry-After": "120"})]

    first = await post_webhooks(store.pool, hooks, LOG, now=WED, retry=RETRY)

    assert (first.messages, first.postponed) == (0, 2 * len(events))
    rows = {r["hook"]: r for r in await posts(store)}
    assert rows["slack"]["last_error"] == "HTTP 500: no_service" and rows["slack"]["parked_at"] is None
    assert rows["slack"]["next_attempt_at"] == WED + timedelta(seconds=RETRY.delay(1))
    assert rows["chat"]["next_attempt_at"] == WED + timedelta(seconds=120)  # the endpoint's Retry-After
    assert (await post_webhooks(store.pool, hooks, LOG, now=WED + timedelta(seconds=29))).messages == 0
    assert (await post_webhooks(store.pool, hooks, LOG, now=WED + timedelta(seconds=31))).messages == 1
    assert (await post_webhooks(store.pool, hooks, LOG, now=WED + timedelta(seconds=121))).messages == 1
    assert Counter(receiver.statuses) == {("/slack", 500): 1, ("/slack", 200): 1, ("/chat", 429): 1, ("/chat", 200): 1}
    assert all(r["sent_at"] is not None and r["attempts"] == 2 for r in await posts(store))


async def test_a_404_is_parked_reported_by_doctor_and_blocks_no_other_hook(store, receiver, notify_db):
    district, events = await district_with_escalations(store, teams=1)
    hooks = {district: (receiver.hook("gone", "slack"), receiver.hook("chat", "google_chat"))}
    receiver.answers["/gone"] = [(404, {})]

    done = await post_webhooks(store.pool, hooks, LOG, now=WED)

    assert (done.parked, done.messages, done.sent) == (len(events), 1, len(events))
    assert len(receiver.at("chat")) == 1 and receiver.at("gone") == []
    parked = [r for r in await posts(store) if r["parked_at"] is not None]
    assert {r["hook"] for r in parked} == {"gone"} and {r["last_error"] for r in parked} == {"HTTP 404: no_service"}
    await post_webhooks(store.pool, hooks, LOG, now=WED + timedelta(days=1))
    assert Counter(p for p, _ in receiver.statuses)["/gone"] == 1  # parked stays parked

    report = await run_checks(Settings(temporal_address="127.0.0.1:9"), pool=store.pool, quick=True)
    assert report.checks["parked_webhook_posts"]["count"] == len(events)
    [line] = [p for p in report.problems if "webhook posts parked" in p]
    assert line == (f"{len(events)} webhook posts parked by the notifier, first #{parked[0]['id']} to hook gone of "
                    f"district {district} (escalation): HTTP 404: no_service; fix the hook (its url in "
                    "PLCFLOW_WEBHOOKS_FILE, the channel), then run `plcflow notices retry --hook gone`.")

    env = {**os.environ, "DATABASE_URL": notify_db, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "cli.main", "notices", "retry", "--hook", "gone"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout.strip()) == (0, f"Due again: {len(events)} parked webhook post(s)")
    both = subprocess.run([sys.executable, "-m", "cli.main", "notices", "retry", "--hook", "gone", "--recipient", "x"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert both.returncode == 2 and "give one, or neither for all" in both.stderr
    assert (await post_webhooks(store.pool, hooks, LOG, now=WED + timedelta(days=1))).messages == 1
    assert len(receiver.at("gone")) == 1


async def test_nothing_is_posted_on_a_closed_day_it_goes_out_at_notify_at_on_the_next_school_day(store, receiver):
    district, events = await district_with_escalations(store, teams=1)
    hooks = {district: (receiver.hook("slack", "slack"),)}

    for now in (SAT, SAT + timedelta(days=1), MON_OPEN - timedelta(minutes=1)):
        assert (await post_webhooks(store.pool, hooks, LOG, now=now)).messages == 0
    assert receiver.statuses == []
    assert {r["next_attempt_at"] for r in await posts(store)} == {MON_OPEN}
    assert (await post_webhooks(store.pool, hooks, LOG, now=MON_OPEN)).messages == 1
    assert len(receiver.at("slack")) == 1


async def test_a_retry_that_falls_on_a_closed_day_waits_for_the_next_school_day(store, receiver):
    district, events = await district_with_escalations(store, teams=1)
    hooks = {district: (receiver.hook("slack", "slack"),)}
    receiver.answers["/slack"] = [(503, {})]
    friday_late = datetime(2026, 10, 3, 6, 59, 50, tzinfo=UTC)  # Friday 23:59:50 in Los Angeles

    assert (await post_webhooks(store.pool, hooks, LOG, now=friday_late)).postponed == len(events)
    assert {r["next_attempt_at"] for r in await posts(store)} == {MON_OPEN}  # not Saturday 00:00:20
    # A post already due when the notifier comes back on a closed day is put back, not counted as a try.
    await store.pool.execute("UPDATE webhook_posts SET next_attempt_at = $1", SAT)
    assert (await post_webhooks(store.pool, hooks, LOG, now=SAT)).messages == 0
    assert [(r["next_attempt_at"], r["attempts"]) for r in await posts(store)] == [(MON_OPEN, 1)] * len(events)
    assert len(receiver.statuses) == 1


async def test_two_notifiers_at_once_never_post_an_item_twice(store, receiver, notify_db):
    district, events = await district_with_escalations(store, teams=6)
    hooks = {district: (receiver.hook("slack", "slack"), receiver.hook("teams", "teams"))}
    other = await EventStore.connect(notify_db)  # a second notifier: its own connections
    try:
        async def drain(pool):
            for _ in range(50):
                if not (await post_webhooks(pool, hooks, LOG, now=WED, limit=3)).sent and not await pool.fetchval(
                        "SELECT count(*) FROM webhook_posts WHERE sent_at IS NULL"):
                    return
        await asyncio.gather(drain(store.pool), drain(other.pool))
    finally:
        await other.close()
    rows = await posts(store)
    assert len(rows) == 2 * len(events) and all(r["sent_at"] for r in rows)
    assert sorted(i for r in receiver.received for i in r.post_ids) == [r["id"] for r in rows]


async def test_a_notifier_that_dies_after_the_endpoint_accepted_posts_again_once_after_its_lease(store, receiver):
    """At least once, at most twice: the crash falls between the endpoint's 200 and the rows' marking."""
    district, events = await district_with_escalations(store, teams=1)
    hooks = {district: (receiver.hook("slack", "slack"),)}
    await enqueue(store.pool, hooks, WED)
    async with httpx.AsyncClient() as client:
        for post in grouped(await claim(store.pool, 500, RETRY, WED)):
            await send(client, hooks[district][0], post)
    assert len(receiver.received) == 1

    assert (await post_webhooks(store.pool, hooks, LOG, now=WED + timedelta(minutes=1))).messages == 0  # leased
    after_lease = WED + timedelta(seconds=RETRY.lease_s + 1)
    assert (await post_webhooks(store.pool, hooks, LOG, now=after_lease)).messages == 1
    assert (await post_webhooks(store.pool, hooks, LOG, now=after_lease + timedelta(hours=2))).messages == 0
    first, again = receiver.received
    assert first.post_ids == again.post_ids and first.body == again.body


async def test_a_notifier_skips_posts_another_one_is_claiming_rather_than_waiting_or_taking_them(
        store, receiver, notify_db):
    district, events = await district_with_escalations(store, teams=1)
    hooks = {district: (receiver.hook("slack", "slack"),)}
    await enqueue(store.pool, hooks, WED)
    ids = [r["id"] for r in await posts(store)]
    other = await asyncpg.connect(notify_db)  # another notifier, in the middle of its claim
    try:
        claiming = other.transaction()
        await claiming.start()
        await other.execute("SELECT id FROM webhook_posts WHERE id = $1 FOR UPDATE", ids[0])
        done = await asyncio.wait_for(post_webhooks(store.pool, hooks, LOG, now=WED), 10)
        await claiming.rollback()
    finally:
        await other.close()
    assert done.sent == len(ids) - 1 and [r.post_ids for r in receiver.received] == [tuple(ids[1:])]


async def test_a_post_carries_no_address_no_evidence_and_no_student_data(store, receiver):
    district, _ = await district_with_escalations(store)
    hooks = {district: (receiver.hook("slack", "slack"), receiver.hook("teams", "teams"),
                        receiver.hook("chat", "google_chat"))}

    await post_webhooks(store.pool, hooks, LOG, now=WED)

    evidence = [EVIDENCE[s].focus for s in EVIDENCE if EVIDENCE[s].focus] + ["Unit 2", "Unit 3", "problem solving"]
    assert len(receiver.received) == 3
    for post in receiver.received:
        assert "@" not in post.raw and "sv.example.org" not in post.raw
        assert not any(e in post.raw for e in evidence)
    assert all(set(r["item"]) <= {*ITEM_FIELDS, "kind", "reached"} for r in await posts(store))


async def test_a_district_without_hooks_gets_no_posts_and_a_hook_added_later_no_backlog(store, receiver):
    district, _ = await district_with_escalations(store, teams=1)

    await post_webhooks(store.pool, {"another-district": (receiver.hook("slack", "slack"),)}, LOG, now=WED)
    await post_webhooks(store.pool, {district: (receiver.hook("slack", "slack"),)}, LOG, now=WED)

    assert await posts(store) == [] and receiver.statuses == []
    assert await store.pool.fetchval("SELECT count(*) FROM outbox WHERE hooked_at IS NULL") == 0


async def test_the_notifier_loop_turns_the_outbox_into_posts_each_round(store, receiver, notify_db):
    """The notifier process's rounds (``notify_until``) post webhooks beside the email; the wall clock decides
    whether Silver Valley is open now, so each post is either delivered or due at its next notify_at."""
    from activities.notice_hours import notice_hours
    from activities.notifier_loop import notify_until
    from activities.webhooks import due_at
    from tests.support.smtp import smtp_inbox

    district, events = await district_with_escalations(store, teams=1)
    hooks = {district: (receiver.hook("slack", "slack"),)}
    hours = (await notice_hours(store.pool, [district]))[district]
    stop = asyncio.Event()
    with smtp_inbox() as inbox:
        loop = asyncio.create_task(notify_until(notify_db, inbox.smtp, stop, LOG, idle_s=0.1, webhooks=hooks))
        for _ in range(100):
            if len(await posts(store)) == len(events) and all(r["attempts"] or r["next_attempt_at"] > datetime.now(UTC)
                                                              for r in await posts(store)):
                break
            await asyncio.sleep(0.1)
        stop.set()
        await loop
    rows = await posts(store)
    assert len(rows) == len(events) and not any(r["parked_at"] or r["last_error"] for r in rows)
    sent = [r for r in rows if r["sent_at"]]
    assert sorted(i for r in receiver.received for i in r.post_ids) == [r["id"] for r in sent]
    assert all(r["next_attempt_at"] == due_at(hours, r["created_at"]) for r in rows if not r["sent_at"])


def test_the_notifier_refuses_a_bad_webhooks_file_with_exit_2_and_never_shows_the_url(tmp_path):
    bad = tmp_path / "hooks.yaml"
    bad.write_text("silver-valley:\n  - {name: coalition, kind: slack, url: 'http://hooks.example.org/T0/SECRET'}\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLCFLOW_WEBHOOKS_FILE": str(bad),
           "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    out = subprocess.run([sys.executable, "notifier.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip() == (
        f"configuration: PLCFLOW_WEBHOOKS_FILE={bad}: district 'silver-valley', hook 1, url: url must use https "
        "(plain http only to 127.0.0.1 or localhost, for testing).")
    assert "SECRET" not in out.stderr + out.stdout
