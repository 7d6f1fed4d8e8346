"""given/when/then over any aggregate's ``(decide, evolve)``: team, school and rollout alike.

``AGGREGATE.given(*events).when(command, at).then(*events)`` starts from the
fold of recorded events; ``given(*(command, at))`` (the team's, kept for its many
tests) runs real commands through ``decide`` so a test starts from a state the
rules can actually reach. Issue 8 (Structure): one harness instead of one per
aggregate (STYLE.md).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Any

import pytest

from domain.rollout.decider import decide as decide_rollout
from domain.rollout.state import RolloutState
from domain.rollout.state import evolve as evolve_rollout
from domain.school.decider import decide as decide_school
from domain.school.state import SchoolState
from domain.school.state import evolve as evolve_school
from domain.team.commands import Command
from domain.team.decider import decide as decide_team
from domain.team.state import TeamState
from domain.team.state import evolve as evolve_team


@dataclass(frozen=True)
class Aggregate:
    decide: Callable[[Any, Any, datetime], list]
    evolve: Callable[[Any, Any], Any]
    initial: Callable[[], Any]

    def given(self, *events) -> "Scenario":
        """Start from the fold of these events (as a stored stream would replay)."""
        s = Scenario(self)
        for e in events:
            s.state = self.evolve(s.state, e)
        s.log += events
        return s

    def given_commands(self, *steps: tuple[Any, datetime]) -> "Scenario":
        s = Scenario(self)
        for command, at in steps:
            s.run(command, at)
        return s


TEAM = Aggregate(decide_team, evolve_team, TeamState)
SCHOOL = Aggregate(decide_school, evolve_school, SchoolState)
ROLLOUT = Aggregate(decide_rollout, evolve_rollout, RolloutState)


@dataclass
class Scenario:
    aggregate: Aggregate = TEAM
    state: Any = None
    log: list = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.state is None:
            self.state = self.aggregate.initial()

    def run(self, command, at: datetime) -> list:
        """Decide, fold what was decided, keep it in the log; a refusal raises and changes nothing."""
        events = self.aggregate.decide(self.state, command, at)
        for e in events:
            self.state = self.aggregate.evolve(self.state, e)
        self.log += events
        return events

    def when(self, command, at: datetime) -> "When":
        return When(self, command, at)


@dataclass
class When:
    scenario: Scenario
    command: Any
    at: datetime

    def then(self, *expected) -> Scenario:
        """Exactly these events, in order."""
        assert self.scenario.run(self.command, self.at) == list(expected)
        return self.scenario

    def refused(self, error: type[Exception], message: str) -> Scenario:
        """Refused with this sentence, word for word, and nothing changed."""
        before = self.scenario.state
        with pytest.raises(error) as refusal:
            self.scenario.run(self.command, self.at)
        assert str(refusal.value) == message
        assert self.scenario.state == before
        return self.scenario


def given(*steps: tuple[Command, datetime]) -> Scenario:
    """The team's cycle after these commands."""
    return TEAM.given_commands(*steps)


class OnDates:
    """Drives an aggregate by local dates (9:00 unless said) in a district's time zone: the rule tests' clock."""

    def __init__(self, aggregate: Aggregate, zone: tzinfo):
        self.scenario = aggregate.given()
        self.zone = zone

    @property
    def state(self):
        return self.scenario.state

    @state.setter
    def state(self, state):
        self.scenario.state = state

    def run(self, command, on: date, hour: int = 9) -> list:
        return self.scenario.run(command, datetime.combine(on, time(hour), tzinfo=self.zone))
