"""A district's calendar changes under running clocks (issue 9, "Calendars change").

Three changes: a newly published calendar (every spring, next year's), one
day closed ("Snow") or one day opened ("Make-up day", a Saturday may be one).
The rule: school days already elapsed stay elapsed; what remains of a due date
or of a rung's offset is counted on the new calendar. A change that would
rewrite today or a day before it is refused (today's rungs may already have
fired at the notify time), so every clock's past is the same on both
calendars; ``rebase`` then carries each later date across by the school days
left until it, which is what the ladder computes on the new calendar.

Pure: today comes in as an argument.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from .calendar import ClosedDays, OpenedDay, SchoolCalendar, parse_calendar
from .errors import InvalidTransition

ONE_DAY = timedelta(days=1)


def rebase(old: SchoolCalendar, new: SchoolCalendar, today: date, day: date | None) -> date | None:
    """Where ``day`` lies on the new calendar: a past day stays; a later one keeps its remaining school days.

    remaining = school days after today up to ``day`` on the old calendar; the answer is the
    ``remaining``-th school day after today on the new one. None when the new calendar ends first
    (a date the district has not scheduled yet). Never before today: due dates never move into the past.
    """
    if day is None or day <= today:
        return day
    remaining = old.school_days_between(today, day)
    if remaining == 0:
        return day  # not a school day and none before it: nothing is counted, so nothing moves
    return new.add_school_days(today, remaining)


def _why_not_open(cal: SchoolCalendar, day: date) -> str:
    closure = next((c for c in cal.closed if c.start <= day <= c.last), None)
    if not any(y.start <= day <= y.end for y in cal.school_years):
        return "it is outside every school year"
    if closure is not None:
        return f"it is already closed ({closure.name})"
    return "it is already closed (a weekend day)"


def _not_past(day: date, today: date, doing: str) -> None:
    if day <= today:
        raise InvalidTransition(
            f"{day} is not after today ({today}); school days already elapsed stay elapsed, so only a later day can be {doing}."
        )


def closed_on(cal: SchoolCalendar, day: date, reason: str, today: date) -> SchoolCalendar:
    """The calendar with ``day`` closed: a closure, or a make-up day withdrawn."""
    _not_past(day, today, "closed")
    if not cal.is_school_day(day):
        raise InvalidTransition(f"{day} cannot be closed: {_why_not_open(cal, day)}.")
    data = cal.model_dump(mode="json")
    if any(o.on == day for o in cal.opened):
        data["opened"] = [o for o in data["opened"] if o["on"] != day.isoformat()]
        if parse_calendar(data).is_school_day(day):  # it was open without the make-up day too
            data["closed"].append(ClosedDays(name=reason, start=day).model_dump(mode="json"))
    else:
        data["closed"].append(ClosedDays(name=reason, start=day).model_dump(mode="json"))
    return parse_calendar(data)


def opened_on(cal: SchoolCalendar, day: date, reason: str, today: date) -> SchoolCalendar:
    """The calendar with ``day`` a school day: a make-up day, on a weekend or inside a closure."""
    _not_past(day, today, "opened")
    if cal.is_school_day(day):
        raise InvalidTransition(f"{day} is already a school day.")
    if not any(y.start <= day <= y.end for y in cal.school_years):
        raise InvalidTransition(
            f"{day} cannot be opened: it is outside every school year; publish a calendar whose school year includes it."
        )
    data = cal.model_dump(mode="json")
    data["opened"] = [*data.get("opened", []), OpenedDay(name=reason, on=day).model_dump(mode="json")]
    return parse_calendar(data)


def rewritten_past(old: SchoolCalendar, new: SchoolCalendar, today: date) -> list[date]:
    """Days up to today on which the two calendars disagree (school day or not)."""
    first = min(old.school_years[0].start, new.school_years[0].start)
    span = (today - first).days + 1
    return [d for d in (first + timedelta(days=i) for i in range(max(span, 0))) if old.is_school_day(d) != new.is_school_day(d)]


def published(old: SchoolCalendar, new: SchoolCalendar, today: date) -> SchoolCalendar:
    """The published calendar, once it is shown to keep the past and the district's time zone."""
    if new.timezone != old.timezone:
        raise InvalidTransition(
            f"The new calendar is in {new.timezone} but the district's is in {old.timezone}; a district's calendar keeps its time zone."
        )
    changed = rewritten_past(old, new, today)
    if changed:
        raise InvalidTransition(
            f"The new calendar changes {changed[0]}, a day already elapsed ({len(changed)} day(s) in all); "
            "school days already elapsed stay elapsed, so keep the past school years as they were."
        )
    if new == old:
        raise InvalidTransition("The new calendar is the same as the current one; nothing would change.")
    return new


@dataclass(frozen=True)
class DayShift:
    """What a change does to the days ahead: for the dry run a district admin reads before applying."""

    gained: tuple[date, ...]
    lost: tuple[date, ...]


def day_shift(old: SchoolCalendar, new: SchoolCalendar, today: date) -> DayShift:
    ahead_old = {d for d in old.school_days if d > today}
    ahead_new = {d for d in new.school_days if d > today}
    return DayShift(tuple(sorted(ahead_new - ahead_old)), tuple(sorted(ahead_old - ahead_new)))
