"""A district admin changes the calendar: the rollout's own clock is carried across (issue 9, "Calendars change").

The rule is ``domain.calendar_change``: elapsed school days stay elapsed; what
remains of the phase's due date, or of a hold on its escalation, is counted on
the new calendar. Schools and teams receive the new calendar from the workflow.
"""

from datetime import datetime

from ..calendar_change import closed_on, opened_on, published, rebase
from . import commands as c
from .calendar_end import resolved_by
from . import events as ev
from .people import require_admin
from .state import RolloutState


def _calendar_changed(s: RolloutState, cmd, now: datetime, change: str, new) -> list[ev.RolloutEvent]:
    """Issue 9: elapsed school days stay elapsed; the phase's due date and a hold keep what remains of them."""
    today = s.calendar.local_date(now)
    held = s.escalation.held_until if s.escalation else None
    return [ev.DistrictCalendarChanged(
        at=now, by=cmd.actor, change=change, on=getattr(cmd, "on", None), reason=getattr(cmd, "reason", ""),
        calendar=new, due_on=_due_on(s, new, today), held_until=rebase(s.calendar, new, today, held),
    ), *resolved_by(s, new, now)]


def _due_on(s: RolloutState, new, today):
    """What remains of the phase's due date, on the new calendar; a phase whose clock stopped at the end of the
    old calendar (its school days ran past the last one) gets one, counted from the day it opened (issue 9)."""
    if s.due_on is None and s.phase is not None and s.phase not in s.completed:
        return new.add_school_days(s.phase_opened_on or today, s.policy.due_school_days[s.phase])
    return rebase(s.calendar, new, today, s.due_on)


def publish(s: RolloutState, cmd: c.PublishCalendar, now: datetime):
    require_admin(s, cmd.actor, "publish the calendar")
    return _calendar_changed(s, cmd, now, "published", published(s.calendar, cmd.calendar, s.calendar.local_date(now)))


def close_day(s: RolloutState, cmd: c.CloseSchoolDay, now: datetime):
    require_admin(s, cmd.actor, "close a school day")
    return _calendar_changed(s, cmd, now, "closed", closed_on(s.calendar, cmd.on, cmd.reason, s.calendar.local_date(now)))


def open_day(s: RolloutState, cmd: c.OpenSchoolDay, now: datetime):
    require_admin(s, cmd.actor, "open a school day")
    return _calendar_changed(s, cmd, now, "opened", opened_on(s.calendar, cmd.on, cmd.reason, s.calendar.local_date(now)))
