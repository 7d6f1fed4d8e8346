"""A three-year district rollout on the time-skipping server, in one story (issue 4).

Gates refused then passed; a pilot wave then a schoolwide wave; teams cycling;
twice-yearly self-assessments; a stalled team escalating to the coalition
across a winter break and showing on its school and its district; the
school-year boundaries crossed by district and schools (continue-as-new)
while their children keep running; at the end, each stream in PostgreSQL
folds to the state its workflow reports.
"""

import time as clock
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from app.districts import DistrictClient
from app.files import load_district_file
from app.teams import CommandRefused
from domain.team import commands as cmd
from domain.district import TeamSpec
from domain.ladder import Rung
from domain.rollout import commands as c
from domain.rollout.phases import Phase
from domain.rollout.events import RolloutEventT
from domain.rollout.state import fold as fold_rollout
from domain.school import commands as m
from domain.school.events import SchoolEventT
from domain.school.state import fold as fold_school
from domain.school.terms import terms
from domain.steps import STEPS, Step
from pydantic import TypeAdapter
from tests.support.calendars import years_around
from tests.support.histories import RECORDING, record
from tests.support.harness import continued, eventually, running, settled
from workflows.contracts import district_workflow_id, school_workflow_id

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"
ADMIN = "sv.admin"
COALITION = ("sv.admin", "svm.principal", "sve.principal", "svh.principal", "sv.teaching", "svm.math-lead", "sv.union")


def scenario_district(calendar):
    """Silver Valley (seed 002) with a third team at the elementary and high schools."""
    start = load_district_file(EXAMPLES / "silver-valley.yaml")
    extra = {
        "silver-valley-es": TeamSpec(team_id="sve-grade4", name="Grade 4", kind="grade_level", facilitator="sve.lead",
                                     members=("sve.lead", "sve.teacher1", "sve.teacher3")),
        "silver-valley-hs": TeamSpec(team_id="svh-chemistry", name="Chemistry", kind="content_area", facilitator="svh.lead",
                                     members=("svh.lead", "svh.teacher1", "svh.teacher3")),
    }
    schools = tuple(s.model_copy(update={"teams": (*s.teams, extra[s.school_id])}) if s.school_id in extra else s
                    for s in start.district.schools)
    return start.model_copy(update={"district": start.district.model_copy(update={"schools": schools}), "calendar": calendar})


@pytest.fixture
async def harness(private_env, event_store):
    """A time-skipping server of its own: three years of a whole district (13 workflows, hundreds of
    timers) is the busiest clock in the suite, and no later test should inherit its leftovers."""
    async with running(private_env, event_store) as h:
        yield h


async def test_a_three_year_rollout(harness):
    started_at = clock.monotonic()
    h = harness
    env = h.env
    districts = DistrictClient(env.client, h.teams._task_queue)
    today = (await h.now()).date()
    years = years_around(today)
    cal = years.calendar
    start = scenario_district(cal)

    async def sleep_to(d: date, at: time = time(12)):
        delta = cal.at_local(d, at) - await h.now()
        assert delta > timedelta(0)
        await env.sleep(delta)

    async def district():
        return (await districts.status("silver-valley")).state

    await districts.start(start)
    # --- gates refused, then passed ---
    with pytest.raises(CommandRefused, match="still missing: a seated guiding coalition"):
        await districts.send("silver-valley", c.CompletePhase(actor=ADMIN, phase=Phase.FORM_COALITION))
    await districts.send("silver-valley", c.SeatCoalition(actor=ADMIN, members=("sv.admin", "svm.principal")))
    with pytest.raises(CommandRefused, match="union leadership"):
        await districts.send("silver-valley", c.CompletePhase(actor=ADMIN, phase=Phase.FORM_COALITION))
    await districts.send("silver-valley", c.SeatCoalition(actor=ADMIN, members=COALITION))
    for command in [
        c.CompletePhase(actor=ADMIN, phase=Phase.FORM_COALITION),
        c.RecordInquiryActivity(actor="svm.principal", kind="model_school_visit", title="Visit a PLC school", held_on=today),
        c.AdoptGlossary(actor=ADMIN, terms={"PLC": "professional learning community", "norms": "agreed ways of working"}),
        c.SetNonNegotiables(actor=ADMIN, items=("Every teacher belongs to a collaborative team",)),
        *(c.AlignMissionAndVision(actor=s.principal, school_id=s.school_id) for s in start.district.schools),
        c.CompletePhase(actor=ADMIN, phase=Phase.BUILD_SHARED_KNOWLEDGE),
        c.AddLearningSession(actor=ADMIN, term=terms(cal)[0].name, topic="Realistic goals", held_on=today),
        c.AddLearningSession(actor=ADMIN, term=terms(cal)[1].name, topic="Prioritizing standards", held_on=today),
        c.CompletePhase(actor=ADMIN, phase=Phase.PLAN_LEARNING),
        c.RecordDistrictNorms(actor=ADMIN, norms=("Start on time",), violation_process="Name it; then one to one"),
        c.CompletePhase(actor=ADMIN, phase=Phase.MODEL_THE_WORK),
        c.ScheduleWave(actor=ADMIN, kind="pilot", launch_on=today + timedelta(days=3), school_ids=("silver-valley-ms",),
                       pilot_team_ids=("svm-math", "svm-science")),
        c.ScheduleWave(actor=ADMIN, kind="schoolwide", launch_on=today + timedelta(days=21),
                       school_ids=("silver-valley-ms", "silver-valley-es", "silver-valley-hs")),
    ]:
        await districts.send("silver-valley", command)
    assert (await district()).phase is Phase.LAUNCH_WAVES

    # --- the pilot wave: only the volunteer teams ---
    await sleep_to(today + timedelta(days=4))
    await eventually(lambda: _started(districts, "silver-valley-ms", 2), "the pilot school launched its two teams")
    for step in STEPS[:3]:
        await h.advance("svm-math", step, actor="svm.math-lead")
    pilot_math = (await h.status("svm-math")).state

    # --- the schoolwide wave: every school, the pilots carried in ---
    await sleep_to(today + timedelta(days=22))
    for school_id, teams in [("silver-valley-ms", 4), ("silver-valley-es", 3), ("silver-valley-hs", 3)]:
        await eventually(lambda s=school_id, n=teams: _started(districts, s, n), f"{school_id} launched {teams} teams")
    ms = (await districts.school_status("silver-valley-ms")).state
    assert ms.teams["svm-math"].pilot and not ms.teams["svm-ela"].pilot
    assert (await h.status("svm-math")).state.version >= pilot_math.version  # the pilot team kept its work
    pilot_run = await h.run_id("svm-math")
    for step in STEPS[3:]:  # the pilot team finishes its cycle inside the schoolwide school
        if step is Step.REFLECT_AND_DECIDE:
            await h.send("svm-math", cmd.RecordDecision(actor="svm.teacher1", kind="lateral", summary="Keep the routine"))
        await h.advance("svm-math", step, actor="svm.teacher1")
    await h.next_run("svm-math", pilot_run)  # a closed cycle continues as new; query it only after (harness.continued)
    assert (await h.status("svm-math")).state.cycle == 2
    await districts.send("silver-valley", c.CompletePhase(actor=ADMIN, phase=Phase.LAUNCH_WAVES))
    assert (await district()).phase is Phase.SUSTAIN

    # --- a team stalls just before winter break and climbs to the coalition across it ---
    b0, b1 = years.winter_breaks[0]
    last_before = cal.last_school_day_on_or_before(b0 - timedelta(days=1))
    target_due = next(d for d in (cal.add_school_days(today, n) for n in range(1, 200)) if cal.add_school_days(d, 3) == last_before)
    advance_day = next(d for d in (cal.add_school_days(today, n) for n in range(1, 200)) if cal.add_school_days(d, 5) == target_due)
    await sleep_to(advance_day, time(10))
    await h.advance("svh-algebra", Step.IDENTIFY_FOCUS, actor="svh.lead")
    stalled = (await h.status("svh-algebra")).state
    assert stalled.due_on == target_due
    await sleep_to(b0 + timedelta(days=5))
    assert (await h.status("svh-algebra")).state.escalation.level is Rung.FACILITATOR  # nothing climbs in the break
    await sleep_to(cal.add_school_days(target_due, 10), time(12))
    esc = (await h.status("svh-algebra")).state.escalation
    assert esc.level is Rung.COALITION and esc.raised_on > b1
    await eventually(lambda: _rolled_up(districts, esc.id), "the coalition-level escalation shows on the district")
    hs = (await districts.school_status("silver-valley-hs")).state
    assert hs.rolled_up[esc.id].level is Rung.COALITION

    # --- twice-yearly self-assessments, and the yearly review ---
    ratings = {d.id: "Developing" for d in start.rubric.dimensions}
    await districts.send_school("silver-valley-ms", m.SelfAssess(actor="svm.principal", ratings=ratings))
    now_local = cal.local_date(await h.now())
    term2 = next(t for t in terms(cal) if t.start > now_local)
    await sleep_to(term2.start + timedelta(days=3))
    await districts.send_school("silver-valley-ms", m.SelfAssess(actor="svm.principal", ratings={**ratings, "collaboration": "Implementing"}))
    for s in start.district.schools:
        await districts.send("silver-valley", c.ReviewSchool(actor="svm.math-lead", school_id=s.school_id, celebration="A year of inquiry"))

    # --- two school-year boundaries: district and schools continue as new, children keep running ---
    handles = [districts.district("silver-valley"), *(districts.school(s.school_id) for s in start.district.schools)]
    first_district_run = (await districts.district("silver-valley").describe()).run_id
    first_school_run = (await districts.school("silver-valley-ms").describe()).run_id
    for year_start in years.starts[1:3]:
        runs = [(await handle.describe()).run_id for handle in handles]
        await sleep_to(year_start + timedelta(days=2))
        for handle, run in zip(handles, runs, strict=True):  # each continues as new at the boundary: query after
            await continued(handle, run)
        await eventually(lambda y=year_start: _in_year(districts, cal, y), f"the district opened the year starting {year_start}")
    assert (await districts.district("silver-valley").describe()).run_id != first_district_run
    assert (await districts.school("silver-valley-ms").describe()).run_id != first_school_run
    assert (await h.status("svm-math")).state.team.team_id == "svm-math"  # a child outlived its parent's runs
    d = await district()
    assert d.school_year == "year-3" and set(d.reviews["year-1"]) == {s.school_id for s in start.district.schools}
    assert len((await districts.school_status("silver-valley-ms")).state.assessments) == 2

    # --- every stream folds to the state its workflow reports ---
    await _log_matches(h, districts)
    for team_id in ("svm-math", "svh-algebra"):
        await h.assert_log_matches(team_id)
    elapsed = clock.monotonic() - started_at
    print(f"three-year rollout took {elapsed:.1f} s")
    assert elapsed < 60
    if RECORDING:  # make record-histories TAG=…: keep the first runs for the replay test
        for name, handle in [("district_rollout", districts.district("silver-valley", run_id=first_district_run)),
                             ("school_adoption", districts.school("silver-valley-ms", run_id=first_school_run)),
                             ("team_cycle_reporting_to_school", h.teams.handle("svh-algebra"))]:
            record(name, await handle.fetch_history())
    for handle in (districts.district("silver-valley"), *(districts.school(s.school_id) for s in start.district.schools)):
        await handle.terminate("test finished")
    h.started += [t.team_id for s in start.district.schools for t in s.teams]


async def _started(districts, school_id: str, teams: int) -> bool:
    try:
        status = await districts.school_status(school_id)
    except Exception:
        return False
    return len(status.started_teams) == teams


async def _rolled_up(districts, escalation_id: str) -> bool:
    return escalation_id in (await districts.status("silver-valley")).state.rolled_up


async def _in_year(districts, cal, year_start: date) -> bool:
    state = (await districts.status("silver-valley")).state
    year = next(y for y in cal.school_years if y.start == year_start)
    return state.school_year == year.name


async def _log_matches(h, districts) -> None:
    rollout_events = TypeAdapter(RolloutEventT)
    school_events = TypeAdapter(SchoolEventT)
    status = await settled(lambda: districts.status("silver-valley"))
    rows = await h.store.read_stream(district_workflow_id("silver-valley"))
    assert fold_rollout(rollout_events.validate_python(r.data) for r in rows) == status.state
    status = await settled(lambda: districts.school_status("silver-valley-ms"))
    rows = await h.store.read_stream(school_workflow_id("silver-valley-ms"))
    assert fold_school(school_events.validate_python(r.data) for r in rows) == status.state
