"""Fidelity (issue 12): a school year simulated, and the same year on the real workflows, record the same events.

A small district (2 schools x 3 teams, a pilot wave then a schoolwide one, a
winter break) runs one whole school year twice: in ``simulation`` (the
deciders without an engine), and on the time-skipping server, where every
command the simulated people sent is sent as an Update at the same instant.
Every stream (the district, each school, each team) must hold the same
domain events: types, ids, rungs, dates and every other field, and instants
to the minute (the real server adds milliseconds to each). A team's stream
must hold them in the same order. A school's or the district's stream may hold
the events of one minute in another order: signals from different teams (or
schools) sent in the same minute reach their parent in an order the real
server does not fix, so there they are compared as the minute's set.
"""

import json
from datetime import date, timedelta
from uuid import uuid4

import pytest
from pydantic import TypeAdapter

from app.districts import DistrictClient
from app.files import load_district_file
from domain.calendar import SchoolCalendar
from domain.rollout import commands as c
from domain.rollout.events import RolloutEventT
from domain.school.events import SchoolEventT
from domain.steps import LAST_STEP
from domain.team import commands as tc
from simulation.behaviour import Behaviour
from simulation.plan import Plan
from simulation.run import simulate, year_bounds
from tests.support.calendars import monday_on_or_after
from tests.support.districts import staffed_district, suffixed
from tests.support.harness import continued, eventually, running, settled
from workflows.contracts import district_workflow_id, school_workflow_id

from .test_district_rollout import EXAMPLES

SEED = 12


@pytest.fixture
async def harness(private_env, event_store):
    """A server of its own: a whole district's year is one of the busiest clocks in the suite."""
    async with running(private_env, event_store) as h:
        yield h


def one_year_calendar(today: date) -> SchoolCalendar:
    start = monday_on_or_after(today + timedelta(days=7))
    b0 = monday_on_or_after(start + timedelta(days=110))
    return SchoolCalendar.model_validate({
        "timezone": "America/Chicago",
        "school_years": [{"name": "year-1", "start": start.isoformat(), "end": (start + timedelta(days=280)).isoformat()}],
        "closed": [{"name": "Winter break", "start": b0.isoformat(), "end": (b0 + timedelta(days=11)).isoformat()}],
    })


def small_district(cal: SchoolCalendar) -> c.StartRollout:
    """Two schools of three teams, one volunteer team in each (the pilot wave)."""
    district = staffed_district([[(True, 3), (False, 3), (False, 3)], [(False, 3), (True, 3), (False, 3)]])
    rubric = load_district_file(EXAMPLES / "silver-valley.yaml").rubric
    return suffixed(c.StartRollout(actor="d.admin0", district=district, calendar=cal, rubric=rubric), uuid4().hex[:8])


def _row(e) -> tuple:
    data = e.model_dump(mode="json", exclude={"at"})
    return (data.pop("type"), e.at.replace(second=0, microsecond=0).isoformat(), data)


def _by_minute(rows: list) -> list:
    """Each minute's events in one canonical order (a parent hears its children's same-minute signals in any order)."""
    return sorted(rows, key=lambda r: (r[1], r[0], json.dumps(r[2], sort_keys=True)))


def _differs(actual: list, expected: list) -> str:
    i = next((i for i, (a, b) in enumerate(zip(actual, expected, strict=False)) if a != b), min(len(actual), len(expected)))
    show = lambda rows: rows[i][:2] + (rows[i][2].get("escalation_id") or rows[i][2].get("step") or "",) if i < len(rows) else "-"  # noqa: E731
    return f"{len(actual)} recorded, {len(expected)} simulated; first difference at {i}: real {show(actual)}, simulated {show(expected)}"


async def replay(h, districts: DistrictClient, script) -> None:
    """Each command the simulated people sent, as an Update at its instant (the rollout's start first)."""
    for instant, kind, key, command in script:
        delta = instant - await h.now()
        if delta > timedelta(0):
            await h.env.sleep(delta)
        if isinstance(command, c.StartRollout):
            await districts.start(command)
        elif kind == "district":
            await districts.send(key, command)
        elif kind == "school":
            await eventually(lambda: _sent(districts.send_school(key, command)), f"{key} took {type(command).__name__}")
        else:
            await _send_team(h, key, command)


async def _sent(coroutine) -> bool:
    await coroutine
    return True


async def _send_team(h, team_id: str, command) -> None:
    closes = isinstance(command, tc.AdvanceStep) and command.step is LAST_STEP
    run = (await h.teams.handle(team_id).describe()).run_id if closes else None
    await h.send(team_id, command)
    if closes:  # a closed cycle continues as new: the next command goes to the next run
        await continued(h.teams.handle(team_id), run)


async def recorded(h, districts: DistrictClient, kind: str, key: str) -> list:
    if kind == "team":
        await settled(lambda: h.status(key))
        return [_row(e) for e in await h.stored_events(key)]
    if kind == "school":
        await settled(lambda: districts.school_status(key))
        rows = await h.store.read_stream(school_workflow_id(key))
    else:
        await settled(lambda: districts.status(key))
        rows = await h.store.read_stream(district_workflow_id(key))
    adapter = TypeAdapter(SchoolEventT if kind == "school" else RolloutEventT)
    return [_row(adapter.validate_python(r.data)) for r in rows]


WAVES = {"pilot_wave_school_day": 6, "schoolwide_wave_school_day": 25}
PLANS = {
    # The district file's policies: teams' escalations reach facilitators and principals, schools' too.
    "as-filed": Plan(**WAVES),
    # Seven school days to implement: teams climb to the coalition, schools roll it up to the district.
    "short-implement": Plan(**WAVES, teams={"due_school_days": {"implement": 7}}),
}


@pytest.mark.parametrize("plan", list(PLANS))
async def test_a_simulated_school_year_records_what_the_real_workflows_record(harness, plan):
    h = harness
    cal = one_year_calendar((await h.now()).date())
    start = small_district(cal)
    year = cal.school_years[0]
    begin, until = year_bounds(start, year)
    simulated = simulate(start, year, PLANS[plan], Behaviour(), seed=SEED)
    streams = simulated.streams()
    assert len(streams) == 1 + 2 + 6 and begin > await h.now()

    districts = DistrictClient(h.env.client, h.teams._task_queue)
    h.started += [t.team_id for s in start.district.schools for t in s.teams]
    await replay(h, districts, simulated.engine.script)
    await h.env.sleep(until - await h.now())

    kinds = {"team": 0, "school": 0, "district": 0}
    for (kind, key), events in streams.items():
        expected = [_row(e) for e in events]
        actual = await recorded(h, districts, kind, key)
        if kind != "team":
            expected, actual = _by_minute(expected), _by_minute(actual)
        assert actual == expected, f"{kind} {key}: {_differs(actual, expected)}"
        kinds[kind] += len(expected)
    escalations = [e for events in streams.values() for e in events if e.type.endswith("EscalationRaised")]
    assert {e.level.value for e in escalations} >= {"team", "facilitator", "principal"}  # the ladders were exercised
    district_events = {e.type for e in streams[("district", start.district.district_id)]}
    assert plan != "short-implement" or "EscalationRolledUp" in district_events  # team -> school -> district
    print(f"fidelity: {kinds} events identical; {len(simulated.engine.script)} commands replayed")
    for handle in (districts.district(start.district.district_id), *(districts.school(s.school_id) for s in start.district.schools)):
        await handle.terminate("test finished")
