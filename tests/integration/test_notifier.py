"""Issue 10 (core): the outbox delivered by the real aiosmtplib to a real aiosmtpd server, from rows written
by the real append path (workflows.persistence.notifications) and addresses projected from the district's events."""

import asyncio
import signal
import time
from datetime import date, timedelta
from uuid import uuid4

import pytest
import structlog

from activities.event_store import EventStore
from activities.notifier import Retry, batches, claim, deliver, send
from activities.projector import Projector
from domain.rollout.decider import decide as decide_rollout
from domain.rollout import commands as rc
from domain.rollout.state import RolloutState, fold
from domain.team import commands as cmd
from domain.steps import Step
from tests.support.builders import EVIDENCE, register, local
from tests.support.gwt import given
from tests.support.smtp import notifier_process, until_all_sent
from tests.unit.test_school_rules import START
from workflows.persistence import notifications, to_rows

MON = date(2026, 9, 14)
LOG = structlog.get_logger("test.notifier")
FAST = Retry(lease_s=0.3, first_s=0.3, cap_s=1.0)
PEOPLE = {"facilitator": "svm.math-lead", "members": ("svm.teacher1", "svm.teacher2", "svm.teacher3"),
          "principal": "svm.principal", "coalition": ("sv.admin", "sv.union")}


OPEN = local(date(2026, 9, 29), 10)  # a school day after notify_at: the district's send hours are open
_STARTED = time.monotonic()


def now():
    """The notifier's clock in these tests: an open school day, running at real speed (leases, backoff)."""
    return OPEN + timedelta(seconds=time.monotonic() - _STARTED)


async def always_open(store: EventStore) -> None:
    """The notifier process runs on the real clock, whatever day the tests run on: its districts' send
    hours (read models school_days, district_time_zones.notify_at) are made open every day from midnight."""
    await store.pool.execute(
        """INSERT INTO school_days (district_id, day)
           SELECT district_id, d::date FROM district_time_zones, generate_series(now() - interval '2 days',
                  now() + interval '2 days', interval '1 day') d ON CONFLICT DO NOTHING""")
    await store.pool.execute("UPDATE district_time_zones SET notify_at = '00:00'")


def address(person_id: str) -> str:
    return f"{person_id}@sv.example.org"


RUNGS = (date(2026, 9, 22), date(2026, 9, 24), date(2026, 9, 29))  # team, facilitator, principal
TO_COALITION = (*RUNGS, date(2026, 10, 5))  # and the top rung


async def escalated_district(store: EventStore, *, without_email: tuple[str, ...] = (), teams: int = 2,
                             crews: tuple[dict, ...] = (PEOPLE,), rungs: tuple[date, ...] = RUNGS,
                             policy: dict | None = None, coalition: tuple[str, ...] = ()) -> dict:
    """A district whose people have addresses (RolloutStarted, projected), and ``teams`` teams escalated up
    to their principal (or as far as ``rungs`` go; team n's people: ``crews[n % len(crews)]``), appended with
    their outbox rows. ``policy``: changes to the rollout policy; ``coalition``: seated by the district.
    Returns {recipient: [outbox payloads]}."""
    suffix = uuid4().hex[:8]
    district_id = f"d-{suffix}"
    people = tuple(p.model_copy(update={"email": None if p.id in without_email else address(p.id)})
                   for p in START.district.people)
    start = START.model_copy(update={"district": START.district.model_copy(update={"district_id": district_id, "people": people}),
                                     "policy": START.policy.model_validate({**START.policy.model_dump(), **(policy or {})})})
    started = decide_rollout(RolloutState(), start, local(MON))
    if coalition:
        started += decide_rollout(fold(started), rc.SeatCoalition(actor="sv.admin", members=coalition), local(MON))
    await store.append(f"district-{district_id}", to_rows(1, started))
    expected: dict[str, list[dict]] = {}
    for n in range(teams):
        command = register(f"t{n}-{suffix}")
        team = command.team.model_copy(update={"district_id": district_id, "name": f"Team {n} {suffix}",
                                                **crews[n % len(crews)]})
        run = given((command.model_copy(update={"team": team}), local(MON)), (cmd.StartCycle(actor=team.facilitator), local(MON)))
        run.run(cmd.AdvanceStep(actor=team.members[0], step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]), local(MON))
        for day in rungs:
            run.run(cmd.RaiseDueEscalations(), local(day))
        rows = notifications(run.state, 1, run.log)
        await store.append(f"team-{team.team_id}", to_rows(1, run.log), rows)
        for row in rows:
            expected.setdefault(row.recipient, []).append(row.payload)
    await Projector(store.pool).catch_up()
    return expected


async def outbox(store: EventStore) -> list[dict]:
    return [dict(r) for r in await store.pool.fetch("SELECT * FROM outbox ORDER BY id")]


async def test_each_person_gets_one_message_listing_every_item_and_nothing_private(store, inbox):
    expected = await escalated_district(store)
    assert any(len(items) >= 2 for items in expected.values())  # the premise: someone has several items

    done = await deliver(store.pool, inbox.smtp, LOG, now=now())

    assert done.messages == len(expected) and done.sent == sum(map(len, expected.values()))
    for person, items in expected.items():
        [message] = inbox.to(address(person))
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert text.count("\n- ") == len(items)
        for item in items:
            # the reason's stale overdue count gives way to today's (activities.notice_text)
            assert f"{item['team_name']}: {item['step'].replace('_', ' ')}" in text and item["team_name"] in html
        assert "Unit 2" not in text and "Multi-step" not in text  # no evidence travels
    assert all(r["sent_at"] is not None for r in await outbox(store))
    assert (await deliver(store.pool, inbox.smtp, LOG, now=now())).messages == 0  # nothing twice


async def test_a_resend_after_a_crash_carries_the_same_message_id_and_happens_once(store, inbox):
    expected = await escalated_district(store, teams=1)
    # The crash: the server accepts every message, the notifier dies before marking its rows.
    for batch in await batches(store.pool, await claim(store.pool, 500, FAST, now=now()), "plcflow"):
        await send(batch, inbox.smtp)
    first = {m["To"]: m["Message-ID"] for m in inbox.messages}
    assert (await deliver(store.pool, inbox.smtp, LOG, now=now(), retry=FAST)).messages == 0  # claimed: leased, not lost

    await asyncio.sleep(FAST.lease_s + 0.1)
    assert (await deliver(store.pool, inbox.smtp, LOG, now=now(), retry=FAST)).messages == len(expected)
    await asyncio.sleep(FAST.lease_s + 0.1)
    assert (await deliver(store.pool, inbox.smtp, LOG, now=now(), retry=FAST)).messages == 0

    for person in expected:
        ids = [m["Message-ID"] for m in inbox.to(address(person))]
        assert ids == [first[address(person)]] * 2  # at most twice, under one id


async def test_a_refused_or_missing_address_is_parked_and_blocks_nobody(store, inbox):
    expected = await escalated_district(store, without_email=("svm.teacher3",))
    inbox.refuse[address("svm.principal")] = "550 5.1.1 No such user here"

    await deliver(store.pool, inbox.smtp, LOG, now=now(), retry=FAST)

    rows = await outbox(store)
    parked = {r["recipient"]: r["last_error"] for r in rows if r["parked_at"] is not None}
    assert set(parked) == {"svm.principal", "svm.teacher3"}
    assert "550 5.1.1 No such user here" in parked["svm.principal"]
    assert parked["svm.teacher3"] == "svm.teacher3 has no email address in the district file"
    assert all(r["sent_at"] is not None for r in rows if r["recipient"] not in parked)
    assert {m["To"] for m in inbox.messages} == {address(p) for p in expected if p not in parked}
    await asyncio.sleep(FAST.cap_s)
    assert (await deliver(store.pool, inbox.smtp, LOG, now=now(), retry=FAST)).messages == 0  # parked stays parked


async def test_a_temporary_refusal_is_retried_after_a_backoff(store, inbox):
    expected = await escalated_district(store, teams=1)
    inbox.later.add(address("svm.principal"))

    first = await deliver(store.pool, inbox.smtp, LOG, now=now(), retry=FAST)
    assert first.postponed == len(expected["svm.principal"]) and first.messages == len(expected) - 1
    [row] = [r for r in await outbox(store) if r["recipient"] == "svm.principal"]
    assert row["sent_at"] is None and row["parked_at"] is None and "451" in row["last_error"] and row["attempts"] == 1
    assert (await deliver(store.pool, inbox.smtp, LOG, now=now(), retry=FAST)).messages == 0  # not before its backoff

    await asyncio.sleep(FAST.delay(1) + 0.1)
    assert (await deliver(store.pool, inbox.smtp, LOG, now=now(), retry=FAST)).messages == 1
    assert len(inbox.to(address("svm.principal"))) == 1


async def test_two_notifiers_at_once_never_send_a_row_twice(store, inbox, notify_db):
    await escalated_district(store, teams=6)
    other = await EventStore.connect(notify_db)  # a second notifier: its own connections
    try:
        async def drain(pool):
            while (await deliver(pool, inbox.smtp, LOG, limit=3, now=now())).sent:
                pass
        await asyncio.gather(drain(store.pool), drain(other.pool))
    finally:
        await other.close()
    sent = [int(i) for m in inbox.messages for i in m["X-Plcflow-Outbox"].split(",")]
    rows = await outbox(store)
    assert sorted(sent) == [r["id"] for r in rows] and all(r["sent_at"] for r in rows)


async def test_addresses_follow_the_districts_people(store):
    """person_emails: the district file's addresses, a person added later, a role change kept, a leaver gone."""
    from domain.district import Person, Role
    from domain.rollout import commands as rc
    from domain.rollout.state import evolve as evolve_rollout

    district_id = f"d-{uuid4().hex[:8]}"
    people = tuple(p.model_copy(update={"email": address(p.id) if p.id != "svm.teacher1" else None})
                   for p in START.district.people)
    start = START.model_copy(update={"district": START.district.model_copy(update={"district_id": district_id, "people": people})})
    state, log = RolloutState(), []
    for command in (start, rc.AddPerson(actor="sv.admin", person=Person(id="svm.new", roles=(Role.TEACHER,),
                                                                      school="silver-valley-ms", email=address("svm.new"))),
                    rc.ChangeRoles(actor="sv.admin", person_id="svm.teacher2", roles=(Role.TEACHER, Role.TEACHER_LEADER),
                                   school="silver-valley-ms"),
                    rc.PersonLeaves(actor="sv.admin", person_id="svm.teacher3", reason="Moved to another district")):
        for event in decide_rollout(state, command, local(MON)):
            state = evolve_rollout(state, event)
            log.append(event)
    assert [e.type for e in log[-3:]] == ["PersonAdded", "RolesChanged", "PersonLeft"]  # the premise
    await store.append(f"district-{district_id}", to_rows(1, log))
    await Projector(store.pool).catch_up()

    rows = await store.pool.fetch("SELECT person_id, email FROM person_emails WHERE district_id = $1", district_id)
    emails = {r["person_id"]: r["email"] for r in rows}
    assert emails == {p.id: address(p.id) for p in START.district.people if p.id not in ("svm.teacher1", "svm.teacher3")} | {
        "svm.new": address("svm.new")}


async def test_the_notifier_process_delivers_and_logs_ids_never_addresses_or_bodies(store, inbox, notify_db):
    """``python notifier.py`` with PLCFLOW_SMTP_*: every row sent, JSON logs naming ids, then a clean stop."""
    import json

    expected = await escalated_district(store, teams=1)
    await always_open(store)
    proc = notifier_process(notify_db, inbox)
    try:
        await until_all_sent(store)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert {m["To"] for m in inbox.notices} == {address(p) for p in expected}
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    sent = [line for line in lines if line["event"] == "notice_sent"]
    assert sorted(i for line in sent for i in line["outbox_ids"]) == [r["id"] for r in await outbox(store)]
    assert "@sv.example.org" not in out and all(p["reason"] not in out for ps in expected.values() for p in ps)


async def test_the_notifier_process_counts_notices_and_messages_on_its_metrics_endpoint(store, inbox, notify_db):
    """Compose's healthcheck reads the notifier's /metrics (PLCFLOW_METRICS_ADDRESS); it counts what it delivered."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    from tests.support.stack import free_port

    expected = await escalated_district(store, teams=2)
    await always_open(store)
    port = free_port()
    proc = notifier_process(notify_db, inbox, PLCFLOW_METRICS_ADDRESS=f"127.0.0.1:{port}")
    try:
        await until_all_sent(store)
        await asyncio.sleep(0.5)  # the round that sent the last row counts it once deliver returns
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    samples = {(s.name, s.labels.get("outcome")): s.value for f in text_string_to_metric_families(text) for s in f.samples}
    assert samples[("plcflow_notices_total", "sent")] == sum(len(items) for items in expected.values())
    # Its notices, one message per person; the digests a process may also send are not counted here.
    assert samples[("plcflow_notifier_messages_sent_total", None)] == len(inbox.notices) == len(expected)
    assert samples.get(("plcflow_notices_total", "parked"), 0) == 0


async def test_a_notice_waits_while_the_projector_has_not_seen_its_team(store, inbox):
    """The outbox is written with the event, the addresses by the projector later: a lag is not a missing address."""
    suffix = uuid4().hex[:8]
    command = register(f"lag-{suffix}")
    run = given((command, local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))
    run.run(cmd.AdvanceStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]), local(MON))
    run.run(cmd.RaiseDueEscalations(), local(date(2026, 9, 22)))
    rows = notifications(run.state, 1, run.log)
    assert rows  # the premise
    await store.append(f"team-{command.team.team_id}", to_rows(1, run.log), rows)

    done = await deliver(store.pool, inbox.smtp, LOG, now=now(), retry=FAST)

    assert (done.postponed, done.parked, done.messages) == (len(rows), 0, 0)
    assert all("not projected yet" in r["last_error"] and r["parked_at"] is None for r in await outbox(store))


async def test_a_notifier_killed_between_acceptance_and_marking_resends_once_under_the_same_message_id(
        store, inbox, notify_db):
    """Issue 10, "Crash": SIGKILL once the SMTP server holds the first message; a new notifier, once the
    dead one's lease is over, sends it exactly once more with the same Message-ID, and everyone else's once."""
    expected = await escalated_district(store, teams=1)
    await always_open(store)
    killed = notifier_process(notify_db, inbox)
    inbox.kill_after_accepting = killed.pid
    killed.communicate(timeout=30)
    assert killed.returncode == -signal.SIGKILL and len(inbox.messages) == 1
    [first] = inbox.messages
    assert await store.pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL") == 0
    # The lease (5 minutes) runs out: the dead notifier's rows are due again.
    await store.pool.execute("UPDATE outbox SET next_attempt_at = now() WHERE sent_at IS NULL")

    again = notifier_process(notify_db, inbox)
    try:
        await until_all_sent(store)
    finally:
        again.send_signal(signal.SIGTERM)
        again.communicate(timeout=30)
    assert [m["Message-ID"] for m in inbox.to(first["To"]) if m in inbox.notices] == [first["Message-ID"]] * 2
    assert sorted(m["To"] for m in inbox.notices) == sorted([first["To"]] + [address(p) for p in expected])
    assert await store.pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0


async def test_each_districts_send_hours_are_projected_from_its_rollout_policy_and_calendar(store):
    from activities.notice_hours import notice_hours

    await escalated_district(store)
    district_id = (await store.pool.fetchval("SELECT district_id FROM district_status"))
    hours = (await notice_hours(store.pool, [district_id, "nobody"]))
    assert list(hours) == [district_id]
    assert hours[district_id].notify_at == START.policy.notify_at
    assert hours[district_id].days == START.calendar.school_days
    assert hours[district_id].zone.key == START.calendar.timezone
