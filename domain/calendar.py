"""The school calendar every escalation clock counts on.

DESIGN: "Clocks count school days from the district calendar, so winter break
and summer do not escalate." A school day is inside a school year, not a
weekend day, and not closed. The days are computed once per calendar and
searched with bisect, because a multi-year workflow asks on every change.
"""

from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from .validation import parse_model


class SchoolYear(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=40)]
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> "SchoolYear":
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) must not be before start ({self.start})")
        return self


class ClosedDays(BaseModel):
    """A holiday (one day) or a break (an inclusive range)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=80)]
    start: date
    end: date | None = None

    @property
    def last(self) -> date:
        return self.end or self.start

    @model_validator(mode="after")
    def _ordered(self) -> "ClosedDays":
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) must not be before start ({self.start})")
        return self


class SchoolCalendar(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str
    school_years: Annotated[list[SchoolYear], Field(min_length=1, max_length=20)]
    closed: list[ClosedDays] = Field(default_factory=list, max_length=1000)
    weekend: list[Annotated[int, Field(ge=0, le=6)]] = Field(default_factory=lambda: [5, 6])

    _days: tuple[date, ...] = PrivateAttr(default=())

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as America/Chicago)") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "SchoolCalendar":
        problems = []
        for prev, year in zip(self.school_years, self.school_years[1:]):
            if year.start <= prev.end:
                problems.append(f"school year {year.name} must start after {prev.name} ends ({prev.end})")
        for c in self.closed:
            if not any(y.start <= c.start and c.last <= y.end for y in self.school_years):
                problems.append(f"closed days {c.name!r} ({c.start}..{c.last}) fall outside every school year")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def model_post_init(self, _context: Any) -> None:
        closed = set()
        for c in self.closed:
            closed.update(c.start + timedelta(days=i) for i in range((c.last - c.start).days + 1))
        weekend = set(self.weekend)
        days = []
        for y in self.school_years:
            d = y.start
            while d <= y.end:
                if d.weekday() not in weekend and d not in closed:
                    days.append(d)
                d += timedelta(days=1)
        self._days = tuple(days)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_school_day(self, d: date) -> bool:
        i = bisect_left(self._days, d)
        return i < len(self._days) and self._days[i] == d

    def next_school_day_on_or_after(self, d: date) -> date | None:
        i = bisect_left(self._days, d)
        return self._days[i] if i < len(self._days) else None

    def last_school_day_on_or_before(self, d: date) -> date | None:
        i = bisect_right(self._days, d)
        return self._days[i - 1] if i else None

    def add_school_days(self, d: date, n: int) -> date | None:
        """The n-th school day strictly after d (n = 0: d itself if open, else the next one)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return self.next_school_day_on_or_after(d)
        i = bisect_right(self._days, d) + n - 1
        return self._days[i] if i < len(self._days) else None

    def school_days_between(self, start: date, end: date) -> int:
        """School days d with start < d <= end."""
        if end <= start:
            return 0
        return bisect_right(self._days, end) - bisect_right(self._days, start)

    def local_date(self, instant: datetime) -> date:
        if instant.tzinfo is None:
            raise ValueError("instant must be timezone-aware")
        return instant.astimezone(self.zone).date()

    def at_local(self, d: date, t: time) -> datetime:
        """The UTC instant of wall time t on d in the district's zone."""
        from datetime import UTC

        return datetime.combine(d, t, tzinfo=self.zone).astimezone(UTC)


def parse_calendar(data: Any) -> SchoolCalendar:
    return parse_model(SchoolCalendar, data, "calendar")


def school_year_of(cal: SchoolCalendar, day: date) -> SchoolYear | None:
    """The school year a day belongs to; a summer belongs to the year just ended."""
    started = [y for y in cal.school_years if y.start <= day]
    return started[-1] if started else None


def next_school_year(cal: SchoolCalendar, day: date) -> SchoolYear | None:
    return next((y for y in cal.school_years if y.start > day), None)
