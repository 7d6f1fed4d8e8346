"""The district's people over the years (issue 9): who works here, in which roles, who sits on the coalition.

The district admins decide these (they own the staff list, as they wrote the
district file). What follows is decided here too: a change must leave the
district holding together as the district file's checks see it (only problems
the change itself introduces are refused, so a district that drifted can still
be mended); a person who leaves is kept in the log and unseated; the rollout's
open escalation reaches the current holders of its rungs; and once the
coalition's phase has passed, a coalition that stops being representative
(seed 001, ``coalition_gaps``) raises an escalation to the admins naming the
missing seat, which never undoes the phase.
"""

from collections.abc import Callable
from datetime import datetime

from .. import ladder
from ..district import District, Person, check_references
from ..errors import InvalidTransition, NotAllowed
from ..limits import MAX_COALITION
from ..ladder import Rung
from ..school.commands import ApplyDistrictRoster
from . import commands as c
from . import events as ev
from .gates import coalition_gaps
from .phases import Phase
from .policy import DISTRICT_LADDER
from .state import RolloutState, evolve


def require_admin(s: RolloutState, actor: str, doing: str) -> None:
    """The one rule for what only a district admin may do (the people, the calendar, the rollout's gates)."""
    if actor not in s.district.admins:
        raise NotAllowed(f"Only a district admin of {s.district.name} can {doing}; {actor} is not one.")


def _known(s: RolloutState, person_id: str) -> Person:
    person = s.district.person(person_id)
    if person is None:
        raise InvalidTransition(f"{person_id} is not on the staff list of {s.district.name}.")
    return person


def _holds_together(before: District, people: tuple[Person, ...]) -> None:
    after = before.model_copy(update={"people": people})
    new = [p for p in check_references(after) if p not in set(check_references(before))]
    if new:
        raise InvalidTransition("The staff list would not hold together: " + "; ".join(new) + ".")


def add_person(s: RolloutState, cmd: c.AddPerson, now: datetime) -> list[ev.RolloutEvent]:
    require_admin(s, cmd.actor, "add a person")
    if s.district.person(cmd.person.id) is not None:
        raise InvalidTransition(f"{cmd.person.id} is already on the staff list of {s.district.name}.")
    _holds_together(s.district, (*s.district.people, cmd.person))
    return [ev.PersonAdded(at=now, by=cmd.actor, person=cmd.person)]


def change_roles(s: RolloutState, cmd: c.ChangeRoles, now: datetime) -> list[ev.RolloutEvent]:
    require_admin(s, cmd.actor, "change a person's roles")
    was = _known(s, cmd.person_id)
    person = was.model_copy(update={"roles": tuple(dict.fromkeys(cmd.roles)), "school": cmd.school, "department": cmd.department,
                                    "supervises": cmd.supervises})
    if person == was:
        raise InvalidTransition(f"{was.id} already has exactly these roles.")
    _holds_together(s.district, tuple(person if p.id == was.id else p for p in s.district.people))
    return [ev.RolesChanged(at=now, by=cmd.actor, person=person, was=was)]


def person_leaves(s: RolloutState, cmd: c.PersonLeaves, now: datetime) -> list[ev.RolloutEvent]:
    require_admin(s, cmd.actor, "record that someone left")
    person = _known(s, cmd.person_id)
    if person.id in s.district.admins and len(s.district.admins) == 1:
        raise InvalidTransition(f"{person.id} is the only district admin of {s.district.name}; add another first.")
    led = [x.name for x in s.district.schools if x.principal == person.id]
    if led:
        raise InvalidTransition(f"{person.id} is the principal of {' and '.join(led)}; name a new principal there first.")
    out: list[ev.RolloutEvent] = [ev.PersonLeft(at=now, by=cmd.actor, person_id=person.id, reason=cmd.reason)]
    if person.id in s.coalition:
        out.append(ev.CoalitionMemberUnseated(at=now, by=cmd.actor, member=person.id))
    return out


def seat_member(s: RolloutState, cmd: c.SeatCoalitionMember, now: datetime) -> list[ev.RolloutEvent]:
    require_admin(s, cmd.actor, "seat a coalition member")
    _known(s, cmd.member)
    if cmd.member in s.coalition:
        raise InvalidTransition(f"{cmd.member} already sits on the guiding coalition.")
    if len(s.coalition) >= MAX_COALITION:
        raise InvalidTransition(f"A guiding coalition has at most {MAX_COALITION} members.")
    return [ev.CoalitionMemberSeated(at=now, by=cmd.actor, member=cmd.member)]


def unseat_member(s: RolloutState, cmd: c.UnseatCoalitionMember, now: datetime) -> list[ev.RolloutEvent]:
    require_admin(s, cmd.actor, "unseat a coalition member")
    if cmd.member not in s.coalition:
        raise InvalidTransition(f"{cmd.member} does not sit on the guiding coalition.")
    if len(s.coalition) == 1:
        raise InvalidTransition(f"{cmd.member} is the last member of the guiding coalition; seat another first.")
    return [ev.CoalitionMemberUnseated(at=now, by=cmd.actor, member=cmd.member)]


def record_school_principal(s: RolloutState, cmd: c.RecordSchoolPrincipal, now: datetime) -> list[ev.RolloutEvent]:
    """Validated at the school, which owns its principal; a repeat decides nothing."""
    school = s.district.school(cmd.school_id)
    if school is None:
        raise InvalidTransition(f"{s.district.name} has no school {cmd.school_id}.")
    if school.principal == cmd.principal:
        return []
    return [ev.SchoolPrincipalRecorded(at=now, by=cmd.actor, school_id=school.school_id, principal=cmd.principal)]


def followed(change: Callable, reached_by: Callable) -> Callable:
    """A change of people, then what follows from the district it leaves."""

    def handle(s: RolloutState, cmd, now: datetime) -> list[ev.RolloutEvent]:
        events = change(s, cmd, now)
        after = s
        for e in events:
            after = evolve(after, e)
        return events + _reassigned(after, now, reached_by) + _coalition_gap(after, now)

    return handle


def _reassigned(s: RolloutState, now: datetime, reached_by: Callable) -> list[ev.RolloutEvent]:
    esc = s.escalation
    if esc is None:
        return []
    reached: tuple[str, ...] = ()
    for rung in DISTRICT_LADDER[: DISTRICT_LADDER.index(esc.level) + 1]:
        reached = ladder.merge_reached(reached, reached_by(s, rung))
    if reached == esc.reached:
        return []
    return [ev.RolloutEscalationReassigned(
        at=now, escalation_id=esc.id, reached=reached, why=f"the people of {s.district.name} changed",
        newly_reached=tuple(r for r in reached if r not in esc.reached), no_longer=tuple(r for r in esc.reached if r not in reached),
    )]


def _coalition_gap(s: RolloutState, now: datetime) -> list[ev.RolloutEvent]:
    if Phase.FORM_COALITION not in s.completed:
        return []  # while the coalition is still being formed, its gaps are that phase's own work
    missing = tuple(coalition_gaps(s.district, s.coalition))
    open_gap = s.coalition_gap
    if not missing:
        return [ev.CoalitionGapResolved(at=now, escalation_id=open_gap.id, why="the coalition is representative again")] if open_gap else []
    reason = f"The guiding coalition of {s.district.name} is no longer representative: it needs {', '.join(missing)}."
    if open_gap and open_gap.reason == reason and open_gap.reached == s.district.admins:
        return []
    open_ids = [x.id for x in (s.escalation, open_gap) if x]
    esc_id = open_gap.id if open_gap else next(ladder.fresh_escalation_ids(s.district.district_id, s.escalations_raised, open_ids))
    return [ev.CoalitionGapRaised(at=now, escalation_id=esc_id, level=Rung.DISTRICT_ADMIN, reached=s.district.admins,
                                  reason=reason, on=s.calendar.local_date(now), missing=missing)]


_RESEATED = (ev.CoalitionSeated, ev.CoalitionMemberSeated, ev.CoalitionMemberUnseated)


def school_changes(s: RolloutState, events) -> list[ApplyDistrictRoster]:
    """What the district's started schools must learn from these events (their teams learn it from them)."""
    left = [e for e in events if isinstance(e, ev.PersonLeft)]
    out = [ApplyDistrictRoster(actor=left[0].by, left=tuple(e.person_id for e in left))] if left else []  # one signal
    reseated = [e for e in events if isinstance(e, _RESEATED)]
    if reseated and s.coalition:
        out.append(ApplyDistrictRoster(actor=reseated[-1].by, coalition=s.coalition))
    return out


def on_school_started(s: RolloutState) -> list[ApplyDistrictRoster]:
    """A school launched after people left opens from the district file's school: tell it who is gone."""
    return [ApplyDistrictRoster(actor="plcflow", left=s.departed)] if s.departed else []
