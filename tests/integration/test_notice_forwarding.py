"""Issue 10: a person with no email address; their notices go to the next rung's people only if the district's
policy says so (RolloutPolicy.notices_without_address; activities.forwarding, domain.notice_forwarding). Real
PostgreSQL, the real append path's outbox rows, the real aiosmtplib against a real aiosmtpd."""

from uuid import uuid4

from activities.notifier import deliver, people_without_address, retry_parked
from activities.projector import Projector
from domain.notice_forwarding import not_forwarded_reason
from domain.rollout import commands as rc
from tests.integration.test_notifier import LOG, MON, address, escalated_district, now, outbox
from tests.support.builders import local
from tests.support.gwt import ROLLOUT
from tests.unit.test_school_rules import START
from workflows.notices import rollout_notifications
from workflows.persistence import to_rows

NEXT_RUNG = {"notices_without_address": "next_rung"}


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


async def test_a_members_notices_go_to_the_facilitator_once_and_the_originals_say_where(store, inbox):
    expected = await escalated_district(store, without_email=("svm.teacher3",), policy=NEXT_RUNG)
    mine = expected["svm.teacher3"]
    assert len(mine) == 2  # the premise: the team rung of two teams

    first = await deliver(store.pool, inbox.smtp, LOG, now=now())

    assert (first.forwarded, first.parked) == (2, 2)
    rows = await outbox(store)
    originals = [r for r in rows if r["recipient"] == "svm.teacher3"]
    assert [(r["last_error"], r["sent_at"]) for r in originals] == [("forwarded to svm.math-lead", None)] * 2
    assert all(r["parked_at"] is not None for r in originals)
    copies = [r for r in rows if r["kind"].startswith("forwarded-")]
    assert {(r["recipient"], r["kind"]) for r in copies} == {("svm.math-lead", "forwarded-escalation:svm.teacher3")}
    assert sorted((r["stream_id"], r["version"]) for r in copies) == sorted((r["stream_id"], r["version"]) for r in originals)
    assert all(r["payload"]["stands_in_for"] == "svm.teacher3" and r["payload"]["forwarded_kind"] == "escalation"
               for r in copies)

    second = await deliver(store.pool, inbox.smtp, LOG, now=now())
    assert (second.messages, second.sent) == (1, 2)
    [own, forwarded] = inbox.to(address("svm.math-lead"))
    assert "in place of" not in text(own)
    assert text(forwarded).count("You receive this in place of svm.teacher3, who has no email address") == 2
    for item in mine:
        assert f"{item['team_name']}: {item['step'].replace('_', ' ')} (for svm.teacher3)" in text(forwarded)
    assert not any("in place of" in text(m) for p in expected if p != "svm.math-lead" for m in inbox.to(address(p)))

    # Nothing silent: plcflow doctor still names the person; and a retry forwards nothing twice.
    _, [person] = await people_without_address(store.pool)
    assert (person["person_id"], person["parked"]) == ("svm.teacher3", 2)
    assert await retry_parked(store.pool, "svm.teacher3") == 2
    again = await deliver(store.pool, inbox.smtp, LOG, now=now())
    assert (again.forwarded, again.messages) == (2, 0)
    assert (await deliver(store.pool, inbox.smtp, LOG, now=now())).messages == 0
    assert len(inbox.to(address("svm.math-lead"))) == 2 and len(await outbox(store)) == len(rows)


async def test_rungs_without_addresses_are_skipped_up_to_the_districts_coalition(store, inbox):
    away = ("svm.teacher3", "svm.math-lead", "svm.principal")
    expected = await escalated_district(store, without_email=away, policy=NEXT_RUNG, coalition=("sv.admin", "sv.union"))

    first = await deliver(store.pool, inbox.smtp, LOG, now=now())

    stood_in = sum(len(expected[p]) for p in away)
    assert first.forwarded == first.parked == stood_in
    rows = await outbox(store)
    assert {r["last_error"] for r in rows if r["recipient"] in away} == {"forwarded to sv.admin, sv.union"}
    await deliver(store.pool, inbox.smtp, LOG, now=now())
    for member in ("sv.admin", "sv.union"):
        [message] = inbox.to(address(member))  # the coalition was not reached by the ladder itself yet
        assert text(message).count("You receive this in place of") == stood_in
        assert all(f"in place of {p}," in text(message) for p in away)
    assert {m["To"] for m in inbox.messages} == {address(p) for p in (*expected, "sv.admin", "sv.union") if p not in away}


async def test_with_nobody_above_to_stand_in_the_notice_stays_parked_and_says_why(store, inbox):
    expected = await escalated_district(store, without_email=("svm.principal",), policy=NEXT_RUNG)  # no coalition seated

    done = await deliver(store.pool, inbox.smtp, LOG, now=now())

    assert (done.forwarded, done.parked) == (0, len(expected["svm.principal"]))
    rows = await outbox(store)
    assert {r["last_error"] for r in rows if r["recipient"] == "svm.principal"} == {not_forwarded_reason("svm.principal")}
    assert not any(r["kind"].startswith("forwarded-") for r in rows)


async def test_by_default_a_notice_without_an_address_is_parked_as_before(store, inbox):
    await escalated_district(store, without_email=("svm.teacher3",), coalition=("sv.admin", "sv.union"))

    done = await deliver(store.pool, inbox.smtp, LOG, now=now())

    assert done.forwarded == 0
    rows = await outbox(store)
    assert {r["last_error"] for r in rows if r["recipient"] == "svm.teacher3"} == {
        "svm.teacher3 has no email address in the district file"}
    assert not any(r["kind"].startswith("forwarded-") for r in rows)


async def test_the_policy_is_projected_and_backfilled_by_its_migration(store):
    await escalated_district(store, policy=NEXT_RUNG, teams=0)
    await escalated_district(store, teams=0)
    policies = "SELECT district_id, notices_without_address FROM district_time_zones ORDER BY 1"
    projected = [tuple(r) for r in await store.pool.fetch(policies)]
    assert sorted(p for _, p in projected) == ["next_rung", "park"]  # the premise

    await Projector(store.pool).rebuild()
    assert [tuple(r) for r in await store.pool.fetch(policies)] == projected
    await store.pool.execute("ALTER TABLE district_time_zones DROP COLUMN notices_without_address")
    await store.pool.execute("DELETE FROM schema_migrations WHERE name = '0019_notices_without_address.sql'")
    assert await store.migrate() == ["0019_notices_without_address.sql"]
    assert [tuple(r) for r in await store.pool.fetch(policies)] == projected


async def test_a_district_escalation_for_an_admin_without_an_address_goes_to_the_seated_coalition(store, inbox):
    district_id = f"d-{uuid4().hex[:8]}"
    people = tuple(p.model_copy(update={"email": None if p.id == "sv.admin" else address(p.id)}) for p in START.district.people)
    start = START.model_copy(update={
        "district": START.district.model_copy(update={"district_id": district_id, "people": people}),
        "policy": START.policy.model_validate({**START.policy.model_dump(), **NEXT_RUNG})})
    rollout = ROLLOUT.given_commands((start, local(MON)),
                                     (rc.SeatCoalition(actor="sv.admin", members=("sv.union", "svm.principal")), local(MON)))
    day = START.calendar.add_school_days(rollout.state.due_on, 1)
    raised = rollout.run(rc.Tick(), local(day))
    first = len(rollout.log) - len(raised) + 1
    rows = rollout_notifications(rollout.state, first, raised)
    assert [r.recipient for r in rows] == ["sv.admin"] and rows[0].payload["level"] == "district_admin"  # the premise
    await store.append(f"district-{district_id}", to_rows(1, rollout.log), rows)
    await Projector(store.pool).catch_up()

    done = await deliver(store.pool, inbox.smtp, LOG, now=local(day, 10))
    assert done.forwarded == 1
    [original] = [r for r in await outbox(store) if r["recipient"] == "sv.admin"]
    assert original["last_error"] == "forwarded to sv.union, svm.principal"
    await deliver(store.pool, inbox.smtp, LOG, now=local(day, 10))
    for member in ("sv.union", "svm.principal"):
        [message] = inbox.to(address(member))
        assert "You receive this in place of sv.admin" in text(message) and "the phase form coalition" in text(message)
