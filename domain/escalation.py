"""The team's use of the escalation ladder: what it watches and whom each rung reaches.

DESIGN: team -> facilitator -> principal -> district guiding coalition. The
clock itself is ``domain.ladder``, shared with every other kind of work.
"""

from dataclasses import dataclass
from datetime import datetime

from . import ladder
from .ladder import Rung, Watch
from .team.events import EscalationRaised, EscalationResolved
from .team.policy import TEAM_LADDER
from .team.profile import TeamProfile
from .team.state import OpenEscalation, TeamState


def reached_by(rung: Rung, team: TeamProfile) -> tuple[str, ...]:
    """Whom a rung reaches now. Issue 9: a team left without members or a facilitator
    reaches its principal on that rung, never nobody."""
    match rung:
        case Rung.TEAM:
            return tuple(team.members) or (team.principal,)
        case Rung.FACILITATOR:
            return (team.facilitator or team.principal,)
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


def reached_through(rung: Rung, team: TeamProfile) -> tuple[str, ...]:
    """Everyone an escalation at ``rung`` reaches with the team as it is now: each rung up to it, lowest first."""
    out: tuple[str, ...] = ()
    for r in TEAM_LADDER[: TEAM_LADDER.index(rung) + 1]:
        out = ladder.merge_reached(out, reached_by(r, team))
    return out


@dataclass(frozen=True)
class RollUp:
    """What a team tells its school: an escalation reached the principal or above, or it ended."""

    escalation_id: str
    level: Rung | None  # None: resolved
    reason: str = ""


VISIBLE_UPWARD = (Rung.PRINCIPAL, Rung.COALITION)


def roll_ups(before: OpenEscalation | None, events) -> list[RollUp]:
    """DESIGN: what reaches a principal is visible on the school, what reaches the coalition on the district."""
    out = []
    for e in events:
        if isinstance(e, EscalationRaised) and e.level in VISIBLE_UPWARD:
            out.append(RollUp(e.escalation_id, e.level, e.reason))
        elif isinstance(e, EscalationResolved) and before and before.id == e.escalation_id and before.level in VISIBLE_UPWARD:
            out.append(RollUp(e.escalation_id, None, e.why))
    return out
