"""What a wave launches, decided when it is scheduled (seeds 001, 002; issue 8 defects 2, 3, 14).

Each test reads given (a rollout at its launch-waves phase) / when (a command) / then (its events, or
its refusal word for word with nothing recorded, and what the launch opens and registers).
"""

from datetime import date

import pytest

from app.files import load_district_file
from domain.errors import InvalidTransition
from domain.limits import MAX_COALITION, MAX_TEAM_MEMBERS
from domain.rollout import commands as c
from domain.rollout import events as ev
from domain.rollout.launch import school_opening, wanted_schools
from domain.rollout.phases import Phase
from domain.rollout.state import evolve
from tests.support.districts import staffed_district
from tests.support.launching import Launched
from tests.unit.test_rollout_rules import EXAMPLES, MON, SV_COALITION, Rollout, at, through_model_the_work

ADMIN = "sv.admin"
OCT_1, OCT_5 = date(2026, 10, 1), date(2026, 10, 5)


def given_silver_valley_at_launch_waves(**team_changes) -> Rollout:
    """Silver Valley through its gates (seed 002: the middle school's math and science teams volunteered)."""
    r = Rollout()
    if team_changes:
        schools = tuple(s.model_copy(update={"teams": tuple(t.model_copy(update=team_changes.get(t.team_id, {})) for t in s.teams)})
                        for s in r.start.district.schools)
        r = Rollout(start=r.start.model_copy(update={"district": r.start.district.model_copy(update={"schools": schools})}))
    through_model_the_work(r)
    assert r.state.phase is Phase.LAUNCH_WAVES
    return r


def given_a_district_at_launch_waves(district) -> Rollout:
    """A generated district whose gates are behind it (each gate has its own tests in test_rollout_rules)."""
    r = Rollout(start=Rollout().start.model_copy(update={"district": district, "actor": district.admins[0]}))
    r.admin = district.admins[0]
    r.state = evolve(r.state, ev.PhaseOpened(at=at(MON), phase=Phase.LAUNCH_WAVES, due_on=None))
    return r


def refused(r: Rollout, command, message: str) -> None:
    before = r.state
    with pytest.raises(InvalidTransition) as err:
        r.run(command, MON)
    assert err.value.reason == message
    assert r.state == before  # nothing recorded


def pilot(*school_ids: str, teams: tuple[str, ...], on: date = OCT_1) -> c.ScheduleWave:
    return c.ScheduleWave(actor=ADMIN, kind="pilot", launch_on=on, school_ids=school_ids, pilot_team_ids=teams)


def test_a_pilot_wave_refuses_a_team_that_did_not_volunteer():
    r = given_silver_valley_at_launch_waves()
    refused(r, pilot("silver-valley-ms", teams=("svm-math", "svm-ela")),
            "English Language Arts (svm-ela) at Silver Valley Middle School is not a volunteer team; "
            "only teams marked pilot: true in the district file can be in a pilot wave.")


def test_a_pilot_wave_refuses_a_school_without_a_volunteer_team():
    r = given_silver_valley_at_launch_waves()
    refused(r, pilot("silver-valley-ms", "silver-valley-es", teams=("svm-math",)),
            "Silver Valley Elementary has no volunteer team (pilot: true in the district file), so it cannot be in the "
            "pilot wave; launch it in a schoolwide wave.")


def test_a_pilot_wave_names_a_volunteer_team_of_each_of_its_schools():
    r = given_silver_valley_at_launch_waves(**{"sve-grade3": {"pilot": True}})
    refused(r, pilot("silver-valley-ms", "silver-valley-es", teams=("svm-math",)),
            "The pilot wave names none of Silver Valley Elementary's volunteer teams (sve-grade3); name at least one, "
            "or launch the school in a schoolwide wave.")


def test_a_pilot_wave_names_only_teams_of_its_own_schools():
    r = given_silver_valley_at_launch_waves(**{"sve-grade3": {"pilot": True}})
    refused(r, pilot("silver-valley-ms", teams=("svm-math", "sve-grade3")),
            "A pilot wave names its volunteer teams, each a team of one of its schools; sve-grade3 is not.")


def test_a_launched_pilot_opens_each_school_with_its_own_volunteers_then_carries_them_schoolwide():
    r = given_silver_valley_at_launch_waves(**{"sve-grade3": {"pilot": True}})
    [scheduled] = r.run(pilot("silver-valley-ms", "silver-valley-es", teams=("svm-math", "sve-grade3")), MON)
    assert scheduled.type == "WaveScheduled"
    r.run(c.ScheduleWave(actor=ADMIN, kind="schoolwide", launch_on=OCT_5, school_ids=("silver-valley-ms", "silver-valley-hs")), MON)
    r.run(c.Tick(), OCT_1)
    assert wanted_schools(r.state) == {"silver-valley-ms": "pilot", "silver-valley-es": "pilot"}
    opening = school_opening(r.state, "silver-valley-es", "pilot")
    assert (opening.mode, opening.pilot_team_ids, opening.coalition) == ("pilot", ("sve-grade3",), SV_COALITION)
    launched = Launched().follow(r.state, at(OCT_1))
    assert sorted(launched.teams) == ["sve-grade3", "svm-math"]
    r.run(c.Tick(), OCT_5)
    launched.follow(r.state, at(OCT_5))
    assert launched.schools["silver-valley-ms"].teams["svm-math"].pilot and len(launched.schools["silver-valley-ms"].teams) == 4
    assert launched.modes == {"silver-valley-ms": "schoolwide", "silver-valley-es": "pilot", "silver-valley-hs": "schoolwide"}
    assert {t.team.coalition for t in launched.teams.values()} == {SV_COALITION}


def test_a_guiding_coalition_is_seated_within_the_limit_every_team_shares():
    r = given_a_district_at_launch_waves(staffed_district([[(True, 3)]], staff=MAX_COALITION + 5))
    people = tuple(p.id for p in r.state.district.people)
    refused(r, c.SeatCoalition(actor=r.admin, members=people[:MAX_COALITION + 1]),
            f"A guiding coalition has at most {MAX_COALITION} members; {MAX_COALITION + 1} were named.")
    [seated] = r.run(c.SeatCoalition(actor=r.admin, members=people[:MAX_COALITION] + people[:3]), MON)  # repeats count once
    assert len(seated.members) == MAX_COALITION


def largest_coalition_seated(r: Rollout, candidates: tuple[str, ...]) -> tuple[str, ...]:
    """Seat the largest coalition the rollout accepts, found by trying (the limit is not assumed here)."""
    for n in range(len(candidates), 0, -1):
        try:
            r.run(c.SeatCoalition(actor=r.admin, members=candidates[:n]), MON)
            return r.state.coalition
        except Exception:  # a refusal, or a command the model itself rejects
            continue
    raise AssertionError("no coalition could be seated")


def test_the_largest_district_the_limits_allow_launches_every_school_and_team():
    # DESIGN's large district: 1,500 teams (50 schools of 30); each team and the coalition at the domain's limits.
    shapes = [[(j == 0, MAX_TEAM_MEMBERS) for j in range(30)] for _ in range(50)]
    r = given_a_district_at_launch_waves(staffed_district(shapes, admins=3))
    d = r.state.district
    coalition = largest_coalition_seated(r, tuple(p.id for p in d.people if p.id.endswith((".principal", ".lead")))[:80])
    every_school = tuple(s.school_id for s in d.schools)
    r.run(pilot(*every_school, teams=tuple(s.teams[0].team_id for s in d.schools)).model_copy(update={"actor": r.admin}), MON)
    r.run(c.ScheduleWave(actor=r.admin, kind="schoolwide", launch_on=OCT_5, school_ids=every_school), MON)
    r.run(c.Tick(), OCT_1)
    launched = Launched().follow(r.state, at(OCT_1))
    assert len(launched.teams) == 50
    r.run(c.Tick(), OCT_5)
    launched.follow(r.state, at(OCT_5))
    assert len(launched.teams) == 1_500 and set(launched.modes.values()) == {"schoolwide"}
    assert {len(t.team.coalition) for t in launched.teams.values()} == {len(coalition)} == {MAX_COALITION}
    assert {len(t.team.members) for t in launched.teams.values()} == {MAX_TEAM_MEMBERS}


def test_a_wave_whose_teams_could_not_be_registered_is_refused_naming_the_team():
    # given no coalition seated yet, so the top rung falls back to the district admins, one more than a team allows
    r = given_a_district_at_launch_waves(staffed_district([[(True, 3)]], admins=MAX_COALITION + 1))
    # when a wave would launch the school's volunteer team, then it is refused before anything starts
    refused(r, c.ScheduleWave(actor=r.admin, kind="pilot", launch_on=OCT_1, school_ids=("s0",), pilot_team_ids=("s0-team0",)),
            "Team 0 of school 0 (s0-team0) at School 0 could not be launched: "
            f"its team profile would not be valid (coalition: Tuple should have at most {MAX_COALITION} items after validation, "
            f"not {MAX_COALITION + 1}).")


@pytest.mark.parametrize("name", ["silver-valley", "justice-county", "cobb-like"])
def test_every_example_district_has_volunteers_for_its_first_wave(name):
    # given an example district at its launch waves; when its volunteers' schools are the pilot wave; then it is scheduled
    r = given_a_district_at_launch_waves(load_district_file(EXAMPLES / f"{name}.yaml").district)
    volunteers = {t.team_id: s.school_id for s in r.state.district.schools for t in s.teams if t.pilot}
    [scheduled] = r.run(c.ScheduleWave(actor=r.admin, kind="pilot", launch_on=OCT_1, school_ids=tuple(dict.fromkeys(volunteers.values())),
                                       pilot_team_ids=tuple(volunteers)), MON)
    assert scheduled.pilot_team_ids == tuple(volunteers)
