"""Districts carried through two school years by commands alone, on the time-skipping server (issue 9).

Silver Valley's story: a facilitator leaves while an escalation reached her and
it reaches whoever facilitates now; the principal changes while a
recommendation is pending and only the new one may approve; a snow day and a
make-up Saturday move an open escalation's next rung by one school day each;
next year's calendar is published late (the admin is warned, a team's clock
stops at the last school day and resumes on the new calendar); at the new
school year each principal confirms the school's teams (one left out retires
and its workflow completes, one is formed; a principal who forgets is
escalated to). Then Justice County and the Cobb-like district are each carried
into their second year. Every stream folds to the state its workflow reports.
"""

import time as clock
from datetime import date, time, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from temporalio.client import WorkflowExecutionStatus

from app.districts import DistrictClient
from app.files import load_district_file
from app.teams import CommandRefused
from domain.calendar import SchoolCalendar
from domain.calendar_change import closed_on, opened_on
from domain.district import Person, Role, TeamSpec
from domain.escalation import watch
from domain.ladder import Rung, next_rung
from domain.rollout import commands as c
from domain.rollout.calendar_end import next_year_name
from domain.rollout.phases import Phase
from domain.school import commands as m
from domain.steps import Step
from domain.team import commands as cmd
from domain.team.policy import EscalationPolicy
from tests.support.calendars import years_around
from tests.support.districts import suffixed
from tests.support.harness import continued, eventually, running
from tests.support.years import (
    district_log_matches, first_year_only, gate_commands, school_log_matches, waves, with_next_years,
)
from tests.workflows.conftest import _time_skipping
from workflows.persistence import fold_rows, stream_id

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"
# The principal's rung two weeks after the facilitator's, so a Saturday always lies between them.
LADDER = {Rung.TEAM: 1, Rung.FACILITATOR: 2, Rung.PRINCIPAL: 12, Rung.COALITION: 14}
ADMIN = "sv.admin"


@pytest.fixture
async def harness(event_store):
    """A time-skipping server for each test: whole districts over two school years are the busiest clocks in
    the suite, and the server's clock stays stuck once a team retires whose school has continued as new since
    it started the team (the real server does not do this), so no test may inherit another's server."""
    async for env in _time_skipping():
        async with running(env, event_store) as h:
            yield h


class Story:
    """One district on the harness's server: sleep to a local date, query, wait."""

    def __init__(self, h, start: c.StartRollout):
        self.h, self.start, self.d = h, start, start.district
        self.districts = DistrictClient(h.env.client, h.teams._task_queue)
        self.cal = start.calendar

    async def sleep_to(self, d: date, at: time = time(12)) -> None:
        delta = self.cal.at_local(d, at) - await self.h.now()
        assert delta > timedelta(0), f"cannot sleep back to {d}"
        await self.h.env.sleep(delta)

    async def team(self, team_id: str):
        return (await self.h.status(team_id)).state

    async def district(self):
        return (await self.districts.status(self.d.district_id)).state

    async def send(self, command):
        return await self.districts.send(self.d.district_id, command)

    async def launch(self) -> date:
        """Walk the gates, launch a pilot then every school, complete the launch: the rollout sustains."""
        cal, today = self.cal, self.cal.local_date(await self.h.now())
        await self.districts.start(self.start)
        pilot_on, schoolwide_on = cal.add_school_days(today, 1), cal.add_school_days(today, 2)
        for command in [*gate_commands(self.start, today), *waves(self.start, pilot_on, schoolwide_on)]:
            await self.send(command)
        self.h.started += [t.team_id for s in self.d.schools for t in s.teams]
        await self.sleep_to(schoolwide_on)
        for s in self.d.schools:
            await eventually(lambda s=s: self._all_started(s.school_id, len(s.teams)), f"{s.school_id} launched its teams")
        await self.send(c.CompletePhase(actor=self.start.actor, phase=Phase.LAUNCH_WAVES))
        assert (await self.district()).phase is Phase.SUSTAIN
        return pilot_on

    async def _all_started(self, school_id: str, n: int) -> bool:
        try:
            return len((await self.districts.school_status(school_id)).started_teams) == n
        except Exception:
            return False  # not started yet

    async def cross_into(self, year_start: date) -> None:
        """Sleep into the school year starting then; the district and each school continue as new (query after)."""
        handles = [self.districts.district(self.d.district_id), *(self.districts.school(s.school_id) for s in self.d.schools)]
        runs = [(await handle.describe()).run_id for handle in handles]
        await self.sleep_to(year_start + timedelta(days=2))
        for handle, run in zip(handles, runs, strict=True):
            await continued(handle, run)
        name = next(y.name for y in self.cal.school_years if y.start == year_start)
        await eventually(lambda: self._in_year(name), f"the district opened {name}")

    async def _in_year(self, name: str) -> bool:
        return (await self.district()).school_year == name

    async def finish(self) -> None:
        for handle in (self.districts.district(self.d.district_id), *(self.districts.school(s.school_id) for s in self.d.schools)):
            await handle.terminate("test finished")


async def _completed(h, team_id: str) -> bool:
    return (await h.teams.handle(team_id).describe()).status == WorkflowExecutionStatus.COMPLETED


async def _until(get, check, what: str):
    async def holds():
        value = await get()
        return value if check(value) else None

    return await eventually(holds, what)


async def test_silver_valley_through_two_school_years_by_commands_alone(harness):
    started_at = clock.monotonic()
    h, sfx = harness, uuid4().hex[:6]
    full = years_around((await h.now()).date(), count=2)
    start = suffixed(load_district_file(EXAMPLES / "silver-valley.yaml"), sfx, calendar=first_year_only(full.calendar))
    start = start.model_copy(update={"team_policy": EscalationPolicy(ladder_school_days_past_due=LADDER)})
    s = Story(h, start)
    ms, es, hs = (f"silver-valley-{x}-{sfx}" for x in ("ms", "es", "hs"))
    math, science, ela, algebra = (f"{x}-{sfx}" for x in ("svm-math", "svm-science", "svm-ela", "svh-algebra"))
    pilot_on = await s.launch()

    # --- the math facilitator leaves the district while the team's escalation has reached her ---
    facilitator_day = s.cal.add_school_days(s.cal.add_school_days(pilot_on, 5), LADDER[Rung.FACILITATOR])
    await s.sleep_to(facilitator_day)
    esc = (await s.team(math)).escalation
    assert esc.level is Rung.FACILITATOR and "svm.math-lead" in esc.reached
    await s.send(c.PersonLeaves(actor=ADMIN, person_id="svm.math-lead", reason="Moved away"))
    gap = await _until(lambda: s.team(math), lambda t: t.roster_gaps == ("facilitator",), "the team flagged its missing facilitator")
    assert "svm.math-lead" not in gap.escalation.reached and "svm.principal" in gap.escalation.reached
    # The principal names a teacher leader to facilitate: the open escalation reaches her.
    await s.send(c.ChangeRoles(actor=ADMIN, person_id="svm.teacher1", roles=(Role.TEACHER, Role.TEACHER_LEADER), school=ms))
    await s.districts.send_school(ms, m.AddTeacherLeader(actor="svm.principal", leader="svm.teacher1"))
    await s.districts.send_school(ms, m.ChangeTeamFacilitator(actor="svm.principal", team_id=math, facilitator="svm.teacher1"))
    held = await _until(lambda: s.team(math), lambda t: t.roster_gaps == () and "svm.teacher1" in t.escalation.reached,
                        "the open escalation reached the new facilitator")
    assert held.team.facilitator == "svm.teacher1" and held.escalation.id == esc.id
    with pytest.raises(CommandRefused, match="did not reach svm.math-lead"):
        await h.send(math, cmd.AcknowledgeEscalation(actor="svm.math-lead", escalation_id=esc.id, reason="Seen it"))
    assert "EscalationReassigned" in [e.type for e in await h.stored_events(math)]

    # --- the principal changes while the science team's recommendation is pending ---
    [proposed] = (await h.send(science, cmd.RecordDecision(actor="svm.teacher4", kind="recommendation",
                                                           summary="Adopt a common lab-report routine"))).events
    await s.send(c.AddPerson(actor=ADMIN, person=Person(id="svm.new-principal", roles=(Role.PRINCIPAL,), school=ms)))
    await s.districts.send_school(ms, m.ChangePrincipal(actor="svm.principal", principal="svm.new-principal"))
    await _until(lambda: s.team(science), lambda t: t.team.principal == "svm.new-principal", "the team learned its new principal")
    approve = cmd.ApproveRecommendation(actor="svm.principal", recommendation_id=proposed.recommendation_id, reason="Go ahead")
    with pytest.raises(CommandRefused, match="Only svm.new-principal, the approving principal"):
        await h.send(science, approve)
    [approved] = (await h.send(science, approve.model_copy(update={"actor": "svm.new-principal"}))).events
    assert approved.by == "svm.new-principal"

    # --- a snow day, then a make-up Saturday, while the math escalation is open ---
    today, state = facilitator_day, await s.team(math)
    principal_day = next_rung(watch(state)).on
    snow = s.cal.add_school_days(today, 1)
    await s.send(c.CloseSchoolDay(actor=ADMIN, on=snow, reason="Snow"))
    snowed = closed_on(s.cal, snow, "Snow", today)
    later = await _next_rung_on(s, math, snowed)
    assert later == snowed.add_school_days(principal_day, 1) and snowed.school_days_between(principal_day, later) == 1
    saturday = next(today + timedelta(days=n) for n in range(1, 8) if (today + timedelta(days=n)).weekday() == 5)
    await s.send(c.OpenSchoolDay(actor=ADMIN, on=saturday, reason="Make-up day"))
    s.cal = opened_on(snowed, saturday, "Make-up day", today)
    sooner = await _next_rung_on(s, math, s.cal)
    assert s.cal.school_days_between(sooner, later) == 1 and s.cal.is_school_day(saturday)
    await s.sleep_to(sooner)
    fired = await _until(lambda: s.team(math), lambda t: t.escalation.level is Rung.PRINCIPAL, "the principal's rung fired")
    assert fired.escalation.raised_on == sooner  # and it reached the principal of today, not the one who left the post
    assert "svm.new-principal" in fired.escalation.reached and "svm.principal" not in fired.escalation.reached

    # --- next year's calendar is not published: the admin is warned, a clock stops at the last school day ---
    days = s.cal.school_days
    await s.sleep_to(days[-21])
    warning = await _until(s.district, lambda d: d.calendar_end is not None, "the district admin was warned")
    assert warning.calendar_end.level is Rung.DISTRICT_ADMIN and warning.calendar_end.reached == (ADMIN,)
    assert warning.calendar_end.reason == (f"the {next_year_name(s.cal)} calendar is not published; "
                                           f"8 teams' clocks stop on {days[-1]}")
    await s.sleep_to(days[-3])
    await h.advance(algebra, Step.IDENTIFY_FOCUS, actor="svh.lead")
    stopped = await s.team(algebra)
    assert stopped.step is Step.POSE_QUESTION and stopped.due_on is None and stopped.escalation is None
    # Published in summer, after the last school day: the warning is resolved, the stopped clock resumes.
    await s.sleep_to(days[-1] + timedelta(days=14))
    assert (await s.district()).calendar_end is not None
    published = with_next_years(s.cal, full.calendar)
    await s.send(c.PublishCalendar(actor=ADMIN, calendar=published))
    s.cal = published
    resumed = await _until(lambda: s.team(algebra), lambda t: t.calendar == published, "the team received next year's calendar")
    assert resumed.due_on == published.add_school_days(days[-3], 5) and resumed.due_on >= full.starts[1]
    assert (await s.district()).calendar_end is None

    # --- the new school year: teams formed and confirmed; principals who wait are escalated to ---
    await s.cross_into(full.starts[1])
    year2 = full.calendar.school_years[1].name
    await s.send(c.AddPerson(actor=ADMIN, person=Person(id="svm.teacher9", roles=(Role.TEACHER,), school=ms)))
    intervention = TeamSpec(team_id=f"svm-intervention-{sfx}", name="Intervention", kind="content_area",
                            facilitator="svm.teacher1", members=("svm.teacher1", "svm.teacher9"))
    await s.districts.send_school(ms, m.FormTeam(actor="svm.new-principal", team=intervention))
    h.started.append(intervention.team_id)
    formed = await _until(lambda: _state_or_none(h, intervention.team_id), lambda t: t and t.step is not None,
                          "the formed team started its cycle")
    assert formed.team.facilitator == "svm.teacher1" and formed.team.principal == "svm.new-principal"
    await s.districts.send_school(es, m.ConfirmTeams(actor="sve.principal", team_ids=tuple(t.team_id for t in s.d.school(es).teams)))
    # The algebra team's clock resumed: its next rung fires on the new calendar.
    rung_day = published.add_school_days(resumed.due_on, 1)
    await s.sleep_to(rung_day)
    fired = await _until(lambda: s.team(algebra), lambda t: t.escalation is not None, "the resumed clock fired")
    assert fired.escalation.raised_on == rung_day
    # The middle and high schools' principals have not confirmed their teams by the due date: each is escalated to.
    await s.sleep_to((await s.districts.school_status(hs)).state.teams_due_on)
    for school_id, principal in [(ms, "svm.new-principal"), (hs, "svh.principal")]:
        forgot = await _until(lambda i=school_id: s.districts.school_status(i), lambda x: f"teams:{year2}" in x.state.escalations,
                              f"the principal of {school_id} was escalated to")
        assert forgot.state.escalations[f"teams:{year2}"].reached == (principal,)
    await s.districts.send_school(hs, m.ConfirmTeams(actor="svh.principal", team_ids=tuple(t.team_id for t in s.d.school(hs).teams)))
    # The middle school keeps its teams but English Language Arts, which retires. Last: the time-skipping server's
    # clock stays stuck once a child started by a parent's earlier (continued-as-new) run completes.
    kept = tuple(t.team_id for t in s.d.school(ms).teams if t.team_id != ela) + (intervention.team_id,)
    with pytest.raises(CommandRefused, match="Only svm.new-principal, the principal of Silver Valley Middle School"):
        await s.districts.send_school(ms, m.ConfirmTeams(actor="svm.principal", team_ids=kept))
    await s.districts.send_school(ms, m.ConfirmTeams(actor="svm.new-principal", team_ids=kept))
    await eventually(lambda: _completed(h, ela), "the team left out of the new year retired and its workflow completed")
    last = (await h.stored_events(ela))[-1]
    assert last.type == "TeamRetired" and last.reason == f"not in the roster of teams for {year2}"

    # --- every stream folds to the state its workflow reports ---
    district = await district_log_matches(h, s.districts, s.d.district_id)
    assert district.state.school_year == year2 and district.state.departed == ("svm.math-lead",)
    for school_id in (ms, es, hs):
        school = await school_log_matches(h, s.districts, school_id)
        assert school.state.teams_confirmed_year == year2 and not school.state.escalations.get(f"teams:{year2}")
    for team_id in (math, science, algebra, intervention.team_id):
        await h.assert_log_matches(team_id)
    assert fold_rows(await h.store.read_stream(stream_id(ela))).retired.by == "svm.new-principal"
    elapsed = clock.monotonic() - started_at
    print(f"silver-valley through two school years took {elapsed:.1f} s")
    assert elapsed < 60
    await s.finish()


async def _state_or_none(h, team_id: str):
    try:
        return (await h.status(team_id)).state
    except Exception:
        return None  # not started yet


async def _next_rung_on(s: Story, team_id: str, cal) -> date:
    state = await _until(lambda: s.team(team_id), lambda t: t.calendar == cal, f"{team_id} received the new calendar")
    return next_rung(watch(state)).on


def _two_short_years(today: date) -> SchoolCalendar:
    """A first school year ending seven weeks from now, a summer, and the next year (to be published late)."""
    return SchoolCalendar.model_validate({"timezone": "America/Chicago", "school_years": [
        {"name": "year-1", "start": (today - timedelta(days=30)).isoformat(), "end": (today + timedelta(days=50)).isoformat()},
        {"name": "year-2", "start": (today + timedelta(days=100)).isoformat(), "end": (today + timedelta(days=380)).isoformat()},
    ]})


@pytest.mark.parametrize("example", ["justice-county.yaml", "cobb-like.yaml"])
async def test_each_example_district_is_carried_into_its_second_year(harness, example):
    started_at = clock.monotonic()
    h, sfx = harness, uuid4().hex[:6]
    full = _two_short_years((await h.now()).date())
    start = suffixed(load_district_file(EXAMPLES / example), sfx, calendar=first_year_only(full))
    s = Story(h, start)
    admin, d = start.actor, start.district
    await s.launch()

    # Staff turnover: a teacher leaves the district, a new one joins and takes a seat on the same team.
    coalition = (await s.district()).coalition
    school, team, leaver = next((x, t, p) for x in d.schools for t in x.teams for p in t.members
                                if d.person(p).roles == (Role.TEACHER,) and p not in coalition)
    await s.send(c.PersonLeaves(actor=admin, person_id=leaver, reason="Retired"))
    await s.send(c.AddPerson(actor=admin, person=Person(id=f"new.teacher-{sfx}", roles=(Role.TEACHER,), school=school.school_id)))
    await _until(lambda: s.team(team.team_id), lambda t: leaver not in t.team.members, f"{leaver} left {team.team_id}")
    await h.send(team.team_id, cmd.AddMember(actor=school.principal, member=f"new.teacher-{sfx}"))

    # Next year's calendar, published in summer; the new year opens; every principal confirms the school's teams.
    await s.sleep_to(s.cal.school_days[-1] + timedelta(days=7))
    published = with_next_years(s.cal, full)
    await s.send(c.PublishCalendar(actor=admin, calendar=published))
    s.cal = published
    await s.cross_into(full.school_years[1].start)
    for x in d.schools:
        active = (await s.districts.school_status(x.school_id)).state.active_teams()
        await s.districts.send_school(x.school_id, m.ConfirmTeams(actor=x.principal, team_ids=tuple(active)))

    district = await district_log_matches(h, s.districts, d.district_id)
    assert district.state.school_year == "year-2" and district.state.calendar_end is None
    assert district.state.departed == (leaver,) and district.state.district.person(f"new.teacher-{sfx}") is not None
    for x in d.schools:
        confirmed = await school_log_matches(h, s.districts, x.school_id)
        assert confirmed.state.teams_confirmed_year == "year-2" and len(confirmed.state.active_teams()) == len(x.teams)
    state = (await h.assert_log_matches(team.team_id)).state
    assert f"new.teacher-{sfx}" in state.team.members and leaver not in state.team.members
    assert state.calendar == published
    elapsed = clock.monotonic() - started_at
    print(f"{example} into its second school year took {elapsed:.1f} s")
    assert elapsed < 60
    await s.finish()
