"""No workflow is ever started with input its decider refuses (issue 8, defects 2, 3, 14).

Over generated districts (schools, teams with or without volunteers, team sizes up to the limit),
coalitions of any size and waves naming any schools and teams: whatever ``ScheduleWave`` accepts
launches every school with an ``OpenSchool`` the school decider accepts and every team with a
``RegisterTeam`` the team decider accepts; whatever it refuses, it refuses with a sentence and
records nothing.
"""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.limits import MAX_TEAM_MEMBERS
from domain.rollout import commands as c
from tests.support.districts import staffed_district
from tests.support.launching import Launched
from tests.unit.test_launch_rules import given_a_district_at_launch_waves
from tests.unit.test_rollout_rules import MON, at

teams = st.lists(st.tuples(st.booleans(), st.integers(1, MAX_TEAM_MEMBERS)), max_size=4)  # (volunteer?, members)
districts = st.builds(staffed_district, st.lists(teams, min_size=1, max_size=4), admins=st.integers(1, 3),
                      staff=st.integers(0, 50))


@st.composite
def waves(draw, district):
    """A pilot wave then two schoolwide ones; the pilot names any teams, or (more often) its schools' volunteers."""
    school_ids = [s.school_id for s in district.schools]
    team_ids = [t.team_id for s in district.schools for t in s.teams]
    out = []
    for kind in ("pilot", "schoolwide", "schoolwide"):
        schools = draw(st.lists(st.sampled_from(school_ids), min_size=1, max_size=len(school_ids), unique=True))
        volunteers = [t.team_id for s in district.schools if s.school_id in schools for t in s.teams if t.pilot]
        named = st.one_of(st.just(volunteers), st.lists(st.sampled_from(team_ids), unique=True)) if team_ids else st.just([])
        out.append(c.ScheduleWave(
            actor=district.admins[0], kind=kind, launch_on=MON + timedelta(days=draw(st.integers(0, 40))),
            school_ids=tuple(schools), pilot_team_ids=tuple(draw(named)) if kind == "pilot" else (),
        ))
    return out


def attempt(r, command, on: date = MON) -> bool:
    before = r.state
    try:
        r.run(command, on)
        return True
    except DomainError as refusal:
        assert r.state == before and refusal.reason.endswith(".")  # a sentence, and nothing recorded
        return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_everything_a_scheduled_wave_launches_is_accepted_by_the_school_and_team_deciders(data):
    district = data.draw(districts)
    people = [p.id for p in district.people]
    r = given_a_district_at_launch_waves(district)
    attempt(r, c.SeatCoalition(actor=r.admin, members=tuple(people[: data.draw(st.integers(1, len(people)))])))
    for wave in data.draw(waves(district)):
        attempt(r, wave)
    # the coalition may be seated again after the waves were scheduled, before they launch
    attempt(r, c.SeatCoalition(actor=r.admin, members=tuple(people[: data.draw(st.integers(1, len(people)))])))
    launched = Launched()
    for day in sorted({w.launch_on for w in r.state.waves}):
        r.run(c.Tick(), day)
        launched.follow(r.state, at(day))  # raises if any decider refuses what the launch hands it
    for school_id, mode in launched.modes.items():
        school = r.state.district.school(school_id)
        expected = {t.team_id for t in school.teams} if mode == "schoolwide" else set(launched.schools[school_id].teams)
        assert expected <= set(launched.teams)
        if mode == "pilot":  # seed 002: a pilot school runs its volunteer teams only
            assert all(spec.pilot for spec in school.teams if spec.team_id in launched.schools[school_id].teams)
    assert {t.team.coalition for t in launched.teams.values()} <= {r.state.coalition or r.state.district.admins}
