"""A calendar laid around whatever day the test server thinks it is.

The time-skipping server starts at the real current time, so fixed dates would
rot; this builds a school year that began a month ago, a two-week winter break
three weeks out, a summer, and a second year, and tests compute expectations
through the calendar's own arithmetic.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from domain.calendar import SchoolCalendar


@dataclass(frozen=True)
class Layout:
    calendar: SchoolCalendar
    winter_break: tuple[date, date]
    first_year_end: date
    second_year_start: date


def monday_on_or_after(d: date) -> date:
    return d + timedelta(days=(7 - d.weekday()) % 7)


def layout_around(today: date) -> Layout:
    start = today - timedelta(days=30)
    break_start = monday_on_or_after(today + timedelta(days=21))
    break_end = break_start + timedelta(days=11)  # Monday .. Friday of the following week
    year_end = break_start + timedelta(days=120)
    next_start = year_end + timedelta(days=70)
    cal = SchoolCalendar.model_validate(
        {
            "timezone": "America/Chicago",
            "school_years": [
                {"name": "year-1", "start": start.isoformat(), "end": year_end.isoformat()},
                {"name": "year-2", "start": next_start.isoformat(), "end": (next_start + timedelta(days=300)).isoformat()},
            ],
            "closed": [{"name": "Winter break", "start": break_start.isoformat(), "end": break_end.isoformat()}],
        }
    )
    return Layout(cal, (break_start, break_end), year_end, next_start)


@dataclass(frozen=True)
class Years:
    calendar: SchoolCalendar
    starts: tuple[date, ...]
    winter_breaks: tuple[tuple[date, date], ...]


def years_around(today: date, count: int = 4) -> Years:
    """``count`` school years, the first begun a month ago, each with a two-week winter break."""
    years, breaks, closed = [], [], []
    start = today - timedelta(days=30)
    for i in range(count):
        end = start + timedelta(days=290)
        b0 = monday_on_or_after(start + timedelta(days=110))
        b1 = b0 + timedelta(days=11)
        years.append({"name": f"year-{i + 1}", "start": start.isoformat(), "end": end.isoformat()})
        closed.append({"name": "Winter break", "start": b0.isoformat(), "end": b1.isoformat()})
        breaks.append((b0, b1))
        start = start + timedelta(days=365)
    cal = SchoolCalendar.model_validate({"timezone": "America/Chicago", "school_years": years, "closed": closed})
    return Years(cal, tuple(date.fromisoformat(y["start"]) for y in years), tuple(breaks))
