"""What the district and school workflows do when waves launch, through the domain's functions only.

The workflows call ``wanted_schools``, ``school_opening`` and ``team_registration`` and start a child
with the result; here each result goes straight to its decider instead, so a unit test sees at once
whether any workflow would be started with input its decider refuses (a refusal raises DomainError).
"""

from dataclasses import dataclass, field
from datetime import datetime

from domain.team.decider import decide as decide_team
from domain.rollout.launch import LAUNCHER, school_opening, team_registration, wanted_schools
from domain.rollout.state import RolloutState
from domain.school import commands as m
from domain.school.state import SchoolState, evolve as evolve_school
from domain.school.decider import decide as decide_school
from domain.team.state import TeamState
from domain.team.state import evolve as evolve_team


@dataclass
class Launched:
    schools: dict[str, SchoolState] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)
    teams: dict[str, TeamState] = field(default_factory=dict)

    def follow(self, rollout: RolloutState, now: datetime) -> "Launched":
        """Open every school the launched waves reach (or take a pilot schoolwide), then register its new teams."""
        for school_id, mode in wanted_schools(rollout).items():
            if self.modes.get(school_id) == mode:
                continue
            state = self.schools.get(school_id, SchoolState())
            command = m.LaunchSchoolwide(actor=LAUNCHER) if school_id in self.schools else school_opening(rollout, school_id, mode)
            self.schools[school_id] = _fold(decide_school, evolve_school, state, command, now)
            self.modes[school_id] = mode
            for team_id in self.schools[school_id].teams:
                if team_id not in self.teams:
                    registration = team_registration(self.schools[school_id], team_id)
                    self.teams[team_id] = _fold(decide_team, evolve_team, TeamState(), registration, now)
        return self


def _fold(decide, evolve, state, command, now):
    for e in decide(state, command, now):
        state = evolve(state, e)
    return state
