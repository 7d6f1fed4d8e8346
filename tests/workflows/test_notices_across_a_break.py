"""Issue 10, "Closed days, on the time-skipping server": a rung that fires on the last school day before winter
break is emailed that day; the next one after the break; nothing in between.

The real team workflow runs on the time-skipping server and appends to a PostgreSQL database of its own (a
notifier claims every due row); the projector catches up; then the notifier delivers with its clock set to each
day of the break in turn, to a real aiosmtpd inbox.
"""

from datetime import date, time, timedelta
from uuid import uuid4

import pytest
import structlog

from activities.notifier import deliver
from activities.projector import Projector
from app.wiring import open_store
from domain.ladder import Rung
from domain.rollout.decider import decide as decide_rollout
from domain.rollout.state import RolloutState
from domain.team.commands import RegisterTeam
from domain.team.events import EscalationRaised
from domain.team.policy import EscalationPolicy
from tests.support.builders import profile
from tests.support.databases import fresh_database
from tests.support.harness import running, settled
from tests.support.smtp import smtp_inbox
from tests.unit.test_school_rules import START
from workflows.persistence import to_rows

LOG = structlog.get_logger("test.notices_across_a_break")
CREW = {"facilitator": "svm.math-lead", "members": ("svm.teacher1", "svm.teacher2", "svm.teacher3"),
        "principal": "svm.principal", "coalition": ("sv.admin", "sv.union")}
MORNING = time(7, 5)  # a few minutes after the district's notify_at (07:00), when the morning's rungs have fired


def address(person_id: str) -> str:
    return f"{person_id}@sv.example.org"


@pytest.fixture
async def own_store(pg_url):
    store = await open_store(await fresh_database(pg_url, "break"))
    yield store
    await store.close()


async def district_with_addresses(store, calendar, now) -> str:
    """The district's people with their addresses (RolloutStarted on the test's calendar), as a rollout writes it."""
    district_id = f"d-{uuid4().hex[:8]}"
    people = tuple(p.model_copy(update={"email": address(p.id)}) for p in START.district.people)
    start = START.model_copy(update={"calendar": calendar, "district": START.district.model_copy(
        update={"district_id": district_id, "people": people})})
    await store.append(f"district-{district_id}", to_rows(1, decide_rollout(RolloutState(), start, now)))
    return district_id


async def team_escalating_on_the_last_day(h, store) -> tuple:
    """A team whose first rung (the team's) fires on the last school day before winter break, the next (the
    facilitator's) after it. Returns (layout, team id, last day, facilitator's day)."""
    layout = await h.layout()
    cal = layout.calendar
    today = cal.local_date(await h.now())
    break_start, break_end = layout.winter_break
    last_day = max(d for d in (cal.add_school_days(today, n) for n in range(1, 40)) if d and d < break_start)
    district_id = await district_with_addresses(store, cal, await h.now())
    team_id = f"t-{uuid4().hex[:12]}"
    team = profile(team_id).model_copy(update={"district_id": district_id, **CREW})
    policy = EscalationPolicy(due_school_days={"identify_focus": cal.school_days_between(today, last_day) - 1})
    await h.teams.start(RegisterTeam(actor="district.admin", team=team, calendar=cal, policy=policy))
    h.started.append(team_id)
    due = (await h.status(team_id)).state.due_on
    assert cal.add_school_days(due, 1) == last_day  # the premise: the team rung fires on the last day
    assert cal.add_school_days(due, 3) > break_end  # and the facilitator's after the break
    return layout, team_id, last_day, cal.add_school_days(due, 3)


async def caught_up(h, store, layout, team_id: str, day: date, at: time) -> None:
    """The server's clock at ``day`` ``at``, the team's events in the log, the read models up to date."""
    await h.sleep_until(layout, day, at)
    await settled(lambda: h.status(team_id))
    await Projector(store.pool).catch_up()


async def test_a_rung_on_the_last_day_before_the_break_is_emailed_that_day_the_next_after_it_nothing_between(env, own_store):
    async with running(env, own_store) as h:
        layout, team_id, last_day, facilitator_day = await team_escalating_on_the_last_day(h, own_store)
        arrived: dict[date, list[tuple[str, str]]] = {}
        with smtp_inbox() as inbox:
            day = last_day - timedelta(days=1)
            while day <= facilitator_day:
                await caught_up(h, own_store, layout, team_id, day, MORNING)
                seen = len(inbox.messages)
                await deliver(own_store.pool, inbox.smtp, LOG, now=layout.calendar.at_local(day, MORNING))
                arrived[day] = sorted((m["To"], m["Subject"].strip()) for m in inbox.messages[seen:])
                day += timedelta(days=1)
        status = await h.assert_log_matches(team_id)
        raised = {e.level: e for e in await h.stored_events(team_id) if isinstance(e, EscalationRaised)}

    assert status.state.escalation.level is Rung.FACILITATOR and list(raised) == [Rung.TEAM, Rung.FACILITATOR]
    assert raised[Rung.TEAM].on == last_day and raised[Rung.FACILITATOR].on == facilitator_day
    # The team rung's people that day; the facilitator rung's after the break; each subject names the step.
    assert [to for to, _ in arrived.pop(last_day)] == sorted(address(p) for p in raised[Rung.TEAM].reached)
    assert CREW["facilitator"] in raised[Rung.FACILITATOR].reached
    on_return = arrived.pop(facilitator_day)
    assert [to for to, _ in on_return] == sorted(address(p) for p in raised[Rung.FACILITATOR].reached)
    assert all("identify focus" in subject for _, subject in on_return)
    assert {d: m for d, m in arrived.items() if m} == {}  # nothing on any other day: the break, weekends, between


async def test_a_rung_the_notifier_missed_before_the_break_waits_for_notify_at_on_the_first_school_day_after(
        env, own_store):
    """The notifier is down on the last day: on every closed day after it, the rows are held, not sent; they go
    out at the district's notify_at on the first school day after the break, and count no failed attempt."""
    async with running(env, own_store) as h:
        layout, team_id, last_day, _ = await team_escalating_on_the_last_day(h, own_store)
        cal = layout.calendar
        back = cal.add_school_days(last_day, 1)
        with smtp_inbox() as inbox:
            day = last_day + timedelta(days=1)
            await caught_up(h, own_store, layout, team_id, day, time(10))
            while day < back:
                done = await deliver(own_store.pool, inbox.smtp, LOG, now=cal.at_local(day, time(10)))
                assert (done.messages, inbox.messages) == (0, []), day
                day += timedelta(days=1)
            assert (await deliver(own_store.pool, inbox.smtp, LOG, now=cal.at_local(back, time(6, 59)))).messages == 0
            rows = await own_store.pool.fetch("SELECT next_attempt_at, attempts FROM outbox")
            assert {(r["next_attempt_at"], r["attempts"]) for r in rows} == {(cal.at_local(back, time(7)), 0)}
            await deliver(own_store.pool, inbox.smtp, LOG, now=cal.at_local(back, time(7)))
            assert sorted(m["To"] for m in inbox.messages) == sorted(address(p) for p in CREW["members"])
