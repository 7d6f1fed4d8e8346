"""A school's people change over the years (issue 9): its principal, its teacher leaders, its teams' facilitators.

The school validates these once, as the level that owns them, and records its
own event; what its running teams must learn travels down as the team's
``ApplySchoolRoster`` (``team_changes``), which the team applies as it comes.
Who may: the school's current principal; a new principal is named by the
outgoing one or by a member of the district's guiding coalition (the district
admin's voice the school knows), so a principal who left can be replaced.
"""

from datetime import datetime

from ..errors import InvalidTransition, NotAllowed
from ..rollout.commands import RecordSchoolPrincipal
from ..team.commands import ApplySchoolRoster
from . import commands as c
from . import events as ev
from .state import SchoolState


def _require_principal(s: SchoolState, actor: str, doing: str) -> None:
    if actor != s.school.principal:
        raise NotAllowed(f"Only {s.school.principal}, the principal of {s.school.name}, can {doing}; {actor} is not.")


def change_principal(s: SchoolState, cmd: c.ChangePrincipal, now: datetime) -> list[ev.SchoolEvent]:
    school = s.school
    if cmd.actor != school.principal and cmd.actor not in s.coalition:
        raise NotAllowed(
            f"Only {school.principal}, the principal of {school.name}, or a member of the district's guiding coalition "
            f"can change its principal; {cmd.actor} is neither."
        )
    if cmd.principal == school.principal:
        raise InvalidTransition(f"{cmd.principal} is already the principal of {school.name}.")
    return [ev.SchoolPrincipalChanged(at=now, by=cmd.actor, principal=cmd.principal, was=school.principal)]


def add_teacher_leader(s: SchoolState, cmd: c.AddTeacherLeader, now: datetime) -> list[ev.SchoolEvent]:
    _require_principal(s, cmd.actor, "add a teacher leader")
    if cmd.leader in s.school.teacher_leaders:
        raise InvalidTransition(f"{cmd.leader} is already a teacher leader of {s.school.name}.")
    return [ev.TeacherLeaderAdded(at=now, by=cmd.actor, leader=cmd.leader)]


def retire_teacher_leader(s: SchoolState, cmd: c.RetireTeacherLeader, now: datetime) -> list[ev.SchoolEvent]:
    _require_principal(s, cmd.actor, "retire a teacher leader")
    if cmd.leader not in s.school.teacher_leaders:
        raise InvalidTransition(f"{cmd.leader} is not a teacher leader of {s.school.name}.")
    facilitated = [t.name for t in s.school.teams if t.facilitator == cmd.leader]
    if facilitated:
        raise InvalidTransition(
            f"{cmd.leader} facilitates {' and '.join(facilitated)}; name another facilitator for it first."
        )
    return [ev.TeacherLeaderRetired(at=now, by=cmd.actor, leader=cmd.leader)]


def change_team_facilitator(s: SchoolState, cmd: c.ChangeTeamFacilitator, now: datetime) -> list[ev.SchoolEvent]:
    """Seed 002 and the district file's rule: a team's facilitator is a teacher leader (or the principal) of its school."""
    _require_principal(s, cmd.actor, "change a team's facilitator")
    team = next((t for t in s.school.teams if t.team_id == cmd.team_id), None)
    if team is None:
        raise InvalidTransition(f"{s.school.name} has no team {cmd.team_id}.")
    if cmd.facilitator == team.facilitator:
        raise InvalidTransition(f"{cmd.facilitator} already facilitates {team.name}.")
    if cmd.facilitator not in s.school.teacher_leaders and cmd.facilitator != s.school.principal:
        raise InvalidTransition(f"{cmd.facilitator} is not a teacher leader of {s.school.name}; add them as one first.")
    return [ev.TeamFacilitatorChanged(at=now, by=cmd.actor, team_id=team.team_id, facilitator=cmd.facilitator,
                                      was=team.facilitator)]


def apply_district_roster(s: SchoolState, cmd: c.ApplyDistrictRoster, now: datetime) -> list[ev.SchoolEvent]:
    """Validated by the district; someone already recorded as gone decides nothing (a repeated signal)."""
    out: list[ev.SchoolEvent] = []
    if cmd.coalition and cmd.coalition != s.coalition:
        out.append(ev.SchoolCoalitionChanged(at=now, by=cmd.actor, coalition=cmd.coalition))
    return out + [ev.StaffLeft(at=now, by=cmd.actor, person=p) for p in dict.fromkeys(cmd.left) if p not in s.departed]


def team_changes(s: SchoolState, events) -> list[tuple[str, ApplySchoolRoster]]:
    """What each launched team must learn from these school events (sent to those already started)."""
    out: list[tuple[str, ApplySchoolRoster]] = []
    for e in events:
        if isinstance(e, ev.SchoolPrincipalChanged):
            out += [(t, ApplySchoolRoster(actor=e.by, principal=e.principal)) for t in sorted(s.teams)]
        elif isinstance(e, ev.SchoolCoalitionChanged):
            out += [(t, ApplySchoolRoster(actor=e.by, coalition=e.coalition)) for t in sorted(s.teams)]
        elif isinstance(e, ev.StaffLeft):
            # Every launched team: members are the team's own, so the school cannot know who is on which.
            out += [(t, ApplySchoolRoster(actor=e.by, left=(e.person,))) for t in sorted(s.teams)]
        elif isinstance(e, ev.TeamFacilitatorChanged) and e.team_id in s.teams:
            out.append((e.team_id, ApplySchoolRoster(actor=e.by, facilitator=e.facilitator)))
    return out


def on_team_started(s: SchoolState, team_id: str) -> list[tuple[str, ApplySchoolRoster]]:
    """A team launched after people left starts from the district file's roster: tell it who is gone."""
    return [(team_id, ApplySchoolRoster(actor="plcflow", left=s.departed))] if s.departed else []


def district_reports(s: SchoolState, events) -> list[RecordSchoolPrincipal]:
    """What the district must learn: who leads this school now (it checks who may leave against it)."""
    return [RecordSchoolPrincipal(actor=e.by, school_id=s.school.school_id, principal=e.principal)
            for e in events if isinstance(e, ev.SchoolPrincipalChanged)]
