"""What a wave launches: which schools, in which mode, which teams, and whom their top rung reaches.

Seed 001 (launch schools in waves, voluntary pilots first) and seed 002 (the
pilot teams are carried into the schoolwide launch). Issue 8, defects 2 and 3:
these rules used to live in the district and school workflows, where a school
they could not open was refused inside ``@workflow.init`` and its workflow
task retried forever. Here they are pure, and the rollout's decider rehearses
a wave's whole launch when the wave is scheduled (``check_wave``): a wave it
accepts opens every school with an ``OpenSchool`` the school decider accepts
and registers every team with a ``RegisterTeam`` the team decider accepts, so
no workflow is ever started with input its decider refuses.
"""

from datetime import datetime
from typing import Literal

from pydantic import ValidationError

from ..district import School
from ..errors import DomainError, InvalidTransition
from ..school import commands as sc
from ..school.decider import decide as decide_school
from ..school.state import SchoolState, evolve as evolve_school
from ..team.commands import RegisterTeam, StartCycle
from ..team.decider import decide as decide_team
from ..team.profile import TeamProfile
from ..team.state import TeamState
from ..validation import describe_errors
from . import commands as c
from .state import RolloutState

Mode = Literal["pilot", "schoolwide"]
LAUNCHER = "plcflow"  # the actor recorded on what the rollout launches by itself


def wanted_schools(s: RolloutState) -> dict[str, Mode]:
    """Each school the launched waves reach, and its mode: schoolwide once any schoolwide wave names it."""
    out: dict[str, Mode] = {}
    for w in s.launched_waves:
        for school_id in w.school_ids:
            out[school_id] = "schoolwide" if w.kind == "schoolwide" or out.get(school_id) == "schoolwide" else "pilot"
    return out


def pending_launches(s: RolloutState, started: dict[str, str]) -> list[tuple[str, Mode]]:
    """What the launched waves still owe: each school to start (or, a pilot already started, to take schoolwide),
    given the mode each started school runs in. The district's workflow and the simulator launch from this."""
    return [(school_id, mode) for school_id, mode in wanted_schools(s).items() if started.get(school_id) != mode]


def unstarted_teams(s: SchoolState, started) -> list[str]:
    """The school's launched, active teams not started yet, in the order a school starts them."""
    return [t for t in sorted(s.teams) if t not in started and s.teams[t].active]


def team_start(registration: RegisterTeam) -> list:
    """The commands a launched team's life begins with: its registration, then its first cycle, opened by its facilitator."""
    return [registration, StartCycle(actor=registration.team.facilitator)]


def coalition(s: RolloutState) -> tuple[str, ...]:
    """Whom a school's top rung reaches: the seated guiding coalition, or the district admins before one is seated."""
    return s.coalition or s.district.admins


def _own(school: School, team_ids) -> tuple[str, ...]:
    own = {t.team_id for t in school.teams}
    return tuple(t for t in team_ids if t in own)


def school_opening(s: RolloutState, school_id: str, mode: Mode) -> sc.OpenSchool:
    """How the rollout opens a school its launched waves reach: a pilot opens only its volunteer teams the pilot wave names."""
    school = s.district.school(school_id)
    named = (t for w in s.launched_waves if w.kind == "pilot" for t in w.pilot_team_ids)
    return _opening(s, school, mode, _own(school, named) if mode == "pilot" else ())


def _opening(s: RolloutState, school: School, mode: Mode, pilots: tuple[str, ...]) -> sc.OpenSchool:
    return sc.OpenSchool(
        actor=LAUNCHER, district_id=s.district.district_id, school=school, calendar=s.calendar, rubric=s.rubric,
        policy=s.school_policy, team_policy=s.team_policy, coalition=coalition(s), mode=mode, pilot_team_ids=pilots,
    )


def team_registration(s: SchoolState, team_id: str) -> RegisterTeam:
    """How a school launches one of its teams: the team workflow's registration, from the district file's team."""
    spec = s.teams[team_id].spec
    profile = TeamProfile(
        team_id=spec.team_id, school_id=s.school.school_id, district_id=s.district_id, name=spec.name,
        facilitator=spec.facilitator, members=tuple(dict.fromkeys(spec.members)), principal=s.school.principal,
        coalition=s.coalition or (s.school.principal,),
    )
    return RegisterTeam(actor=LAUNCHER, team=profile, calendar=s.calendar, policy=s.team_policy)


def check_wave(s: RolloutState, cmd: c.ScheduleWave, now: datetime) -> None:
    """Refuse, with a sentence, a wave that could not launch; a wave this accepts launches every school and team it names."""
    if cmd.kind == "pilot":
        _check_volunteers(s, cmd)
    for school_id in dict.fromkeys(cmd.school_ids):
        _rehearse(s, cmd, s.district.school(school_id), now)


def _check_volunteers(s: RolloutState, cmd: c.ScheduleWave) -> None:
    """Seed 002: a pilot wave launches voluntary teams only, at least one in each of its schools."""
    if not cmd.pilot_team_ids:
        raise InvalidTransition("A pilot wave names its volunteer teams, each a team of one of its schools.")
    schools = [s.district.school(i) for i in dict.fromkeys(cmd.school_ids)]
    specs = {t.team_id: (t, school) for school in schools for t in school.teams}
    for team_id in cmd.pilot_team_ids:
        if team_id not in specs:
            raise InvalidTransition(f"A pilot wave names its volunteer teams, each a team of one of its schools; {team_id} is not.")
        spec, school = specs[team_id]
        if not spec.pilot:
            raise InvalidTransition(f"{spec.name} ({team_id}) at {school.name} is not a volunteer team; only teams marked "
                                    "pilot: true in the district file can be in a pilot wave.")
    for school in schools:
        if _own(school, cmd.pilot_team_ids):
            continue
        volunteers = [t.team_id for t in school.teams if t.pilot]
        if volunteers:
            raise InvalidTransition(f"The pilot wave names none of {school.name}'s volunteer teams ({', '.join(volunteers)}); "
                                    "name at least one, or launch the school in a schoolwide wave.")
        raise InvalidTransition(f"{school.name} has no volunteer team (pilot: true in the district file), so it cannot be "
                                "in the pilot wave; launch it in a schoolwide wave.")


def _rehearse(s: RolloutState, cmd: c.ScheduleWave, school: School, now: datetime) -> None:
    """Open the school and register its teams on fresh states, as its launch will: any refusal refuses the wave."""
    pilot_wave = cmd if cmd.kind == "pilot" else next((w for w in s.waves if w.kind == "pilot"), None)
    pilots = _own(school, pilot_wave.pilot_team_ids) if pilot_wave and school.school_id in pilot_wave.school_ids else ()
    steps = [_opening(s, school, "pilot", pilots)] if pilots else []
    if cmd.kind == "schoolwide":
        steps.append(sc.LaunchSchoolwide(actor=LAUNCHER) if pilots else _opening(s, school, "schoolwide", ()))
    state = SchoolState()
    try:
        for command in steps:
            for e in decide_school(state, command, now):
                state = evolve_school(state, e)
    except DomainError as err:
        raise InvalidTransition(f"{school.name} could not be launched: {err.reason}") from None
    for team_id in state.teams:
        try:
            decide_team(TeamState(), team_registration(state, team_id), now)
        except (DomainError, ValidationError) as err:
            why = (err.reason.rstrip(".") if isinstance(err, DomainError)
                   else f"its team profile would not be valid ({'; '.join(describe_errors(err))})")
            raise InvalidTransition(f"{state.teams[team_id].spec.name} ({team_id}) at {school.name} could not be launched: {why}.") from None
