"""The team's use of the escalation ladder: what it watches and whom each rung reaches.

DESIGN: team -> facilitator -> principal -> district guiding coalition. The
clock itself is ``domain.ladder``, shared with every other kind of work.
"""

from datetime import datetime

from . import ladder
from .ladder import Rung, Watch
from .state import TeamState
from .team import TeamProfile


def reached_by(rung: Rung, team: TeamProfile) -> tuple[str, ...]:
    match rung:
        case Rung.TEAM:
            return tuple(team.members)
        case Rung.FACILITATOR:
            return (team.facilitator,)
        case Rung.PRINCIPAL:
            return (team.principal,)
        case Rung.COALITION:
            return tuple(team.coalition)
    raise ValueError(f"a team's ladder has no {rung} rung")


def watch(state: TeamState) -> Watch | None:
    """The open step, as the ladder sees it; nothing while paused or between cycles."""
    if state.paused or state.step is None or state.calendar is None:
        return None
    return Watch(state.calendar, state.policy, state.due_on, state.escalation)


def next_escalation_at(state: TeamState, now: datetime) -> datetime | None:
    return ladder.next_escalation_at(watch(state), now)


def rung_due(state: TeamState, now: datetime) -> Rung | None:
    return ladder.rung_due(watch(state), now)
