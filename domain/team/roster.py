"""Who is on a team, over the years: members and the facilitator change, and so does the principal (issue 9).

A change is validated once, by the level that owns it (issue 9, shared design):
the team's current principal adds, removes and replaces members; a standalone
team's principal names its facilitator, while a launched team's facilitator is
named at its school (which knows its teacher leaders) and arrives, like a new
principal or someone who left, as ``ApplySchoolRoster``.

What follows is decided here, the same for every change: the roster takes
effect at once (authorization reads the profile), an open escalation that
reached someone who no longer holds a rung reaches the current holder instead
(``EscalationReassigned``), and a team left without members or a facilitator
is flagged to its principal (``RosterGapFlagged``), never left to escalate to
nobody.
"""

from datetime import datetime

from ..errors import InvalidTransition
from ..escalation import reached_through
from ..limits import MAX_TEAM_MEMBERS
from . import commands as cmd
from . import events as ev
from .profile import TeamProfile, require_roster_keeper
from .state import TeamState, evolve

# The actor a school records when it launches a team (domain.rollout.launch.LAUNCHER, which imports
# this package, so it cannot be imported here; tests/unit/test_roster_rules.py checks they agree).
LAUNCHER = "plcflow"


def _require_member(team: TeamProfile, user: str) -> None:
    if user not in team.members:
        raise InvalidTransition(f"{user} is not a member of {team.name}.")


def _require_newcomer(team: TeamProfile, user: str) -> None:
    if user in team.members:
        raise InvalidTransition(f"{user} is already a member of {team.name}.")


def add_member(s: TeamState, c: cmd.AddMember, now: datetime) -> list[ev.Event]:
    require_roster_keeper(s.team, c.actor)
    _require_newcomer(s.team, c.member)
    if len(s.team.members) >= MAX_TEAM_MEMBERS:
        raise InvalidTransition(f"{s.team.name} already has {MAX_TEAM_MEMBERS} members, the most a team can have.")
    return consequences(s, [ev.MemberAdded(at=now, by=c.actor, member=c.member)], now)


def remove_member(s: TeamState, c: cmd.RemoveMember, now: datetime) -> list[ev.Event]:
    require_roster_keeper(s.team, c.actor)
    _require_member(s.team, c.member)
    return consequences(s, [ev.MemberRemoved(at=now, by=c.actor, member=c.member)], now)


def replace_member(s: TeamState, c: cmd.ReplaceMember, now: datetime) -> list[ev.Event]:
    require_roster_keeper(s.team, c.actor)
    _require_member(s.team, c.leaving)
    _require_newcomer(s.team, c.joining)
    return consequences(s, [ev.MemberReplaced(at=now, by=c.actor, leaving=c.leaving, joining=c.joining)], now)


def change_facilitator(s: TeamState, c: cmd.ChangeFacilitator, now: datetime) -> list[ev.Event]:
    require_roster_keeper(s.team, c.actor)
    if s.registered_by == LAUNCHER:
        raise InvalidTransition(
            f"{s.team.name} was launched by its school; its facilitator is changed at {s.team.school_id}, "
            "which names one of its teacher leaders."
        )
    if c.facilitator == s.team.facilitator:
        raise InvalidTransition(f"{c.facilitator} already facilitates {s.team.name}.")
    changed = ev.FacilitatorChanged(at=now, by=c.actor, facilitator=c.facilitator, was=s.team.facilitator)
    return consequences(s, [changed], now)


def apply_school_roster(s: TeamState, c: cmd.ApplySchoolRoster, now: datetime) -> list[ev.Event]:
    """Validated at the school or the district; a repeat of the same change decides nothing."""
    team, out = s.team, []
    if c.principal and c.principal != team.principal:
        out.append(ev.PrincipalChanged(at=now, by=c.actor, principal=c.principal, was=team.principal))
    if c.coalition and c.coalition != team.coalition:
        out.append(ev.CoalitionChanged(at=now, by=c.actor, coalition=c.coalition))
    facilitator = team.facilitator
    if c.facilitator and c.facilitator != facilitator:
        out.append(ev.FacilitatorChanged(at=now, by=c.actor, facilitator=c.facilitator, was=facilitator))
        facilitator = c.facilitator
    for person in dict.fromkeys(c.left):
        if person in team.members:
            out.append(ev.MemberRemoved(at=now, by=c.actor, member=person))
        if person == facilitator:
            out.append(ev.FacilitatorChanged(at=now, by=c.actor, facilitator=None, was=person))
            facilitator = None
    return consequences(s, out, now) if out else []


def consequences(s: TeamState, changes: list[ev.Event], now: datetime) -> list[ev.Event]:
    """The changes, then what follows from the roster they leave: reassigned reach, flagged or filled gaps."""
    after = s
    for e in changes:
        after = evolve(after, e)
    return changes + _reassigned(after, now) + _gaps(after, now)


def _reassigned(s: TeamState, now: datetime) -> list[ev.Event]:
    esc = s.escalation
    if esc is None:
        return []
    now_reached = reached_through(esc.level, s.team)
    if now_reached == esc.reached:
        return []
    newly = tuple(r for r in now_reached if r not in esc.reached)
    gone = tuple(r for r in esc.reached if r not in now_reached)
    why = f"the roster of {s.team.name} changed"
    return [ev.EscalationReassigned(at=now, escalation_id=esc.id, level=esc.level, reached=now_reached,
                                    newly_reached=newly, no_longer=gone, why=why)]


def _gaps(s: TeamState, now: datetime) -> list[ev.Event]:
    team = s.team
    missing = {"members": not team.members, "facilitator": team.facilitator is None}
    out: list[ev.Event] = []
    for gap, is_missing in missing.items():
        if is_missing and gap not in s.roster_gaps:
            out.append(ev.RosterGapFlagged(at=now, gap=gap, reached=(team.principal,), reason=_GAP_REASONS[gap].format(team=team.name)))
        elif not is_missing and gap in s.roster_gaps:
            out.append(ev.RosterGapFilled(at=now, gap=gap))
    return out


_GAP_REASONS = {
    "members": "{team} has no members left; add or replace members so its cycle can go on.",
    "facilitator": "{team} has no facilitator; name one of the school's teacher leaders.",
}
