"""The school calendar every escalation clock counts on.

DESIGN: "Clocks count school days from the district calendar, so winter break
and summer do not escalate." A school day is inside a school year, not a
weekend day, and not closed. The days are listed once per calendar and searched
with bisect, because a multi-year workflow asks on every state change.

Pure: no clock is read here; instants and dates come in as arguments.
"""

from bisect import bisect_left, bisect_right
from functools import lru_cache
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from .shared import shared
from .text import folded, text
from .validation import parse_model, rule_violations

MAX_YEAR_DAYS = 366  # a year-round school still fits; a typo like 2207 does not


class NamedTerm(BaseModel):
    """A term the district names itself ("Fall 2026"), first and last day inclusive; without any,
    each school year's two halves are its terms (``domain.school.terms``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: text(40)
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> "NamedTerm":
        if self.end < self.start:
            raise rule_violations("NamedTerm", [(("end",), f"must not be before start ({self.start})", self.end.isoformat())])
        return self


class SchoolYear(BaseModel):
    """One school year, first and last day inclusive. Days between years are summer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: text(40)
    start: date
    end: date
    terms: list[NamedTerm] = Field(default_factory=list, max_length=6)

    @model_validator(mode="after")
    def _ordered(self) -> "SchoolYear":
        if self.end < self.start:
            raise rule_violations("SchoolYear", [(("end",), f"must not be before start ({self.start})", self.end.isoformat())])
        if (self.end - self.start).days >= MAX_YEAR_DAYS:
            raise rule_violations("SchoolYear", [(("end",), f"a school year lasts at most {MAX_YEAR_DAYS} days (start {self.start})", self.end.isoformat())])
        return self


class ClosedDays(BaseModel):
    """A holiday (one day, end omitted) or a break (an inclusive range): these never count."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: text(80)
    start: date
    end: date | None = None

    @property
    def last(self) -> date:
        return self.end or self.start

    @model_validator(mode="after")
    def _ordered(self) -> "ClosedDays":
        if self.end is not None and self.end < self.start:
            raise rule_violations("ClosedDays", [(("end",), f"must not be before start ({self.start})", self.end.isoformat())])
        return self


class OpenedDay(BaseModel):
    """A day that is a school day although a weekend or a closure says otherwise: a make-up day
    (issue 9, "Calendars change": "a make-up Saturday opened counts as a school day")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: text(80)
    on: date


@lru_cache(maxsize=256)
def _school_days_of(years: tuple[tuple[date, date], ...], closed_spans: tuple[tuple[date, date], ...],
                    weekend: frozenset[int], opened: frozenset[date]) -> tuple[date, ...]:
    """A calendar's school days, computed once per distinct calendar in a process.

    Issue 13: every team of a district carries the same calendar, and each copy the worker decoded
    (every start, every replay) listed its ~200 days again and kept its own tuple of them; one tuple
    is shared now. Pure: the same arguments, the same days.
    """
    closed: set[date] = set()
    for start, last in closed_spans:
        closed.update(start + timedelta(days=i) for i in range((last - start).days + 1))
    days = []
    for start, end in years:
        for i in range((end - start).days + 1):
            d = start + timedelta(days=i)
            if d in opened or (d.weekday() not in weekend and d not in closed):  # a make-up day overrides all
                days.append(d)
    return tuple(days)


class SchoolCalendar(BaseModel):
    """A district's school years, closed days and weekend, in its own time zone."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str
    school_years: Annotated[list[SchoolYear], Field(min_length=1, max_length=20)]
    closed: list[ClosedDays] = Field(default_factory=list, max_length=1000)
    weekend: list[Annotated[int, Field(ge=0, le=6)]] = Field(default_factory=lambda: [5, 6])
    opened: list[OpenedDay] = Field(default_factory=list, max_length=366)

    # Every school day, sorted: built once, so each question is one bisect.
    _days: tuple[date, ...] = PrivateAttr(default=())

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as America/Chicago)") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "SchoolCalendar":
        problems: list[tuple[tuple[str | int, ...], str, Any]] = []
        years = self.school_years
        for i in range(1, len(years)):
            prev, year = years[i - 1], years[i]
            if year.start <= prev.end:
                problems.append((("school_years", i, "start"), f"school year {year.name!r} must start after {prev.name!r} ends ({prev.end})", year.start.isoformat()))
        seen: dict[str, int] = {}
        for i, year in enumerate(years):
            if year.name in seen:
                problems.append((("school_years", i, "name"), f"{year.name!r} is already the name of school_years[{seen[year.name]}]", year.name))
            seen.setdefault(year.name, i)
        problems += _term_problems(years)
        for i, c in enumerate(self.closed):
            home = next((y for y in years if y.start <= c.start <= y.end), None)
            if home is None:
                problems.append((("closed", i, "start"), f"{c.name!r} ({c.start}) is not inside any school year", c.start.isoformat()))
            elif c.last > home.end:
                problems.append((("closed", i, "end"), f"{c.name!r} runs past the end of school year {home.name!r} ({home.end})", c.last.isoformat()))
        for i, o in enumerate(self.opened):
            if not any(y.start <= o.on <= y.end for y in years):
                problems.append((("opened", i, "on"), f"{o.name!r} ({o.on}) is not inside any school year", o.on.isoformat()))
        if len(set(self.weekend)) != len(self.weekend):
            problems.append((("weekend",), "lists a day more than once", list(self.weekend)))
        if len(set(self.weekend)) == 7:
            problems.append((("weekend",), "closes every day of the week, leaving no school days", list(self.weekend)))
        if problems:
            raise rule_violations("SchoolCalendar", problems)
        return self

    def model_post_init(self, _context: Any) -> None:
        # Runs after validation, so years are sorted, bounded and closed days lie inside them.
        self._days = _school_days_of(
            tuple((y.start, y.end) for y in self.school_years), tuple((c.start, c.last) for c in self.closed),
            frozenset(self.weekend), frozenset(o.on for o in self.opened),
        )

    def _school_days(self) -> tuple[date, ...]:
        # Read from the private slot itself: ``self._days`` goes through pydantic's ``__getattr__``, which
        # cost more than the bisect it serves (issue 12: a simulated year asks this a million times).
        return self.__pydantic_private__["_days"]

    @property
    def school_days(self) -> tuple[date, ...]:
        return self._school_days()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances by key

    def is_school_day(self, d: date) -> bool:
        days = self._school_days()
        i = bisect_left(days, d)
        return i < len(days) and days[i] == d

    def next_school_day_on_or_after(self, d: date) -> date | None:
        """d itself if school is open, else the next open day; None past the last school year."""
        days = self._school_days()
        i = bisect_left(days, d)
        return days[i] if i < len(days) else None

    def last_school_day_on_or_before(self, d: date) -> date | None:
        days = self._school_days()
        i = bisect_right(days, d)
        return days[i - 1] if i else None

    def add_school_days(self, d: date, n: int) -> date | None:
        """The n-th school day strictly after d (n = 0: d itself if open, else the next one).

        None when the answer lies beyond the calendar: a deadline the district
        has not scheduled yet, never a guess that counts summer.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return self.next_school_day_on_or_after(d)
        days = self._school_days()
        i = bisect_right(days, d) + n - 1
        return days[i] if i < len(days) else None

    def school_days_between(self, start: date, end: date) -> int:
        """School days d with start < d <= end (0 when end <= start): how long a clock has run."""
        if end <= start:
            return 0
        days = self._school_days()
        return bisect_right(days, end) - bisect_right(days, start)

    def local_date(self, instant: datetime) -> date:
        """The district's calendar date at an instant (an evening in California is already tomorrow in UTC)."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("instant must be timezone-aware")
        return instant.astimezone(self.zone).date()

    def at_local(self, d: date, t: time) -> datetime:
        """The UTC instant of local wall time t on d, with that day's DST offset.

        A wall time skipped by spring-forward resolves PEP 495-style (fold=0: the
        pre-transition offset, so 02:30 becomes 03:30 local); a repeated one takes its first occurrence.
        The caller's ``fold`` is ignored: with fold=1 a skipped midnight (Santiago's spring-forward)
        would resolve to 23:00 of the day before, off its own date.
        """
        return datetime.combine(d, t.replace(fold=0), tzinfo=self.zone).astimezone(UTC)


# A calendar field a team decodes: every team of a district then holds the district's one instance (issue 13).
SharedCalendar = Annotated[SchoolCalendar, AfterValidator(shared)]


def _term_problems(years: list[SchoolYear]) -> list[tuple[tuple[str | int, ...], str, Any]]:
    """Named terms lie inside their year, in order, and no two in the calendar share a name
    (a learning plan names its terms: issue 8, defect 7)."""
    problems: list[tuple[tuple[str | int, ...], str, Any]] = []
    seen: dict[str, str] = {}
    for i, year in enumerate(years):
        for j, t in enumerate(year.terms):
            at = ("school_years", i, "terms", j)
            if t.start < year.start or t.end > year.end:
                problems.append(((*at, "start"), f"term {t.name!r} must lie inside school year {year.name!r} ({year.start} to {year.end})", t.start.isoformat()))
            if j and t.start <= year.terms[j - 1].end:
                problems.append(((*at, "start"), f"term {t.name!r} must start after {year.terms[j - 1].name!r} ends ({year.terms[j - 1].end})", t.start.isoformat()))
            key = folded(t.name)
            if key in seen:
                problems.append(((*at, "name"), f"{t.name!r} is already the name of a term in {seen[key]}; give each term its own name", t.name))
            seen.setdefault(key, year.name)
    return problems


def parse_calendar(data: Any) -> SchoolCalendar:
    """Validate a calendar file's contents; InvalidConfiguration("calendar", ...) lists every problem."""
    return parse_model(SchoolCalendar, data, "calendar")


def school_year_of(cal: SchoolCalendar, day: date) -> SchoolYear | None:
    """The school year a day belongs to; a summer belongs to the year just ended."""
    started = [y for y in cal.school_years if y.start <= day]
    return started[-1] if started else None


def next_school_year(cal: SchoolCalendar, day: date) -> SchoolYear | None:
    return next((y for y in cal.school_years if y.start > day), None)
