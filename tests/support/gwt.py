"""given(commands...).when(command).then(...) for the team decider.

``given`` runs real commands through ``decide`` so every test starts from a
state the rules can actually reach.
"""

from dataclasses import dataclass, field
from datetime import datetime

from domain.team.commands import Command
from domain.team.decider import decide
from domain.team.events import Event
from domain.team.state import TeamState, evolve


@dataclass
class Scenario:
    state: TeamState = field(default_factory=TeamState)
    log: list[Event] = field(default_factory=list)

    def run(self, command: Command, at: datetime) -> list[Event]:
        events = decide(self.state, command, at)
        for e in events:
            self.state = evolve(self.state, e)
        self.log += events
        return events


def given(*steps: tuple[Command, datetime]) -> Scenario:
    s = Scenario()
    for command, at in steps:
        s.run(command, at)
    return s
