"""Districts carried through two school years by commands alone, on the time-skipping server (issue 9).

Silver Valley's story: a facilitator leaves while an escalation reached her and
it reaches whoever facilitates now; the principal changes while a
recommendation is pending and only the new one may approve; a snow day and a
make-up Saturday move an open escalation's next rung by one school day each;
next year's calendar is published late (the admin is warned, a team's clock
stops at the last school day and resumes on the new calendar); at the new
school year the roster is imported from a OneRoster export, twice (the second
changes nothing), and each principal confirms the school's teams (one left out retires
and its workflow completes, one is formed; a principal who forgets is
escalated to). Then Justice County and the Cobb-like district are each carried
into their second year. Every stream folds to the state its workflow reports.
"""

import tempfile
import time as clock
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from app.files import load_district_file
from app.teams import CommandRefused
from domain.calendar import SchoolCalendar
from domain.calendar_change import closed_on, opened_on
from domain.district import Person, Role, TeamSpec
from domain.escalation import watch
from domain.ladder import Rung, next_rung
from domain.rollout import commands as c
from domain.rollout.calendar_end import next_year_name
from domain.school import commands as m
from domain.steps import Step
from domain.team import commands as cmd
from domain.team.policy import EscalationPolicy
from bench.oneroster import Org, User, users_of, write_export
from tests.support.calendars import Years, years_around
from tests.support.cli import plcflow
from tests.support.histories import RECORDING, record
from tests.support.districts import suffixed
from tests.support.harness import eventually, running
from tests.support.years import (
    Story, completed, district_log_matches, first_year_only, school_log_matches, team_state_or_none, until, with_next_years,
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
    the suite, and this server's clock stays stuck once a team retires whose school has continued as new since
    it started the team (a team retired by the run that started it does not do this), so no test may inherit
    another's server."""
    async for env in _time_skipping():
        async with running(env, event_store) as h:
            yield h


@dataclass
class SilverValley:
    """The story's district and the ids it follows (suffixed, so no other test meets its workflows or streams)."""

    s: Story
    sfx: str
    full: Years

    def __post_init__(self):
        self.ms, self.es, self.hs = (f"silver-valley-{x}-{self.sfx}" for x in ("ms", "es", "hs"))
        self.math, self.science, self.ela, self.algebra = (
            f"{x}-{self.sfx}" for x in ("svm-math", "svm-science", "svm-ela", "svh-algebra"))
        self.year2 = self.full.calendar.school_years[1].name

    def team_ids(self, school_id: str) -> tuple[str, ...]:
        return tuple(t.team_id for t in self.s.d.school(school_id).teams)


async def test_silver_valley_through_two_school_years_by_commands_alone(harness):
    started_at = clock.monotonic()
    h, sfx = harness, uuid4().hex[:6]
    full = years_around((await h.now()).date(), count=2)
    start = suffixed(load_district_file(EXAMPLES / "silver-valley.yaml"), sfx, calendar=first_year_only(full.calendar))
    start = start.model_copy(update={"team_policy": EscalationPolicy(ladder_school_days_past_due=LADDER)})
    sv = SilverValley(Story(h, start), sfx, full)
    pilot_on = await sv.s.launch()
    first_runs = {name: (await handle.describe()).run_id for name, handle in _recorded(sv).items()}
    facilitator_day = sv.s.cal.add_school_days(sv.s.cal.add_school_days(pilot_on, 5), LADDER[Rung.FACILITATOR])
    await _a_facilitator_leaves(sv, facilitator_day)
    await _the_principal_changes(sv)
    await _a_snow_day_and_a_make_up_day(sv, facilitator_day)
    resumed = await _next_years_calendar_published_late(sv)
    intervention = await _the_new_school_year(sv, resumed)

    # --- every stream folds to the state its workflow reports ---
    district = await district_log_matches(h, sv.s.districts, start.district.district_id)
    assert district.state.school_year == sv.year2 and district.state.departed == ("svm.math-lead",)
    for school_id in (sv.ms, sv.es, sv.hs):
        school = await school_log_matches(h, sv.s.districts, school_id)
        assert school.state.teams_confirmed_year == sv.year2 and not school.state.escalations.get(f"teams:{sv.year2}")
    for team_id in (sv.math, sv.science, sv.algebra, intervention):
        await h.assert_log_matches(team_id)
    assert fold_rows(await h.store.read_stream(stream_id(sv.ela))).retired.by == "svm.new-principal"
    if RECORDING:  # make record-histories TAG=…: the first runs, full of issue 9's commands and signals
        for name, handle in _recorded(sv).items():
            record(name, await sv.s.h.env.client.get_workflow_handle(handle.id, run_id=first_runs[name]).fetch_history())
    elapsed = clock.monotonic() - started_at
    print(f"silver-valley through two school years took {elapsed:.1f} s")
    assert elapsed < 60
    await sv.s.finish()


def _recorded(sv: SilverValley) -> dict:
    return {"district_new_school_year": sv.s.districts.district(sv.s.d.district_id),
            "school_new_school_year": sv.s.districts.school(sv.ms), "team_new_school_year": sv.s.h.teams.handle(sv.math)}


async def _a_facilitator_leaves(sv: SilverValley, facilitator_day: date) -> None:
    """The math facilitator leaves the district while the team's escalation has reached her; the principal names a
    teacher leader to facilitate, and the open escalation reaches her."""
    s, h = sv.s, sv.s.h
    await s.sleep_to(facilitator_day)
    esc = (await s.team(sv.math)).escalation
    assert esc.level is Rung.FACILITATOR and "svm.math-lead" in esc.reached
    await s.send(c.PersonLeaves(actor=ADMIN, person_id="svm.math-lead", reason="Moved away"))
    gap = await until(lambda: s.team(sv.math), lambda t: t.roster_gaps == ("facilitator",), "the team flagged its missing facilitator")
    assert "svm.math-lead" not in gap.escalation.reached and "svm.principal" in gap.escalation.reached
    await s.send(c.ChangeRoles(actor=ADMIN, person_id="svm.teacher1", roles=(Role.TEACHER, Role.TEACHER_LEADER), school=sv.ms))
    await s.districts.send_school(sv.ms, m.AddTeacherLeader(actor="svm.principal", leader="svm.teacher1"))
    await s.districts.send_school(sv.ms, m.ChangeTeamFacilitator(actor="svm.principal", team_id=sv.math, facilitator="svm.teacher1"))
    now = await until(lambda: s.team(sv.math), lambda t: t.roster_gaps == () and "svm.teacher1" in t.escalation.reached,
                      "the open escalation reached the new facilitator")
    assert now.team.facilitator == "svm.teacher1" and now.escalation.id == esc.id
    with pytest.raises(CommandRefused, match="did not reach svm.math-lead"):
        await h.send(sv.math, cmd.AcknowledgeEscalation(actor="svm.math-lead", escalation_id=esc.id, reason="Seen it"))
    await h.assert_log_matches(sv.math)  # the events are stored a moment after the state shows them
    assert "EscalationReassigned" in [e.type for e in await h.stored_events(sv.math)]


async def _the_principal_changes(sv: SilverValley) -> None:
    """The principal changes while the science team's recommendation is pending: the old one is refused."""
    s, h = sv.s, sv.s.h
    [proposed] = (await h.send(sv.science, cmd.RecordDecision(actor="svm.teacher4", kind="recommendation",
                                                              summary="Adopt a common lab-report routine"))).events
    await s.send(c.AddPerson(actor=ADMIN, person=Person(id="svm.new-principal", roles=(Role.PRINCIPAL,), school=sv.ms)))
    await s.districts.send_school(sv.ms, m.ChangePrincipal(actor="svm.principal", principal="svm.new-principal"))
    await until(lambda: s.team(sv.science), lambda t: t.team.principal == "svm.new-principal", "the team learned its new principal")
    approve = cmd.ApproveRecommendation(actor="svm.principal", recommendation_id=proposed.recommendation_id, reason="Go ahead")
    with pytest.raises(CommandRefused, match="Only svm.new-principal, the approving principal"):
        await h.send(sv.science, approve)
    [approved] = (await h.send(sv.science, approve.model_copy(update={"actor": "svm.new-principal"}))).events
    assert approved.by == "svm.new-principal"


async def _a_snow_day_and_a_make_up_day(sv: SilverValley, today: date) -> None:
    """Closed, then opened, while the math escalation is open: its next rung moves by one school day each."""
    s = sv.s
    principal_day = next_rung(watch(await s.team(sv.math))).on
    snow = s.cal.add_school_days(today, 1)
    await s.send(c.CloseSchoolDay(actor=ADMIN, on=snow, reason="Snow"))
    snowed = closed_on(s.cal, snow, "Snow", today)
    later = await _next_rung_on(s, sv.math, snowed)
    assert later == snowed.add_school_days(principal_day, 1) and snowed.school_days_between(principal_day, later) == 1
    saturday = next(today + timedelta(days=n) for n in range(1, 8) if (today + timedelta(days=n)).weekday() == 5)
    await s.send(c.OpenSchoolDay(actor=ADMIN, on=saturday, reason="Make-up day"))
    s.cal = opened_on(snowed, saturday, "Make-up day", today)
    sooner = await _next_rung_on(s, sv.math, s.cal)
    assert s.cal.school_days_between(sooner, later) == 1 and s.cal.is_school_day(saturday)
    await s.sleep_to(sooner)
    fired = await until(lambda: s.team(sv.math), lambda t: t.escalation.level is Rung.PRINCIPAL, "the principal's rung fired")
    assert fired.escalation.raised_on == sooner  # and it reached the principal of today, not the one who left the post
    assert "svm.new-principal" in fired.escalation.reached and "svm.principal" not in fired.escalation.reached


async def _next_years_calendar_published_late(sv: SilverValley):
    """The admin is warned 20 school days ahead; a step opened in the last days has no due date (its clock stops);
    published in summer, the warning is resolved and the stopped clock resumes. Returns the resumed team's state."""
    s, h = sv.s, sv.s.h
    days = s.cal.school_days
    await s.sleep_to(days[-21])
    warning = (await until(s.district, lambda d: d.calendar_end is not None, "the district admin was warned")).calendar_end
    assert warning.level is Rung.DISTRICT_ADMIN and warning.reached == (ADMIN,)
    assert warning.reason == f"the {next_year_name(s.cal)} calendar is not published; 8 teams' clocks stop on {days[-1]}"
    await s.sleep_to(days[-3])
    await h.advance(sv.algebra, Step.IDENTIFY_FOCUS, actor="svh.lead")
    stopped = await s.team(sv.algebra)
    assert stopped.step is Step.POSE_QUESTION and stopped.due_on is None and stopped.escalation is None
    await s.sleep_to(days[-1] + timedelta(days=14))
    assert (await s.district()).calendar_end is not None
    published = with_next_years(s.cal, sv.full.calendar)
    await s.send(c.PublishCalendar(actor=ADMIN, calendar=published))
    s.cal = published
    resumed = await until(lambda: s.team(sv.algebra), lambda t: t.calendar == published, "the team received next year's calendar")
    assert resumed.due_on == published.add_school_days(days[-3], 5) and resumed.due_on >= sv.full.starts[1]
    assert (await s.district()).calendar_end is None
    return resumed


async def _the_new_school_year(sv: SilverValley, resumed) -> str:
    """Teams formed and confirmed; principals who wait are escalated to; a team left out retires and its workflow
    completes; the clock that stopped fires on the new calendar. Returns the formed team's id."""
    s, h = sv.s, sv.s.h
    await s.cross_into(sv.full.starts[1])
    await _the_roster_imported_twice(sv)
    intervention = TeamSpec(team_id=f"svm-intervention-{sv.sfx}", name="Intervention", kind="content_area",
                            facilitator="svm.teacher1", members=("svm.teacher1", "svm.teacher9"))
    await s.districts.send_school(sv.ms, m.FormTeam(actor="svm.new-principal", team=intervention))
    h.started.append(intervention.team_id)
    formed = await until(lambda: team_state_or_none(h, intervention.team_id), lambda t: t and t.step is not None,
                         "the formed team started its cycle")
    assert formed.team.facilitator == "svm.teacher1" and formed.team.principal == "svm.new-principal"
    await s.districts.send_school(sv.es, m.ConfirmTeams(actor="sve.principal", team_ids=sv.team_ids(sv.es)))
    rung_day = s.cal.add_school_days(resumed.due_on, 1)
    await s.sleep_to(rung_day)
    fired = await until(lambda: s.team(sv.algebra), lambda t: t.escalation is not None, "the resumed clock fired")
    assert fired.escalation.raised_on == rung_day
    # The middle and high schools' principals have not confirmed their teams by the due date: each is escalated to.
    await s.sleep_to((await s.districts.school_status(sv.hs)).state.teams_due_on)
    for school_id, principal in [(sv.ms, "svm.new-principal"), (sv.hs, "svh.principal")]:
        forgot = await until(lambda i=school_id: s.districts.school_status(i), lambda x: f"teams:{sv.year2}" in x.state.escalations,
                             f"the principal of {school_id} was escalated to")
        assert forgot.state.escalations[f"teams:{sv.year2}"].reached == (principal,)
    await s.districts.send_school(sv.hs, m.ConfirmTeams(actor="svh.principal", team_ids=sv.team_ids(sv.hs)))
    # The middle school keeps its teams but English Language Arts, which retires. Last of all, because the
    # time-skipping server's clock stays stuck once a child started by a parent's earlier run completes.
    kept = tuple(t for t in sv.team_ids(sv.ms) if t != sv.ela) + (intervention.team_id,)
    with pytest.raises(CommandRefused, match="Only svm.new-principal, the principal of Silver Valley Middle School"):
        await s.districts.send_school(sv.ms, m.ConfirmTeams(actor="svm.principal", team_ids=kept))
    await s.districts.send_school(sv.ms, m.ConfirmTeams(actor="svm.new-principal", team_ids=kept))
    await eventually(lambda: completed(h, sv.ela), "the team left out of the new year retired and its workflow completed")
    last = (await h.stored_events(sv.ela))[-1]
    assert last.type == "TeamRetired" and last.reason == f"not in the roster of teams for {sv.year2}"
    return intervention.team_id


async def _the_roster_imported_twice(sv: SilverValley) -> None:
    """The new year's staff from the student-information system (OneRoster), with a student the reader drops:
    applied through the CLI, then the same files again, which change nothing and say so."""
    s = sv.s
    district = await s.district()
    orgs = {x.school_id: x.sourced_id for x in district.district.schools}
    users = users_of(district.district, "org-sv")
    users += [User("sis-new", "teacher", (orgs[sv.ms],), "svm.teacher9", "svm.teacher9@sv.example"),
              User("stu-1", "student", (orgs[sv.ms],), "a.student", "", "Ada", "Student")]
    folder = write_export(Path(tempfile.mkdtemp()) / "oneroster", [Org("org-sv", "Silver Valley", "district"),
                          *(Org(o, i) for i, o in orgs.items())], users)
    args = ("roster", "import", s.d.district_id, str(folder), "--apply", "--as", ADMIN)
    code, out = await plcflow(s.h, *args)
    assert code == 0 and "Imported: 1 added, 0 leaving" in out, out
    assert (await s.district()).district.person("svm.teacher9").school == sv.ms
    code, out = await plcflow(s.h, *args)
    assert code == 0 and "Nothing to change" in out, out


async def _next_rung_on(s: Story, team_id: str, cal) -> date:
    state = await until(lambda: s.team(team_id), lambda t: t.calendar == cal, f"{team_id} received the new calendar")
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
    await until(lambda: s.team(team.team_id), lambda t: leaver not in t.team.members, f"{leaver} left {team.team_id}")
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
