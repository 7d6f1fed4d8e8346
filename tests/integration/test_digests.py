"""Issue 10, digests: to principals, coalition members and whoever chose them; daily or weekly on school days
only; one per person per period, even with two notifiers at once or after a crash; held notices folded in,
except the top rung. The real aiosmtplib against a real aiosmtpd, rows written by the real append path."""

import asyncio
from datetime import date, datetime, time, timedelta

from pydantic import TypeAdapter

from activities.digests import claim_digests, compose_due, deliver_digests
from activities.digest_content import render_digest
from activities.event_store import EventStore
from activities.notifier import Batch, deliver, send
from activities.projector import Projector
from domain.rollout import commands as rc
from domain.rollout.decider import decide as decide_rollout
from domain.rollout.events import RolloutEventT
from domain.rollout.state import fold as fold_rollout
from domain.steps import Step
from domain.team import commands as cmd
from domain.team.decider import decide as decide_team
from tests.integration.test_notifier import FAST, LOG, TO_COALITION, address, escalated_district
from tests.integration.test_notifier import now as open_school_day
from tests.support.builders import EVIDENCE, TZ
from workflows.persistence import fold_rows, notifications, to_rows

ROLLOUT = TypeAdapter(RolloutEventT)
PRINCIPALS = ("svm.principal", "sve.principal", "svh.principal")
COALITION = ("sv.admin", "sv.union")
MLK_WEEK = [date(2027, 1, 16) + timedelta(days=i) for i in range(8)]  # Sat 16 .. Sat 23; Monday 18 is a holiday


def at(d: date, hh: int = 7, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), tzinfo=TZ)


async def district_of(store: EventStore) -> str:
    return await store.pool.fetchval("SELECT district_id FROM district_status")


async def act(store: EventStore, district_id: str, command, on: date = date(2026, 9, 15)) -> list:
    """A district command decided on the stored stream, appended and projected, as the workflow would."""
    stream = f"district-{district_id}"
    stored = await store.read_stream(stream)
    events = decide_rollout(fold_rollout(ROLLOUT.validate_python(r.data) for r in stored), command, at(on, 9))
    await store.append(stream, to_rows(len(stored) + 1, events))
    await Projector(store.pool).catch_up()
    return events


async def team_acts(store: EventStore, team_id: str, command, on: date) -> list:
    stream = f"team-{team_id}"
    stored = await store.read_stream(stream)
    state = fold_rows(stored)
    events = decide_team(state, command, at(on, 9))
    await store.append(stream, to_rows(len(stored) + 1, events), notifications(state, len(stored) + 1, events))
    await Projector(store.pool).catch_up()
    return events


async def prefer(store, district_id: str, person: str, delivery: str, digest: str = "weekly") -> None:
    await act(store, district_id, rc.SetNoticePreference(actor=person, person_id=person, delivery=delivery, digest=digest))


async def seated(store, **kw) -> str:
    """An escalated district whose guiding coalition is seated."""
    await escalated_district(store, teams=1, **kw)
    district_id = await district_of(store)
    await act(store, district_id, rc.SeatCoalition(actor="sv.admin", members=COALITION))
    return district_id


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


def recipients(messages) -> list[str]:
    return sorted(m["To"] for m in messages)


async def test_principals_and_the_coalition_get_a_weekly_digest_others_only_if_they_chose_one(store, inbox):
    district_id = await seated(store)
    await prefer(store, district_id, "svm.teacher1", "digest")
    await prefer(store, district_id, "svm.teacher3", "digest")
    await act(store, district_id, rc.PersonLeaves(actor="sv.admin", person_id="svm.teacher3", reason="Moved away"))

    done = await deliver_digests(store.pool, inbox.smtp, LOG, now=at(date(2027, 1, 19)))

    chosen = await store.pool.fetch("SELECT person_id, delivery, digest FROM notice_preferences ORDER BY 1")
    assert [tuple(r) for r in chosen] == [("svm.teacher1", "digest", "weekly"), ("svm.teacher3", "digest", "weekly")]
    expected = [*PRINCIPALS, *COALITION, "svm.teacher1"]  # not svm.teacher2 (immediate), not svm.teacher3 (left)
    assert done.messages == len(expected) and recipients(inbox.digests) == sorted(address(p) for p in expected)
    principal = text(inbox.to(address("svm.principal"))[0])
    reached, stalled = principal.split("Teams stalled longest")
    assert "Team 0" in reached.split("Reached you and still open")[1] and "reached: principal" in reached
    assert "step: pose question" in stalled and "school days at this step" in stalled
    elsewhere = text(inbox.to(address("sve.principal"))[0])
    assert "Team 0" not in elsewhere  # not reached, and not a team of their school
    assert "Team 0" in text(inbox.to(address("sv.union"))[0]).split("Teams stalled longest")[1]  # the district's teams
    for message in inbox.digests:
        assert "Unit 2" not in text(message) and "Multi-step" not in text(message)  # no evidence travels


async def test_nothing_on_a_closed_day_a_weekly_digest_on_the_first_school_day_and_a_daily_one_each_school_day(store, inbox):
    district_id = await seated(store)
    await prefer(store, district_id, "svm.teacher1", "digest", "daily")
    sent_on: dict[str, list[date]] = {}
    for day in MLK_WEEK:
        for hh in range(0, 24, 3):
            before = len(inbox.messages)
            await deliver_digests(store.pool, inbox.smtp, LOG, now=at(day, hh))
            for message in inbox.messages[before:]:
                assert day.weekday() < 5 and day != date(2027, 1, 18) and hh >= 7, (day, hh)  # never a closed day
                sent_on.setdefault(message["To"], []).append(day)

    assert sent_on[address("svm.principal")] == [date(2027, 1, 19)]  # the week's first school day: Tuesday
    assert sent_on[address("svm.teacher1")] == [date(2027, 1, d) for d in (19, 20, 21, 22)]
    assert await store.pool.fetchval("SELECT count(DISTINCT period) FROM digests WHERE person_id = 'svm.teacher1'") == 4


async def test_two_notifiers_at_once_send_one_digest_per_person(store, inbox, notify_db):
    district_id = await seated(store)
    await prefer(store, district_id, "svm.teacher1", "digest", "daily")
    other = await EventStore.connect(notify_db)  # a second notifier: its own connections
    try:
        for hh in (7, 8):
            await asyncio.gather(*(deliver_digests(pool, inbox.smtp, LOG, now=at(date(2027, 1, 19), hh), limit=2)
                                   for pool in (store.pool, other.pool, store.pool, other.pool)))
        while (await deliver_digests(other.pool, inbox.smtp, LOG, now=at(date(2027, 1, 19), 9))).messages:
            pass
    finally:
        await other.close()
    expected = [*PRINCIPALS, *COALITION, "svm.teacher1"]
    assert recipients(inbox.digests) == sorted(address(p) for p in expected)
    assert await store.pool.fetchval("SELECT count(*) FROM digests WHERE sent_at IS NOT NULL") == len(expected)


async def test_held_notices_fold_into_the_digest_except_the_top_rung(store, inbox):
    expected = await escalated_district(store, teams=1, rungs=TO_COALITION)
    district_id = await district_of(store)
    assert [p["level"] for p in expected["sv.admin"]] == ["coalition"]  # the premise: the top rung reached them
    await prefer(store, district_id, "svm.principal", "digest", "daily")
    await prefer(store, district_id, "sv.admin", "digest", "daily")

    after_top_rung = at(date(2026, 10, 6), 10)  # an open school day once the top rung is due, whatever today is
    await deliver(store.pool, inbox.smtp, LOG, now=after_top_rung)
    assert address("sv.admin") in recipients(inbox.notices)  # the top rung goes at once, digest or not
    assert address("svm.principal") not in recipients(inbox.notices)  # held for the digest
    await deliver_digests(store.pool, inbox.smtp, LOG, now=at(date(2027, 1, 19)))

    [digest] = inbox.to(address("svm.principal"))
    held = text(digest).split("Held for this digest")[1].split("Reached you and still open")[0]
    assert held.count("\n- ") == len(expected["svm.principal"]) and "(escalated to the principal rung)" in held
    rows = await store.pool.fetch("SELECT * FROM outbox WHERE recipient = 'svm.principal'")
    assert rows and all(r["sent_at"] and r["message_id"] == digest["Message-ID"] for r in rows)
    assert "Held for this digest" not in text(inbox.to(address("sv.admin"))[-1])  # nothing of theirs was held
    assert (await deliver(store.pool, inbox.smtp, LOG, now=after_top_rung)).messages == 0  # nothing twice


async def test_a_digest_resent_after_a_crash_carries_the_same_message_id_once(store, inbox):
    district_id = await seated(store)
    await prefer(store, district_id, "svm.principal", "digest", "daily")
    await deliver(store.pool, inbox.smtp, LOG, now=open_school_day())  # whatever day the real clock says
    now = at(date(2027, 1, 19))
    # The crash: the server accepts every digest, the notifier dies before marking them.
    await compose_due(store.pool, now, "plcflow")
    for row in await claim_digests(store.pool, now, 100, FAST):
        await send(Batch(row["person_id"], row["email"], row["district_id"], row["message_id"], (row,)), inbox.smtp,
                   render_digest(Batch(row["person_id"], row["email"], row["district_id"], row["message_id"], (row,)),
                                 inbox.smtp.sender))
    first = {m["To"]: m["Message-ID"] for m in inbox.digests}
    assert (await deliver_digests(store.pool, inbox.smtp, LOG, now=now, retry=FAST)).messages == 0  # leased, not lost

    await asyncio.sleep(FAST.lease_s + 0.1)
    assert (await deliver_digests(store.pool, inbox.smtp, LOG, now=now, retry=FAST)).messages == len(first)
    await asyncio.sleep(FAST.lease_s + 0.1)
    assert (await deliver_digests(store.pool, inbox.smtp, LOG, now=now, retry=FAST)).messages == 0

    for to, mid in first.items():
        assert [m["Message-ID"] for m in inbox.to(to) if m in inbox.digests] == [mid, mid]  # at most twice, one id
    assert await store.pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0  # folded, then marked


async def test_what_was_resolved_since_the_last_digest(store, inbox):
    district_id = await seated(store)
    team_id = await store.pool.fetchval("SELECT team_id FROM team_status")
    await deliver_digests(store.pool, inbox.smtp, LOG, now=at(date(2027, 1, 19)))
    assert "(none)" in text(inbox.to(address("svm.principal"))[0]).split("Resolved since your last digest")[1]
    await team_acts(store, team_id, cmd.AdvanceStep(actor="svm.teacher1", step=Step.POSE_QUESTION,
                                                    evidence=EVIDENCE[Step.POSE_QUESTION]), date(2027, 1, 20))
    assert await store.pool.fetchval("SELECT count(*) FROM open_escalations") == 0  # the premise: it resolved

    await deliver_digests(store.pool, inbox.smtp, LOG, now=at(date(2027, 1, 25)))

    latest = text(inbox.to(address("svm.principal"))[-1])
    resolved = latest.split("Resolved since your last digest")[1].split("Teams stalled longest")[0]
    assert "Team 0" in resolved and "resolved on 2027-01-20" in resolved
    assert "Team 0" not in latest.split("Reached you and still open")[1].split("Resolved since")[0]


async def test_the_claim_holds_all_but_the_top_rung_of_a_schools_and_the_districts_ladders(store, inbox):
    """The rule of domain.digests.top_rung as the claim applies it (activities.folding), to rows shaped like
    open_escalations: a school's subject, a district's phase or "coalition" (the gap's one rung)."""
    from activities.event_store import NewEvent, Notification
    from activities.notifier import Retry, claim

    district_id = await seated(store)
    await prefer(store, district_id, "sv.admin", "digest")
    await store.pool.execute("INSERT INTO school_status (school_id, district_id, name, level, area, version) "
                             "VALUES ('svm-x', $1, 'Silver Valley MS', 'middle', 'north', 0)", district_id)
    rows = {  # (stream, subject, level) -> sent at once?
        ("school-svm-x", "norms:svm-math", "facilitator"): False, ("school-svm-x", "norms:svm-math", "principal"): True,
        ("school-svm-x", "assessment", "principal"): False, ("school-svm-x", "assessment", "coalition"): True,
        (f"district-{district_id}", "form_coalition", "district_admin"): False,
        (f"district-{district_id}", "form_coalition", "coalition"): True,
        (f"district-{district_id}", "coalition", "district_admin"): True,
    }
    for stream, subject, level in rows:
        version = await store.stream_version(stream) + 1
        event = NewEvent(version=version, type="TestNotice", data={}, occurred_at=at(date(2027, 1, 19)))
        await store.append(stream, [event], [Notification(version=version, recipient="sv.admin", kind="escalation",
                                                          payload={"subject": subject, "level": level, "reason": "r"})])

    claimed = await claim(store.pool, 500, Retry(), now=at(date(2027, 1, 19)))  # the rows' own instant

    at_once = {(r["stream_id"], r["payload"]["subject"], r["payload"]["level"]) for r in claimed if r["recipient"] == "sv.admin"}
    assert at_once == {key for key, immediate in rows.items() if immediate}


async def test_an_upgraded_deployment_finds_its_people_and_coalition_backfilled_from_the_log(store):
    """Migration 0015 fills person_roles from the events recorded before it, as the projector folds them."""
    from importlib import resources

    district_id = await seated(store)
    await act(store, district_id, rc.PersonLeaves(actor="sv.admin", person_id="svm.teacher3", reason="Moved away"))
    await act(store, district_id, rc.SeatCoalitionMember(actor="sv.admin", member="svm.principal"))
    await act(store, district_id, rc.UnseatCoalitionMember(actor="sv.admin", member="sv.union"))
    projected = [tuple(r) for r in await store.pool.fetch("SELECT * FROM person_roles ORDER BY 1, 2")]
    assert ("svm.teacher3" not in {r[1] for r in projected}
            and {r[1] for r in projected if r[4]} == {"sv.admin", "svm.principal"})  # the premise

    await store.pool.execute("DELETE FROM person_roles")
    await store.pool.execute((resources.files("activities.migrations") / "0015_digests.sql").read_text())

    assert [tuple(r) for r in await store.pool.fetch("SELECT * FROM person_roles ORDER BY 1, 2")] == projected
