"""Terms: the rhythm of norms reviews and self-assessments, and what a learning plan is spread across.

A school year's terms are the ones the calendar names (``SchoolYear.terms``);
a year that names none has two, its halves ("2026-27 term 1" and "term 2").
"""

from dataclasses import dataclass
from datetime import date, timedelta

from ..calendar import SchoolCalendar, SchoolYear
from ..text import folded


@dataclass(frozen=True)
class Term:
    name: str
    school_year: str
    start: date  # first school day
    end: date  # last school day


def _named(cal: SchoolCalendar, year: SchoolYear) -> list[Term]:
    out = []
    for t in year.terms:
        first, last = cal.next_school_day_on_or_after(t.start), cal.last_school_day_on_or_before(t.end)
        if first is not None and last is not None and first <= last:  # a term with no school day has no rhythm
            out.append(Term(t.name, year.name, first, last))
    return out


def _halves(cal: SchoolCalendar, year: SchoolYear) -> list[Term]:
    first = cal.next_school_day_on_or_after(year.start)
    count = cal.school_days_between(year.start - timedelta(days=1), year.end)
    if first is None or count < 2:
        return []
    half = count // 2
    last_of_first = cal.add_school_days(first, half - 1)
    second = cal.add_school_days(last_of_first, 1)
    last = cal.add_school_days(first, count - 1)
    return [Term(f"{year.name} term 1", year.name, first, last_of_first), Term(f"{year.name} term 2", year.name, second, last)]


def terms(cal: SchoolCalendar) -> list[Term]:
    return [t for year in cal.school_years for t in (_named(cal, year) if year.terms else _halves(cal, year))]


def term_on(cal: SchoolCalendar, day: date) -> Term | None:
    """The term a day falls in, or the next one if the day is between terms (summer)."""
    for t in terms(cal):
        if day <= t.end:
            return t
    return None


def term_named(cal: SchoolCalendar, name: str) -> Term | None:
    """The calendar's term of that name, whatever its case and spacing ("Fall " finds "Fall 2026"'s spelling)."""
    return next((t for t in terms(cal) if folded(t.name) == folded(name)), None)
