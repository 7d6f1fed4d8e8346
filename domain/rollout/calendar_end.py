"""The end of the calendar: no clock may stop silently (issue 9, "Calendars change").

Every clock counts school days, and the calendar has a last one. Starting 20
school days before it, while no later calendar is published, the district
admin hears of it on the district's ladder (district admin -> coalition):
"the 2028-29 calendar is not published; 12 teams' clocks stop on 2028-06-09".
Publishing a calendar that reaches further resolves it, and the stopped clocks
resume by the rule of ``domain.calendar_change``.
"""

from datetime import date, datetime

from .. import ladder
from ..calendar import SchoolCalendar
from ..ladder import Rung, Watch, fresh_escalation_ids
from . import events as ev
from .launch import wanted_schools
from .state import RolloutState

WARN_SCHOOL_DAYS = 20


def last_day(cal: SchoolCalendar) -> date | None:
    return cal.school_days[-1] if cal.school_days else None


def _warning_due(s: RolloutState) -> date | None:
    """The due date whose first rung (the district admin) lands 20 school days before the last school day."""
    days = s.calendar.school_days
    if not days:
        return None
    return days[max(len(days) - 1 - WARN_SCHOOL_DAYS - s.policy.offset(Rung.DISTRICT_ADMIN), 0)]


def watch(s: RolloutState) -> Watch | None:
    if s.calendar is None or s.district is None:
        return None
    return Watch(s.calendar, s.policy, _warning_due(s), s.calendar_end)


def running_teams(s: RolloutState) -> int:
    """Teams the launched waves started: a schoolwide school's every team, a pilot school's named volunteers."""
    pilots = {t for w in s.launched_waves if w.kind == "pilot" for t in w.pilot_team_ids}
    count = 0
    for school_id, mode in wanted_schools(s).items():
        teams = [t.team_id for t in s.district.school(school_id).teams]
        count += len(teams) if mode == "schoolwide" else len([t for t in teams if t in pilots])
    return count


def next_year_name(cal: SchoolCalendar) -> str:
    end = cal.school_years[-1].end
    return f"{end.year}-{(end.year + 1) % 100:02d}"


def raise_due(s: RolloutState, now: datetime, reached_by) -> list[ev.RolloutEvent]:
    """The clock's part: the next rung of the calendar-end escalation, when it is due today."""
    rung = ladder.rung_due(watch(s), now)
    if rung is None:
        return []
    open_ids = [e.id for e in (s.escalation, s.calendar_end) if e]
    esc_id = s.calendar_end.id if s.calendar_end else next(fresh_escalation_ids(s.district.district_id, s.escalations_raised, open_ids))
    last = last_day(s.calendar)
    reason = f"the {next_year_name(s.calendar)} calendar is not published; {running_teams(s)} teams' clocks stop on {last}"
    return [ev.CalendarEndEscalationRaised(at=now, escalation_id=esc_id, level=rung, reached=reached_by(s, rung),
                                           reason=reason, on=s.calendar.local_date(now), last_day=last)]


def resolved_by(s: RolloutState, new: SchoolCalendar, now: datetime) -> list[ev.RolloutEvent]:
    """A calendar that reaches past the warned last day resolves the escalation."""
    if s.calendar_end is None or (last_day(new) or date.min) <= s.calendar_end.last_day:
        return []
    why = f"a calendar reaching {last_day(new)} was published"
    return [ev.CalendarEndEscalationResolved(at=now, escalation_id=s.calendar_end.id, why=why)]
