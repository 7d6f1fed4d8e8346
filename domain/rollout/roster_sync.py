"""A roster import applied to the rollout: many people at once, judged once (issue 9, "Roster sync").

The same events as one-by-one changes (``domain.rollout.people``) — a person
added, their record changed, a person left and unseated — so everything that
follows from a change of people (escalations reaching current holders, the
coalition's gaps, schools and teams told who left) follows from an import too.
What is refused is refused as a whole, with every reason at once: a person
the district already has, a principal or the only admin leaving, or a change
that leaves the district file inconsistent (a teacher leader moved away from
the school where they lead). Nothing is written then.
"""

from collections import Counter
from datetime import datetime

from ..district import Role, check_references
from ..errors import InvalidTransition
from . import commands as c
from . import events as ev
from .people import require_admin
from .state import RolloutState


def sync_roster(s: RolloutState, cmd: c.SyncRoster, now: datetime) -> list[ev.RolloutEvent]:
    require_admin(s, cmd.actor, "import the roster")
    problems = _problems(s, cmd)
    if problems:
        raise InvalidTransition("The roster import cannot be applied: " + "; ".join(problems) + ".")
    out: list[ev.RolloutEvent] = [ev.PersonAdded(at=now, by=cmd.actor, person=p) for p in cmd.added]
    out += [ev.RolesChanged(at=now, by=cmd.actor, person=p, was=s.district.person(p.id)) for p in cmd.changed]
    for person_id in cmd.left:
        out.append(ev.PersonLeft(at=now, by=cmd.actor, person_id=person_id, reason=f"not in {cmd.source}"))
        if person_id in s.coalition:
            out.append(ev.CoalitionMemberUnseated(at=now, by=cmd.actor, member=person_id))
    return out


def _problems(s: RolloutState, cmd: c.SyncRoster) -> list[str]:
    """Every reason at once. Who leaves is judged as one person leaving is (``people.person_leaves``): the
    district file's launch-time references to them are history, their current places are passed down; who
    joins or changes must leave the district file holding together, as ``people.change_roles`` requires."""
    d = s.district
    problems = [f"{p.id} is already on the staff list" for p in cmd.added if d.person(p.id) is not None]
    problems += [f"{i} is not on the staff list" for i in (*(p.id for p in cmd.changed), *cmd.left) if d.person(i) is None]
    named = Counter([*(p.id for p in cmd.added), *(p.id for p in cmd.changed), *cmd.left])
    problems += [f"{i} is named twice" for i in sorted(i for i, n in named.items() if n > 1)]
    problems += [f"{p.id}'s record would not change" for p in cmd.changed if d.person(p.id) == p]
    principals = {x.principal: x.name for x in d.schools}
    problems += [f"{i} leaves but is the principal of {principals[i]}: name a new principal there first"
                 for i in cmd.left if i in principals]
    changed = {p.id: p for p in cmd.changed}
    staying = [changed.get(p.id, p) for p in d.people if p.id not in cmd.left] + list(cmd.added)
    if not any(Role.DISTRICT_ADMIN in p.roles for p in staying):
        problems.append(f"{d.name} would have no district admin left")
    after = d.model_copy(update={"people": (*(changed.get(p.id, p) for p in d.people), *cmd.added)})
    known = set(check_references(d))
    return problems + [p for p in check_references(after) if p not in known]


def link_school(s: RolloutState, cmd: c.LinkSchool, now: datetime) -> list[ev.RolloutEvent]:
    require_admin(s, cmd.actor, "link a school to its org")
    school = s.district.school(cmd.school_id)
    if school is None:
        raise InvalidTransition(f"{s.district.name} has no school {cmd.school_id}.")
    taken = next((x for x in s.district.schools if x.sourced_id == cmd.sourced_id and x.school_id != cmd.school_id), None)
    if taken:
        raise InvalidTransition(f"{taken.name} is already linked to org {cmd.sourced_id}.")
    if school.sourced_id == cmd.sourced_id:
        raise InvalidTransition(f"{school.name} is already linked to org {cmd.sourced_id}.")
    return [ev.SchoolLinked(at=now, by=cmd.actor, school_id=cmd.school_id, sourced_id=cmd.sourced_id)]
