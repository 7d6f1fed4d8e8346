"""When a stalled step climbs the ladder next, and whom each rung reaches.

Everything counts school days on the district calendar, so a winter break or a
summer never escalates, and a rung only ever fires on a school day at the
policy's ``notify_at`` local time. A rung fires at the latest of: its offset
past the due date; the same gap after the rung below actually fired (so a
late start does not bunch the ladder up); the end of an acknowledgement or a
snooze. A paused team, a closed cycle, or a step with no due date never
escalates.
"""

from dataclasses import dataclass
from datetime import date, datetime

from .policy import LADDER, Rung
from .state import TeamState
from .team import TeamProfile


@dataclass(frozen=True)
class NextRung:
    rung: Rung
    on: date  # the school day it fires


def reached_by(rung: Rung, team: TeamProfile) -> tuple[str, ...]:
    """The people a rung notifies (DESIGN: team -> facilitator -> principal -> coalition)."""
    match rung:
        case Rung.TEAM:
            return tuple(team.members)
        case Rung.FACILITATOR:
            return (team.facilitator,)
        case Rung.PRINCIPAL:
            return (team.principal,)
        case Rung.COALITION:
            return tuple(team.coalition)


def next_rung(state: TeamState) -> NextRung | None:
    """The next rung to fire for the open step, ignoring the clock."""
    if state.paused or state.step is None or state.due_on is None or state.calendar is None:
        return None
    esc = state.escalation
    current = esc.level.index if esc else -1
    if current + 1 >= len(LADDER):
        return None
    rung = LADDER[current + 1]
    cal, policy = state.calendar, state.policy
    candidates = [cal.add_school_days(state.due_on, policy.offset(rung))]
    if esc:
        gap = policy.offset(rung) - policy.offset(esc.level)
        candidates.append(cal.add_school_days(esc.raised_on, gap))
        if esc.held_until:
            candidates.append(cal.next_school_day_on_or_after(esc.held_until))
    if any(c is None for c in candidates):
        return None  # beyond the calendar: nobody can say when school is in session
    return NextRung(rung, max(candidates))


def next_escalation_at(state: TeamState, now: datetime) -> datetime | None:
    """The instant the workflow should wake to raise the next rung, never on a closed day.

    If the rung is already overdue (a worker was down), wake now when today is
    a school day, else at the next school day's notify time.
    """
    upcoming = next_rung(state)
    if upcoming is None:
        return None
    cal, notify = state.calendar, state.policy.notify_at
    due = cal.at_local(upcoming.on, notify)
    if due > now:
        return due
    today = cal.local_date(now)
    if cal.is_school_day(today):
        return now
    following = cal.next_school_day_on_or_after(today)
    return cal.at_local(following, notify) if following else None


def rung_due(state: TeamState, now: datetime) -> Rung | None:
    """The rung to raise at ``now``, if any: due, and today is a school day."""
    upcoming = next_rung(state)
    if upcoming is None:
        return None
    cal = state.calendar
    if not cal.is_school_day(cal.local_date(now)):
        return None
    return upcoming.rung if cal.at_local(upcoming.on, state.policy.notify_at) <= now else None
