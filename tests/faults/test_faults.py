"""Faults injected into the real embedded stack, one per scenario (issue 8: "a fault suite the project runs itself").

Each scenario starts its own stack (Temporal dev server, PostgreSQL, worker,
projector, HTTP API, each its own process), sends commands as a client would
(retrying with the same Update id when a fault hides the answer), injects its
fault, and ends with the same checks: every accepted command in the log
exactly once, no version gaps, fold(stream) == the workflow's state, read
models == a rebuild. ``make test-faults`` prints one line per scenario and the
total.
"""

import asyncio
import signal
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.teams import TeamClient
from app.wiring import connect_temporal, open_store
from domain.calendar import SchoolCalendar
from domain.ladder import Rung
from domain.team.policy import EscalationPolicy
from domain.steps import Step
from tests.support.calendars import layout_around
from workflows.persistence import stream_id

from .checks import verify
from .ledger import Ledger
from tests.support.stack import start_stack

from .stack import BOUND, FaultStack, RunStack, of_data_dir, reap, short_tempdir, until, wait_gone

pytestmark = pytest.mark.faults


def school_calendar():
    return layout_around(date.today()).calendar


async def test_worker_killed_during_200_concurrent_advances(tally, stack: FaultStack, ledger: Ledger):
    teams = await ledger.start_teams(200, school_calendar())
    advancing = asyncio.gather(*(ledger.advance(t, Step.IDENTIFY_FOCUS) for t in teams))
    await until(lambda: _answered(ledger, 40), "the first 40 answers")
    stack.kill("worker")
    in_flight = 200 - len(ledger.accepted)
    await asyncio.sleep(2)
    stack.start_worker()
    await asyncio.wait_for(advancing, BOUND * 4)
    assert in_flight > 0, "the worker died after every advance was answered: the fault hit nothing"
    tally.detail = f"killed with {in_flight} unanswered, {sum(s.attempts > 1 for s in ledger.sent)} resent by the client"
    await verify(stack, ledger, teams, tally)
    assert len(ledger.accepted) == 200


async def _answered(ledger: Ledger, n: int) -> bool:
    return len(ledger.accepted) >= n


def same_day_calendar(now: datetime) -> SchoolCalendar:
    """Every day a school day, in a zone where it is not near midnight: a rung due today stays due today."""
    zone = next(z for z in ("UTC", "Asia/Tokyo", "America/Chicago") if 1 <= now.astimezone(ZoneInfo(z)).hour < 22)
    today = now.astimezone(ZoneInfo(zone)).date()
    return SchoolCalendar(timezone=zone, weekend=[], school_years=[
        {"name": "this-year", "start": today - timedelta(days=30), "end": today + timedelta(days=300)}])


def rung_due_at(instant: datetime, calendar: SchoolCalendar) -> EscalationPolicy:
    """Each step due the day it opens, the team's rung at ``instant`` that day (the ladder's notify time)."""
    return EscalationPolicy(
        due_school_days={s: 0 for s in Step},
        ladder_school_days_past_due={Rung.TEAM: 0, Rung.FACILITATOR: 1, Rung.PRINCIPAL: 2, Rung.COALITION: 3},
        notify_at=instant.astimezone(calendar.zone).time().replace(microsecond=0),
    )


async def test_temporal_killed_while_an_escalation_comes_due(tally, stack: FaultStack, ledger: Ledger):
    now = datetime.now(UTC)
    calendar = same_day_calendar(now)
    due = (now + timedelta(seconds=15)).replace(microsecond=0)
    teams = await ledger.start_teams(20, calendar, rung_due_at(due, calendar))
    await asyncio.gather(*(ledger.advance(t, Step.IDENTIFY_FOCUS) for t in teams))
    stack.kill("temporal")
    killed_at = datetime.now(UTC)
    assert killed_at < due - timedelta(seconds=3), "the set-up took too long: the timer would come due before the fault"
    # Half the teams keep advancing through the outage; the other half get no command, so only their timer can escalate.
    advancing = asyncio.gather(*(ledger.advance(t, Step.POSE_QUESTION) for t in teams[:10]))
    await asyncio.sleep((due - datetime.now(UTC)).total_seconds() + 5)
    restarted_at = datetime.now(UTC)
    await stack.start_temporal()
    await asyncio.wait_for(advancing, BOUND * 4)
    store = await open_store(stack.database_url)
    try:
        raised = await until(lambda: _escalated_after(store, teams, restarted_at), "every team's escalation")
    finally:
        await store.close()
    tally.detail = f"Temporal down {(restarted_at - killed_at).total_seconds():.0f} s, {len(raised)} escalations after"
    await verify(stack, ledger, teams, tally)


async def _escalated_after(store, teams: list[str], instant: datetime) -> dict | None:
    """Each team's EscalationRaised, raised after ``instant``; None until every team has one."""
    rows = await store.pool.fetch(
        "SELECT stream_id, data->>'at' AS at FROM events WHERE type = 'EscalationRaised' AND stream_id = ANY($1)",
        [stream_id(t) for t in teams])
    late = {r["stream_id"]: r["at"] for r in rows if datetime.fromisoformat(r["at"]) >= instant - timedelta(seconds=1)}
    early = [r for r in rows if r["stream_id"] not in late]
    assert not early, f"escalated before Temporal came back: {early[:3]}"
    return late if len(late) == len(teams) else None


PG_DOWN_SECONDS = 30


async def test_postgres_stopped_30_s_while_advances_keep_coming(tally, stack: FaultStack, ledger: Ledger):
    teams = await ledger.start_teams(50, school_calendar())
    steps = [Step.IDENTIFY_FOCUS, Step.POSE_QUESTION, Step.PLAN_ACTION, Step.IMPLEMENT]
    # Each team advances a step every ~10 s, staggered, from before the outage until after it.
    advancing = asyncio.gather(*(_paced(ledger, t, steps, delay=i * 0.2) for i, t in enumerate(teams)))
    await asyncio.sleep(3)
    stack.stop_pg()
    stopped = len(ledger.sent)
    await asyncio.sleep(PG_DOWN_SECONDS)
    during = len(ledger.sent) - stopped
    stack.start_pg()
    await asyncio.wait_for(advancing, BOUND * 4)
    assert during > 0, "no advance came while PostgreSQL was down: the fault hit nothing"
    tally.detail = f"{during} commands sent while PostgreSQL was down {PG_DOWN_SECONDS} s"
    await verify(stack, ledger, teams, tally)
    assert len(ledger.accepted) == len(teams) * len(steps)


async def _paced(ledger: Ledger, team_id: str, steps: list[Step], delay: float, every: float = 10) -> None:
    await asyncio.sleep(delay)
    for step in steps:
        await ledger.advance(team_id, step)
        await asyncio.sleep(every)


async def test_projector_killed_mid_batch(tally, stack: FaultStack, ledger: Ledger):
    stack.kill("projector")  # let a backlog build, so its first batch is long enough to be caught in the middle
    teams = await ledger.start_teams(100, school_calendar())
    await asyncio.gather(*(ledger.advance_through(t, [Step.IDENTIFY_FOCUS, Step.POSE_QUESTION]) for t in teams))
    store = await open_store(stack.database_url)
    try:
        await until(lambda: _all_persisted(store, len(teams) * 7), "the backlog to reach the log")
        stack.start_projector()
        await until(lambda: _projecting(store), "the projector to be inside a batch", every=0.01)
        stack.kill("projector")
        projected = await store.pool.fetchval("SELECT count(*) FROM projection_checkpoints")
        assert projected < len(teams), "the batch had committed before the kill: the fault hit nothing"
        more = asyncio.gather(*(ledger.advance(t, Step.PLAN_ACTION) for t in teams))
        stack.start_projector()
        await asyncio.wait_for(more, BOUND * 4)
    finally:
        await store.close()
    tally.detail = f"killed inside its first batch ({projected} of {len(teams)} streams projected)"
    await verify(stack, ledger, teams, tally)


async def _all_persisted(store, n: int) -> bool:
    return await store.pool.fetchval("SELECT count(*) FROM events") >= n


async def _projecting(store) -> bool:
    """A projector transaction has begun writing read models (another backend, inside a transaction)."""
    return bool(await store.pool.fetchval(
        """SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND xact_start IS NOT NULL
              AND query ~ '(team_status|school_days|projection_checkpoints)'"""))


class LeftRunning(AssertionError):
    """A process of a killed `make run` outlived it (issue 8, item 10: PostgreSQL once did)."""


@pytest.mark.parametrize("sig", [pytest.param(signal.SIGKILL, id="SIGKILL"), pytest.param(signal.SIGHUP, id="SIGHUP")])
async def test_make_run_killed_leaves_nothing_running(sig, tally):
    """`make run` killed mid-traffic: nothing of it may keep running; run again, it loses nothing."""
    run = RunStack(short_tempdir("plcr-"))
    proc = await asyncio.to_thread(start_stack, run.env())
    try:
        ledger = Ledger(TeamClient(await asyncio.wait_for(connect_temporal(run.settings), BOUND), run.task_queue))
        teams = await ledger.start_teams(20, school_calendar())
        advancing = asyncio.gather(*(ledger.advance_through(t, [Step.IDENTIFY_FOCUS, Step.POSE_QUESTION]) for t in teams))
        await until(lambda: _answered(ledger, 10), "the first 10 answers")
        parts = sorted(p.name() for p in of_data_dir(run.data))
        assert {"temporal", "postgres"} <= set(parts), f"the stack is not all up: {parts}"
        proc.send_signal(sig)
        proc.wait(BOUND)
        left = [(p.pid, p.name()) for p in await asyncio.to_thread(wait_gone, run.data, 20)]
        proc = await asyncio.to_thread(start_stack, run.env())
        await asyncio.wait_for(advancing, BOUND * 4)
        tally.detail = f"{len(parts)} processes before the {sig.name}, {len(left)} left after"
        await verify(run, ledger, teams, tally)
        if left:
            raise LeftRunning(f"left running after {sig.name}: {left}")
    finally:
        await asyncio.to_thread(reap, proc, run.data)
