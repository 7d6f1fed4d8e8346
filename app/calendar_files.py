"""A calendar a district publishes, from plcflow's YAML or from an .ics feed (issue 9, "Calendars change").

A district's .ics mixes holidays with concerts and "Teacher Workday" only in
SUMMARY (DESIGN, "Delivery and sign-in facts"), so the admin says which
event names mean what: closed, a school day (a make-up day), the first and
the last day of a school year. All-day events only (``DTSTART;VALUE=DATE``,
``DTEND`` exclusive); anything else, or any name not mapped, is left out and
listed, never guessed. The feed's years replace the current calendar's from
the first of them on; earlier years are kept as they are (elapsed school days
stay elapsed, and the district refuses a calendar that rewrites them).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import icalendar

from domain.calendar import SchoolCalendar, parse_calendar
from domain.errors import InvalidConfiguration
from domain.text import folded

from .files import read_yaml

KINDS = ("closed", "school_day", "first_day", "last_day")


@dataclass(frozen=True)
class IcsMapping:
    """Event names (SUMMARY, compared without case or extra spaces) for each kind of day."""

    closed: tuple[str, ...] = ()
    school_day: tuple[str, ...] = ()
    first_day: tuple[str, ...] = ()
    last_day: tuple[str, ...] = ()

    def kind(self, summary: str) -> str | None:
        return next((k for k in KINDS if folded(summary) in {folded(n) for n in getattr(self, k)}), None)


def load_mapping(path: Path) -> IcsMapping:
    data = read_yaml(path, f"mapping file {path}")
    if not isinstance(data, dict) or set(data) - set(KINDS):
        raise InvalidConfiguration(f"mapping file {path}", [f"the file must hold a mapping with only {', '.join(KINDS)}"])
    return IcsMapping(**{k: tuple(str(n) for n in data.get(k) or ()) for k in KINDS})


@dataclass
class Published:
    calendar: SchoolCalendar
    left_out: list[str] = field(default_factory=list)  # events not used, each with why


def load_published(path: Path, current: SchoolCalendar, mapping: IcsMapping) -> Published:
    if path.suffix.lower() == ".ics":
        return from_ics(path, current, mapping)
    return Published(parse_calendar(read_yaml(path, f"calendar {path}")))


@dataclass(frozen=True)
class _Day:
    summary: str
    start: date
    end: date  # inclusive


def _all_day_events(path: Path) -> tuple[list[tuple[str, _Day]], list[str]]:
    try:
        feed = icalendar.Calendar.from_ical(path.read_bytes())
    except FileNotFoundError:
        raise InvalidConfiguration(f"calendar {path}", [f"{path}: no such file"]) from None
    except ValueError as err:
        raise InvalidConfiguration(f"calendar {path}", [f"{path}: not a valid iCalendar file ({err})"]) from None
    days, left_out = [], []
    for event in feed.walk("VEVENT"):
        summary = str(event.get("SUMMARY", "")).strip()
        start = event.decoded("DTSTART", None)
        end = event.decoded("DTEND", None)
        if type(start) is not date:  # a timed event (a concert at 7 pm) is not a day of school or no school
            left_out.append(f"{summary or '(no summary)'}: not an all-day event")
            continue
        last = (end - timedelta(days=1)) if type(end) is date and end > start else start  # DTEND is exclusive
        days.append((summary, _Day(summary, start, last)))
    return days, left_out


def from_ics(path: Path, current: SchoolCalendar, mapping: IcsMapping) -> Published:
    events, left_out = _all_day_events(path)
    by_kind: dict[str, list[_Day]] = {k: [] for k in KINDS}
    for summary, day in events:
        kind = mapping.kind(summary)
        if kind is None:
            left_out.append(f"{summary} ({day.start}): its name is not mapped")
        else:
            by_kind[kind].append(day)
    data = _base(current, _years(path, by_kind["first_day"], by_kind["last_day"]))
    inside = _inside(data["school_years"])
    for d in by_kind["closed"]:
        entry = {"name": d.summary[:80], "start": d.start.isoformat(), "end": d.end.isoformat()}
        if not (inside(d.start) and inside(d.end)):
            left_out.append(f"{d.summary} ({d.start}): outside every school year")
        elif entry not in data["closed"]:
            data["closed"].append(entry)
    for d in by_kind["school_day"]:
        for on in (d.start + timedelta(days=n) for n in range((d.end - d.start).days + 1)):
            if not inside(on):
                left_out.append(f"{d.summary} ({on}): outside every school year")
            elif on.isoformat() not in {o["on"] for o in data["opened"]}:
                data["opened"].append({"name": d.summary[:80], "on": on.isoformat()})
    return Published(parse_calendar(data), left_out)


def _inside(years: list[dict]):
    bounds = [(date.fromisoformat(y["start"]), date.fromisoformat(y["end"])) for y in years]
    return lambda d: any(start <= d <= end for start, end in bounds)


def _base(current: SchoolCalendar, years: list[dict]) -> dict:
    """The current calendar, its years from the feed's first one on replaced by the feed's (none: all kept)."""
    data = current.model_dump(mode="json")
    if not years:
        return data
    first_new = date.fromisoformat(years[0]["start"])
    data["school_years"] = [y for y in data["school_years"] if date.fromisoformat(y["end"]) < first_new] + years
    data["closed"] = [c for c in data["closed"] if date.fromisoformat(c["start"]) < first_new]
    data["opened"] = [o for o in data["opened"] if date.fromisoformat(o["on"]) < first_new]
    return data


def _years(path: Path, firsts: list[_Day], lasts: list[_Day]) -> list[dict]:
    """School years from the feed's first and last days, in order; each first day needs its last."""
    starts, ends = sorted(d.start for d in firsts), sorted(d.start for d in lasts)
    if len(starts) != len(ends) or any(e < s for s, e in zip(starts, ends)):
        raise InvalidConfiguration(f"calendar {path}", [
            f"the feed has {len(starts)} first day(s) of school and {len(ends)} last day(s); each school year needs "
            "one first day and one later last day"])
    return [{"name": f"{s.year}-{str(e.year)[-2:]}" if e.year != s.year else str(s.year), "start": s.isoformat(),
             "end": e.isoformat()} for s, e in zip(starts, ends)]
