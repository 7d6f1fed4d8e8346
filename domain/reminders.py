"""When a step's reminders go out (issue 10: "Reminders before an escalation").

The team's members are reminded N school days before a step is due and on its
due day (the team policy's ``remind_school_days_before_due``, default 1 and 0,
the bar DESIGN sets from KickUp: "1 school day before, on the due date"). A
reminder's day is counted on the district's school days, so a step due on a
Monday is reminded on the Friday before (or before a break), and it goes out
only within the district's send hours (``domain.notice_hours``): never on a
closed day, never before ``notify_at``. A reminder whose day has passed is not
sent late: by then the next one, or the escalation ladder, speaks instead.

Pure: the caller gives the district's send hours, the due date and the instant.
"""

from collections.abc import Iterable
from datetime import date, datetime

from .notice_hours import NoticeHours


def reminders_due(hours: NoticeHours, due_on: date | None, days_before: Iterable[int], now: datetime) -> tuple[int, ...]:
    """Which of a step's reminders (school days before its due date) are due at ``now``, in the order given.

    A step with no due date (beyond the published calendar) has none; outside the send hours none is due.
    """
    if due_on is None or hours.open_at(now) != now:
        return ()
    today = hours.local_date(now)
    return tuple(n for n in days_before if hours.school_days_before(due_on, n) == today)

