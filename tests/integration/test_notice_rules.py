"""Issue 10, when notices go out: the closed-day rule applied when claiming, on an injected clock, and bursts
(one email per person per send window). Real PostgreSQL, the real append path, a real aiosmtpd inbox."""

from collections import Counter
from datetime import date, timedelta

from activities.notifier import deliver
from tests.integration.test_notifier import LOG, address, escalated_district, outbox
from tests.support.builders import local

SATURDAY, MONDAY = date(2026, 10, 3), date(2026, 10, 5)  # START's calendar: a weekend, then a school day
LAST_DAY = date(2028, 6, 9)  # START's last known school day


async def _firsts(store) -> dict[str, object]:
    """Each recipient's first due instant: when the earliest escalation that reached them happened."""
    rows = await store.pool.fetch("""SELECT o.recipient, min(e.occurred_at) AS first FROM outbox o
                                     JOIN events e USING (stream_id, version) GROUP BY o.recipient""")
    return {r["recipient"]: r["first"] for r in rows}


async def test_on_a_closed_day_nothing_is_sent_and_the_rows_wait_for_the_next_school_days_notify_at(store, inbox):
    expected = await escalated_district(store)

    done = await deliver(store.pool, inbox.smtp, LOG, now=local(SATURDAY, 10))

    assert (done.messages, done.held) == (0, sum(map(len, expected.values()))) and inbox.messages == []
    rows = await outbox(store)
    assert {r["next_attempt_at"] for r in rows} == {local(MONDAY, 7)}  # the district's notify_at
    assert {r["attempts"] for r in rows} == {0}  # a closed day is no failed attempt
    assert (await deliver(store.pool, inbox.smtp, LOG, now=local(MONDAY, 6, 59))).messages == 0
    assert (await deliver(store.pool, inbox.smtp, LOG, now=local(MONDAY, 7))).messages == len(expected)


async def test_on_a_school_day_before_notify_at_the_rows_wait_for_notify_at(store, inbox):
    await escalated_district(store, teams=1)

    done = await deliver(store.pool, inbox.smtp, LOG, now=local(MONDAY, 6))

    assert done.messages == 0 and done.held > 0
    assert {r["next_attempt_at"] for r in await outbox(store)} == {local(MONDAY, 7)}


async def test_past_the_last_known_school_day_the_rows_are_held_and_asked_again_a_day_later(store, inbox):
    await escalated_district(store, teams=1)
    summer = local(LAST_DAY + timedelta(days=10), 10)

    done = await deliver(store.pool, inbox.smtp, LOG, now=summer)

    assert done.messages == 0 and done.held > 0
    assert {(r["next_attempt_at"], r["attempts"]) for r in await outbox(store)} == {(summer + timedelta(days=1), 0)}


async def test_a_burst_of_a_thousand_escalations_is_one_email_per_person_listing_all_their_items(store, inbox):
    """Issue 10, "Burst": 1,000 teams' escalations due at once, each reaching the same people. Rounds take
    every due row of a few people at a time, so a principal's 1,000 rows are never split across rounds or emails."""
    expected = await escalated_district(store, teams=1000)
    escalations = await store.pool.fetchval("SELECT count(DISTINCT (stream_id, version)) FROM outbox")
    assert escalations >= 1000 and min(map(len, expected.values())) >= 1000  # the premise: everyone's pile

    while (await deliver(store.pool, inbox.smtp, LOG, limit=2, now=local(MONDAY, 10))).messages:
        pass

    assert Counter(m["To"] for m in inbox.messages) == {address(p): 1 for p in expected}
    for person, items in expected.items():
        [message] = inbox.to(address(person))
        assert message.get_body(("plain",)).get_content().count("\n- ") == len(items)


async def test_a_persons_rows_wait_for_their_send_window_then_go_out_as_one_email(store, inbox):
    """The window runs from a person's first due row: those reached by the latest rung wait, then get one email."""
    expected = await escalated_district(store)
    firsts = await _firsts(store)
    latest = max(firsts.values())
    waiting = {p for p, first in firsts.items() if first == latest}
    assert waiting and waiting != set(expected)  # the premise: the last rung reached someone new

    early = await deliver(store.pool, inbox.smtp, LOG, now=latest + timedelta(seconds=10), window_s=30)
    assert {m["To"] for m in inbox.messages} == {address(p) for p in set(expected) - waiting} and early.held == 0
    assert (await deliver(store.pool, inbox.smtp, LOG, now=latest + timedelta(seconds=29), window_s=30)).messages == 0

    await deliver(store.pool, inbox.smtp, LOG, now=latest + timedelta(seconds=30), window_s=30)
    assert Counter(m["To"] for m in inbox.messages) == {address(p): 1 for p in expected}


async def test_doctor_names_the_people_who_have_notices_and_no_address_and_their_notices_stay_parked(store, inbox):
    """Issue 10: "A person with no address is reported by plcflow doctor". Their notices are parked (the
    policy `next_rung` is not offered: the next rung's people are not in the read models; see the README)."""
    from activities.notifier import people_without_address
    from app.config import Settings
    from app.health import Limits, run_checks

    expected = await escalated_district(store, without_email=("svm.teacher3",))
    district_id = await store.pool.fetchval("SELECT district_id FROM district_status")
    total, people = await people_without_address(store.pool)
    assert (total, people) == (1, [{"district_id": district_id, "person_id": "svm.teacher3",
                                    "notices": len(expected["svm.teacher3"]), "parked": 0}])

    await deliver(store.pool, inbox.smtp, LOG, now=local(MONDAY, 10))
    report = await run_checks(Settings(temporal_address="127.0.0.1:1"), pool=store.pool, limits=Limits(timeout=1), quick=True)
    assert report.checks["people_without_address"]["first"][0]["parked"] == len(expected["svm.teacher3"])
    [line] = [p for p in report.problems if "no email address:" in p]
    assert line == (f"1 person has notices and no email address: svm.teacher3 ({district_id}, "
                    f"{len(expected['svm.teacher3'])} notices); add their `email` to the district's people, "
                    "then run `plcflow notices retry`.")
    assert not inbox.to(address("svm.teacher3")) and inbox.to(address("svm.principal"))
