"""Terms: each school year's two halves, the rhythm of norms reviews and self-assessments."""

from dataclasses import dataclass
from datetime import date, timedelta

from ..calendar import SchoolCalendar


@dataclass(frozen=True)
class Term:
    name: str
    school_year: str
    start: date  # first school day
    end: date  # last school day


def terms(cal: SchoolCalendar) -> list[Term]:
    out = []
    for year in cal.school_years:
        first = cal.next_school_day_on_or_after(year.start)
        count = cal.school_days_between(year.start - timedelta(days=1), year.end)
        if first is None or count < 2:
            continue
        half = count // 2
        last_of_first = cal.add_school_days(first, half - 1)
        second = cal.add_school_days(last_of_first, 1)
        last = cal.add_school_days(first, count - 1)
        out += [Term(f"{year.name} term 1", year.name, first, last_of_first), Term(f"{year.name} term 2", year.name, second, last)]
    return out


def term_on(cal: SchoolCalendar, day: date) -> Term | None:
    """The term a day falls in, or the next one if the day is between terms (summer)."""
    for t in terms(cal):
        if day <= t.end:
            return t
    return None
