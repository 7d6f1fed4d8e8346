"""Issue 10, reminders before an escalation: to the team's members, N school days before a step is due and on
its due day, never on a closed day; written into the outbox once however many notifiers run, and delivered by
the real aiosmtplib to a real aiosmtpd with everything else a person has that round."""

import asyncio
from datetime import date
from uuid import uuid4

from activities.event_store import EventStore
from activities.notifier import deliver
from activities.notifier_loop import notify_until
from activities.projector import Projector
from activities.reminders import Reminders, write_reminders
from domain.rollout import commands as rc
from domain.rollout.decider import decide as decide_rollout
from domain.rollout.state import RolloutState
from domain.steps import Step
from domain.team import commands as cmd
from tests.integration.test_notifier import LOG, PEOPLE, address
from tests.support.builders import local, register
from tests.support.gwt import ROLLOUT, Scenario, given
from tests.unit.test_school_rules import START
from workflows.persistence import notifications, to_rows

MON = date(2026, 9, 14)  # a cycle started today has its first step due Monday 2026-09-21 (5 school days)
THU, FRI, SAT, SUN, DUE = (date(2026, 9, d) for d in (17, 18, 19, 20, 21))
LEADERS = (PEOPLE["facilitator"], PEOPLE["principal"], *PEOPLE["coalition"])


async def district(store: EventStore) -> tuple[str, Scenario]:
    """A district whose people have addresses (RolloutStarted): the notifier's address book."""
    district_id = f"d-{uuid4().hex[:8]}"
    people = tuple(p.model_copy(update={"email": address(p.id)}) for p in START.district.people)
    start = START.model_copy(update={"district": START.district.model_copy(update={"district_id": district_id, "people": people})})
    rollout = ROLLOUT.given_commands((start, local(MON)))
    await store.append(f"district-{district_id}", to_rows(1, rollout.log))
    return district_id, rollout


async def team(store: EventStore, district_id: str, members: tuple[str, ...], *, start: date = MON,
               then: tuple = (), **policy) -> Scenario:
    """A team of the district with its first step open since ``start`` (then ``then``: (command, day) pairs),
    appended with its outbox rows as the workflow would."""
    command = register(f"t-{uuid4().hex[:8]}", **policy)
    profile = command.team.model_copy(update={"district_id": district_id, **PEOPLE, "members": members,
                                              "name": f"Team {command.team.team_id}"})
    run = given((command.model_copy(update={"team": profile, "calendar": START.calendar}), local(start)),
                (cmd.StartCycle(actor=PEOPLE["facilitator"]), local(start)))
    for c, day in then:
        run.run(c, local(day))
    await store.append(f"team-{profile.team_id}", to_rows(1, run.log), notifications(run.state, 1, run.log))
    return run


async def reminders(store: EventStore) -> set[tuple[str, str, str]]:
    rows = await store.pool.fetch("SELECT stream_id, recipient, kind FROM outbox WHERE kind LIKE 'reminder-%'")
    return {(r["stream_id"].removeprefix("team-"), r["recipient"], r["kind"]) for r in rows}


def expected(run: Scenario, kind: str) -> set[tuple[str, str, str]]:
    return {(run.state.team.team_id, m, kind) for m in run.state.team.members}


async def test_only_the_teams_members_are_reminded_the_school_day_before_a_monday_due_date_and_on_it(store, inbox):
    district_id, _ = await district(store)
    a = await team(store, district_id, ("svm.teacher1", "svm.teacher2", "svm.teacher3"))
    b = await team(store, district_id, ("svm.teacher1", "svm.teacher4"))
    await Projector(store.pool).catch_up()
    assert a.state.due_on == b.state.due_on == DUE  # the premise: a Monday

    for quiet in (local(THU, 12), local(FRI, 6, 59)):  # two school days ahead; before notify_at
        assert await write_reminders(store.pool, quiet) == 0
    assert await write_reminders(store.pool, local(FRI, 9)) == 5
    assert await reminders(store) == expected(a, "reminder-1") | expected(b, "reminder-1")
    for weekend in (local(SAT, 9), local(SUN, 9)):
        assert await write_reminders(store.pool, weekend) == 0

    await deliver(store.pool, inbox.smtp, LOG, now=local(FRI, 9, 5))  # the notifier's clock, not the machine's
    assert not any(inbox.to(address(p)) for p in LEADERS)  # the facilitator hears when the ladder climbs
    [both] = inbox.to(address("svm.teacher1"))  # on two teams: one email, both reminders
    text = both.get_body(("plain",)).get_content()
    assert text.count("\n- ") == 2 and text.count("due in 1 school day, on Monday 21 September 2026") == 2
    assert a.state.team.name in text and b.state.team.name in text and "identify focus" in text

    assert await write_reminders(store.pool, local(DUE, 7)) == 5
    assert await reminders(store) == {*expected(a, "reminder-1"), *expected(b, "reminder-1"),
                                      *expected(a, "reminder-0"), *expected(b, "reminder-0")}
    await deliver(store.pool, inbox.smtp, LOG, now=local(DUE, 7, 5))
    [_, today] = inbox.to(address("svm.teacher4"))
    assert "due today, Monday 21 September 2026" in today.get_body(("plain",)).get_content()


async def test_a_step_due_after_thanksgiving_is_reminded_on_the_last_day_before_the_break_and_never_during_it(store):
    district_id, _ = await district(store)
    run = await team(store, district_id, ("svm.teacher1", "svm.teacher2"), start=date(2026, 11, 23),
                     due_school_days={Step.IDENTIFY_FOCUS: 2})
    await Projector(store.pool).catch_up()
    assert run.state.due_on == date(2026, 11, 30)  # the premise: Wed 25..Fri 27 closed, then the weekend

    written = {day: await write_reminders(store.pool, local(day, 12)) for day in (date(2026, 11, d) for d in range(23, 31))}

    assert written == {date(2026, 11, 23): 0, date(2026, 11, 24): 2, date(2026, 11, 25): 0, date(2026, 11, 26): 0,
                       date(2026, 11, 27): 0, date(2026, 11, 28): 0, date(2026, 11, 29): 0, date(2026, 11, 30): 2}
    assert await reminders(store) == expected(run, "reminder-1") | expected(run, "reminder-0")


async def test_reminders_are_written_once_with_two_notifiers_racing_and_rounds_repeating(store, notify_db):
    district_id, _ = await district(store)
    runs = [await team(store, district_id, (f"svm.teacher{i}", f"svm.teacher{i + 4}")) for i in (1, 2, 3, 4)]
    await Projector(store.pool).catch_up()
    other = await EventStore.connect(notify_db)  # a second notifier: its own connections
    try:
        counts = await asyncio.gather(*(write_reminders(pool, local(FRI, 9, i)) for i in range(4)
                                        for pool in (store.pool, other.pool)))
    finally:
        await other.close()
    assert sum(counts) == 8
    assert await reminders(store) == set().union(*(expected(r, "reminder-1") for r in runs))
    assert await store.pool.fetchval("SELECT count(*) FROM outbox") == 8


async def test_no_reminder_for_someone_who_left_the_team_or_the_district(store):
    district_id, rollout = await district(store)
    remove = cmd.RemoveMember(actor=PEOPLE["principal"], member="svm.teacher3")
    replace = cmd.ReplaceMember(actor=PEOPLE["principal"], leaving="svm.teacher2", joining="svm.teacher5")
    run = await team(store, district_id, ("svm.teacher1", "svm.teacher2", "svm.teacher3", "svm.teacher4"),
                     then=((remove, THU), (replace, THU)))
    # svm.teacher1 leaves the district: the team's own MemberRemoved is still on its way from the school.
    left = rollout.run(rc.PersonLeaves(actor="sv.admin", person_id="svm.teacher1", reason="Moved away"), local(THU))
    await store.append(f"district-{district_id}", to_rows(len(rollout.log) - len(left) + 1, left))
    projector = Projector(store.pool)
    await projector.catch_up()

    assert await write_reminders(store.pool, local(FRI, 9)) == 2
    assert {p for (_, p, _) in await reminders(store)} == {"svm.teacher4", "svm.teacher5"}
    members = "SELECT team_id, person_id, role FROM team_people ORDER BY 1, 2, 3"
    before = [dict(r) for r in await store.pool.fetch(members)]
    await projector.rebuild()
    assert [dict(r) for r in await store.pool.fetch(members)] == before
    assert set(run.state.team.members) == {"svm.teacher1", "svm.teacher4", "svm.teacher5"}  # the premise: left, not removed
    on_team = "SELECT person_id FROM team_people WHERE team_id = $1 AND role = 'member' ORDER BY 1"  # My work reads it too
    assert [r["person_id"] for r in await store.pool.fetch(on_team, run.state.team.team_id)] == ["svm.teacher4", "svm.teacher5"]


async def test_no_reminder_when_the_policy_is_off_the_team_paused_or_the_step_escalated(store):
    district_id, _ = await district(store)
    members = ("svm.teacher1", "svm.teacher2")
    reminded = await team(store, district_id, members)
    await team(store, district_id, members, remind_school_days_before_due=[])
    await team(store, district_id, members, then=((cmd.PauseTeam(actor=PEOPLE["facilitator"], reason="Testing week"), THU),))
    # The team rung on the due morning itself: the escalation says it, louder.
    escalated = await team(store, district_id, members, ladder_school_days_past_due={"team": 0, "facilitator": 1,
                                                                                   "principal": 2, "coalition": 3},
                           then=((cmd.RaiseDueEscalations(), DUE),))
    await Projector(store.pool).catch_up()
    assert escalated.state.escalation is not None  # the premise

    await write_reminders(store.pool, local(FRI, 9))
    await write_reminders(store.pool, local(DUE, 9))

    assert await reminders(store) == expected(reminded, "reminder-1") | expected(reminded, "reminder-0")


async def test_the_notifiers_round_writes_reminders_and_sends_them_with_a_persons_escalations(store, inbox, notify_db):
    """notify_until with an injected clock: one email to svm.teacher1 with one team's reminder and another's escalation."""
    district_id, _ = await district(store)
    due_soon = await team(store, district_id, ("svm.teacher1", "svm.teacher2"))
    late = await team(store, district_id, ("svm.teacher1", "svm.teacher3"), start=date(2026, 9, 1),
                      then=((cmd.RaiseDueEscalations(), THU),))
    await Projector(store.pool).catch_up()
    assert late.state.escalation is not None and late.state.escalation.reached == ("svm.teacher1", "svm.teacher3")

    stop = asyncio.Event()
    loop = asyncio.create_task(notify_until(notify_db, inbox.smtp, stop, LOG, idle_s=0.05, clock=lambda: local(FRI, 9),
                                            reminders=Reminders(every_s=0)))
    try:
        for _ in range(200):
            if len(inbox.notices) >= 3:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # later rounds write nothing more and send nothing twice
    finally:
        stop.set()
        await loop

    assert sorted(m["To"] for m in inbox.notices) == sorted(address(p) for p in ("svm.teacher1", "svm.teacher2", "svm.teacher3"))
    [one] = inbox.to(address("svm.teacher1"))
    text = one.get_body(("plain",)).get_content()
    assert text.count("\n- ") == 2 and f"{due_soon.state.team.name} — step: identify focus — due in 1 school day" in text
    assert f"- {late.state.team.name}: identify focus\r\n" in text and "Escalated to the team rung." in text
    assert await reminders(store) == expected(due_soon, "reminder-1")


async def test_the_migrations_backfill_who_is_on_each_team_and_reminder_days_as_the_projector_would(store):
    """Migrations 0016 and 0018 on a database whose log already holds teams: their backfill equals the projection
    (team_people, the one roster since 0018, with a person who left the district off every team of it in every
    role), a team registered before the policy key existed reminding on the default days."""
    district_id, rollout = await district(store)
    await team(store, district_id, ("svm.teacher1", "svm.teacher2", "svm.teacher3"),
               then=((cmd.RemoveMember(actor=PEOPLE["principal"], member="svm.teacher3"), THU),
                     (cmd.ReplaceMember(actor=PEOPLE["principal"], leaving="svm.teacher2", joining="svm.teacher5"), THU),
                     (cmd.AddMember(actor=PEOPLE["principal"], member="svm.teacher3"), FRI)))
    await team(store, district_id, ("svm.teacher4", "svm.teacher1"), remind_school_days_before_due=[3])
    left = rollout.run(rc.PersonLeaves(actor="sv.admin", person_id="svm.teacher1", reason="Moved away"), local(FRI))
    await store.append(f"district-{district_id}", to_rows(len(rollout.log) - len(left) + 1, left))
    later = await team(store, district_id, ("svm.teacher1",))  # back after leaving: on the team registered since
    old = given((register(f"old-{uuid4().hex[:8]}"), local(MON)))
    rows = to_rows(1, old.log)
    del rows[0].data["policy"]["remind_school_days_before_due"]  # as recorded before issue 10
    await store.append(f"team-{old.state.team.team_id}", rows)
    await Projector(store.pool).catch_up()
    models = {"team_people": "SELECT * FROM team_people ORDER BY 1, 2, 3",
              "team_reminder_days": "SELECT * FROM team_reminder_days ORDER BY 1, 2"}
    projected = {t: [dict(r) for r in await store.pool.fetch(q)] for t, q in models.items()}
    assert {r["days"] == [1, 0] for r in projected["team_reminder_days"]} == {True, False}  # the premise
    teacher1 = {(r["team_id"], r["role"]) for r in projected["team_people"] if r["person_id"] == "svm.teacher1"}
    assert teacher1 == {(later.state.team.team_id, "member")}  # the premise: left, then on a new team

    # As before 0016 ran: no reminder days, team_people as 0014 left it (a person who left still on their teams).
    await store.pool.execute("DROP TABLE team_reminder_days")
    await store.pool.execute("DELETE FROM schema_migrations WHERE name IN ('0014_my_work.sql', '0016_reminders.sql', "
                             "'0018_one_team_roster.sql')")
    await store.pool.execute("DROP TABLE team_people, pending_recommendations")
    assert await store.migrate() == ["0014_my_work.sql", "0016_reminders.sql", "0018_one_team_roster.sql"]

    assert {t: [dict(r) for r in await store.pool.fetch(q)] for t, q in models.items()} == projected
    assert await store.pool.fetchval("SELECT to_regclass('team_members')") is None  # one roster


async def test_a_moved_due_date_is_reminded_again_and_an_unmoved_one_is_not(store):
    """Keyed to the event that set the due date: a resumption that moves it brings new reminders; a pause and
    resumption within the day leaves the date, and the reminder already written stands alone."""
    district_id, _ = await district(store)
    run = await team(store, district_id, ("svm.teacher1", "svm.teacher2"))
    projector = Projector(store.pool)

    async def then(*steps: tuple) -> None:
        first = len(run.log) + 1
        for c, at in steps:
            run.run(c, at)
        await store.append(f"team-{run.state.team.team_id}", to_rows(first, run.log[first - 1:]))
        await projector.catch_up()

    await projector.catch_up()
    assert await write_reminders(store.pool, local(FRI, 9)) == 2
    pause = cmd.PauseTeam(actor=PEOPLE["facilitator"], reason="Assembly")
    resume = cmd.ResumeTeam(actor=PEOPLE["facilitator"], reason="Back")
    await then((pause, local(FRI, 10)), (resume, local(FRI, 11)))
    assert run.state.due_on == DUE and await write_reminders(store.pool, local(FRI, 12)) == 0

    await then((pause, local(FRI, 13)),)
    assert await write_reminders(store.pool, local(DUE, 9)) == 0  # paused: nothing on the old due day
    await then((resume, local(date(2026, 9, 23), 8)),)
    moved = run.state.due_on
    day_before = max(d for d in START.calendar.school_days if d < moved)
    assert moved > DUE and day_before >= date(2026, 9, 23)  # the premise

    assert await write_reminders(store.pool, local(day_before, 9)) == 2
    assert await write_reminders(store.pool, local(moved, 9)) == 2
    rows = await store.pool.fetch("SELECT kind, payload->>'due_on' AS due FROM outbox ORDER BY id")
    assert [(r["kind"], r["due"]) for r in rows] == [("reminder-1", DUE.isoformat())] * 2 + [
        ("reminder-1", moved.isoformat())] * 2 + [("reminder-0", moved.isoformat())] * 2


async def test_a_failing_reminder_pass_never_holds_back_the_escalations(store, inbox, notify_db):
    from structlog.testing import capture_logs

    district_id, _ = await district(store)
    late = await team(store, district_id, ("svm.teacher1", "svm.teacher3"), start=date(2026, 9, 1),
                      then=((cmd.RaiseDueEscalations(), THU),))
    await Projector(store.pool).catch_up()
    await store.pool.execute("DROP TABLE team_reminder_days")  # the pass fails on every round

    stop = asyncio.Event()
    with capture_logs() as logs:
        loop = asyncio.create_task(notify_until(notify_db, inbox.smtp, stop, LOG, idle_s=0.05,
                                                clock=lambda: local(FRI, 9), reminders=Reminders(every_s=0)))
        try:
            for _ in range(200):
                if len(inbox.notices) >= 2:
                    break
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await loop

    assert sorted(m["To"] for m in inbox.notices) == sorted(address(p) for p in late.state.escalation.reached)
    assert any(e["event"] == "reminders_failed" and "team_reminder_days" in e["error"] for e in logs)
