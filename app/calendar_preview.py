"""What a calendar change would do, before it is applied (issue 9: "Dry run by default").

The district's own decider decides the change on the district's queried state
(a refusal raises its sentence); each school's and team's decider then carries
its clocks across, exactly as their workflows will. Nothing is sent.
"""

from dataclasses import dataclass
from datetime import date, datetime

from domain.calendar import SchoolCalendar
from domain.calendar_change import DayShift, day_shift
from domain.escalation import watch as team_watch
from domain.ladder import Watch, next_rung
from domain.rollout.decider import decide as decide_rollout
from domain.rollout.decider import watch as rollout_watch
from domain.rollout.state import RolloutState
from domain.rollout.state import evolve as evolve_rollout
from domain.school import commands as m
from domain.school.decider import decide as decide_school
from domain.school.decider import watches as school_watches
from domain.school.state import SchoolState
from domain.school.state import evolve as evolve_school
from domain.team import commands as cmd
from domain.team.decider import decide as decide_team
from domain.team.state import TeamState
from domain.team.state import evolve as evolve_team


@dataclass(frozen=True)
class Move:
    where: str  # "district", "school <id>", "team <id>"
    what: str  # "phase due date", "next rung (principal)", ...
    before: date | None
    after: date | None
    school_days: int | None  # counted on the new calendar; None when one side is beyond it


@dataclass(frozen=True)
class Preview:
    calendar: SchoolCalendar
    days: DayShift
    moves: list[Move]


def _shift(cal: SchoolCalendar, before: date | None, after: date | None) -> int | None:
    if before is None or after is None:
        return None
    return cal.school_days_between(before, after) if after >= before else -cal.school_days_between(after, before)


def _rung(w: Watch | None) -> tuple[str, date] | None:
    upcoming = next_rung(w) if w else None
    return (upcoming.rung.value, upcoming.on) if upcoming else None


def _compare(where: str, new: SchoolCalendar, pairs: list[tuple[str, date | None, date | None]]) -> list[Move]:
    return [Move(where, what, b, a, _shift(new, b, a)) for what, b, a in pairs if b != a]


def _rung_pairs(before: tuple[str, date] | None, after: tuple[str, date] | None, label: str = "") -> list:
    if before is None and after is None:
        return []
    rung = (before or after)[0]
    return [(f"{label}next rung ({rung})", before[1] if before else None, after[1] if after else None)]


def _fold(evolve, state, events):
    for e in events:
        state = evolve(state, e)
    return state


def preview(district: RolloutState, schools: list[SchoolState], teams: list[TeamState], command, now: datetime) -> Preview:
    """Decide the change on the district (raises its refusal), then carry every school's and team's clocks across."""
    events = decide_rollout(district, command, now)
    after = _fold(evolve_rollout, district, events)
    new = after.calendar
    moves = _compare("district", new, [("phase due date", district.due_on, after.due_on),
                                       *_rung_pairs(_rung(rollout_watch(district)), _rung(rollout_watch(after)))])
    for s in schools:
        moved = _fold(evolve_school, s, decide_school(s, m.ChangeCalendar(actor=command.actor, calendar=new), now))
        pairs = [("norms review due", s.norms_due_on, moved.norms_due_on),
                 ("self-assessment due", s.assessment_due_on, moved.assessment_due_on)]
        before_w, after_w = school_watches(s), school_watches(moved)
        for subject in sorted(before_w):
            pairs += _rung_pairs(_rung(before_w[subject]), _rung(after_w.get(subject)), f"{subject}: ")
        moves += _compare(f"school {s.school.school_id}", new, pairs)
    for t in teams:
        moved = _fold(evolve_team, t, decide_team(t, cmd.ChangeCalendar(actor=command.actor, calendar=new), now))
        pairs = [("step due date", t.due_on, moved.due_on), *_rung_pairs(_rung(team_watch(t)), _rung(team_watch(moved)))]
        moves += _compare(f"team {t.team.team_id}", new, pairs)
    return Preview(new, day_shift(district.calendar, new, district.calendar.local_date(now)), moves)


async def queried_states(clients, district_id: str) -> tuple[RolloutState, list[SchoolState], list[TeamState]]:
    """The district's state, and its started schools' and their started teams' states, as ``preview`` takes them.

    ``clients``: anything with ``districts`` and ``teams`` clients (the CLI's ``Clients``, the web's ``Runtime``),
    so ``plcflow calendar`` and the district admin's calendar page (issue 11) preview from the same queries.
    """
    status = await clients.districts.status(district_id)
    schools = [(await clients.districts.school_status(s)) for s in status.schools_started]
    teams = [(await clients.teams.status(t)).state for s in schools for t in s.started_teams]
    return status.state, [s.state for s in schools], teams
