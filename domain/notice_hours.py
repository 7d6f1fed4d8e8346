"""When a district's notices may go out: its send hours (issue 10).

Nothing is sent on a closed day (weekend, break, holiday, summer): a notice
due then goes out at the district's ``notify_at`` on its next school day. On a
school day the send hours open at ``notify_at`` and last to midnight, so a
notice written overnight waits for the morning, like the escalations
themselves (``domain.ladder``: rungs fire at ``notify_at`` on school days).

The notifier's reminders and digests are scheduled on the same days: a reminder
N school days before a due date, a digest on the first school day of a week.
Pure: the caller gives the instant, the zone, the time and the open days.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class NoticeHours:
    """A district's school days (local dates), time zone and ``notify_at``."""

    zone: ZoneInfo
    notify_at: time
    days: tuple[date, ...] = field(default=())

    @classmethod
    def of(cls, timezone: str, notify_at: time, days: Iterable[date]) -> "NoticeHours":
        return cls(ZoneInfo(timezone), notify_at, tuple(sorted(set(days))))

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def at_notify(self, d: date) -> datetime:
        """``notify_at`` local wall time on d, as a UTC instant (a skipped wall time moves forward, PEP 495 fold=0)."""
        return datetime.combine(d, self.notify_at.replace(fold=0), tzinfo=self.zone).astimezone(UTC)

    def is_school_day(self, d: date) -> bool:
        i = bisect_left(self.days, d)
        return i < len(self.days) and self.days[i] == d

    def next_school_day_after(self, d: date) -> date | None:
        i = bisect_right(self.days, d)
        return self.days[i] if i < len(self.days) else None

    def open_at(self, now: datetime) -> datetime | None:
        """The first instant at or after ``now`` a notice may go out; None if no school day is known after now.

        A school day from its ``notify_at`` on: now. Earlier that day: its ``notify_at``. A closed day: the next
        school day's ``notify_at``. Past the last known school day (summer before next year's calendar is
        published) there is no answer yet: the caller holds the notice and asks again later.
        """
        today = self.local_date(now)
        if self.is_school_day(today):
            opens = self.at_notify(today)
            if now >= opens:
                return now
            return opens
        following = self.next_school_day_after(today)
        return self.at_notify(following) if following else None

    def school_days_before(self, d: date, n: int) -> date | None:
        """The school day n school days before d (n = 0: d itself if open); None before the first known day."""
        if n < 0:
            raise ValueError("n must be >= 0")
        i = bisect_left(self.days, d)
        if n == 0:
            return d if self.is_school_day(d) else None
        j = i - n
        return self.days[j] if j >= 0 else None

    def first_school_day_of_week(self, d: date) -> date | None:
        """The first school day of d's ISO week (Monday-based); None if the week has none."""
        monday = d - timedelta(days=d.weekday())
        i = bisect_left(self.days, monday)
        return self.days[i] if i < len(self.days) and self.days[i] < monday + timedelta(days=7) else None
