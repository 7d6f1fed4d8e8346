"""A district's .ics feed read into a calendar (issue 9): all-day events only, DTEND exclusive, names mapped by the admin."""

from datetime import date

import pytest

from app.calendar_files import IcsMapping, load_mapping, load_published
from domain.errors import InvalidConfiguration
from tests.support.builders import calendar

CAL = calendar()  # 2026-27 and 2027-28
NAMES = IcsMapping(closed=("Winter Break", "No School"), school_day=("Make-up Day",),
                   first_day=("First Day of School",), last_day=("Last Day of School",))


def ics(*events: str) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//plcflow//EN", *events, "END:VCALENDAR"]) + "\r\n"


def event(uid: int, summary: str, start: str, end: str | None = None, timed: bool = False) -> str:
    when = [f"DTSTART:{start}T190000", f"DTEND:{start}T203000"] if timed else (
        [f"DTSTART;VALUE=DATE:{start}"] + ([f"DTEND;VALUE=DATE:{end}"] if end else []))
    return "\r\n".join(["BEGIN:VEVENT", f"UID:{uid}@test", "DTSTAMP:20260101T000000Z", f"SUMMARY:{summary}", *when, "END:VEVENT"])


FEED = ics(
    event(1, "First Day of School", "20270825"), event(2, "Last Day of School", "20280609"),
    event(3, "First Day of School", "20280823"), event(4, "Last Day of School", "20290608"),
    event(5, "Winter Break", "20271220", "20280101"),  # DTEND is exclusive: the break ends 2027-12-31
    event(6, "no school", "20280117"), event(7, "Make-up Day", "20280122"),
    event(8, "Winter Concert", "20271210", timed=True), event(9, "Board Meeting", "20271014"),
)


def test_the_feeds_years_replace_the_calendars_from_the_first_of_them_and_earlier_years_stay(tmp_path):
    path = tmp_path / "district.ics"
    path.write_text(FEED)
    published = load_published(path, CAL, NAMES)
    cal = published.calendar
    assert [(y.name, y.start, y.end) for y in cal.school_years] == [
        ("2026-27", date(2026, 8, 26), date(2027, 6, 11)),
        ("2027-28", date(2027, 8, 25), date(2028, 6, 9)),
        ("2028-29", date(2028, 8, 23), date(2029, 6, 8)),
    ]
    assert not cal.is_school_day(date(2026, 11, 25))  # 2026-27's Thanksgiving break is kept
    assert not cal.is_school_day(date(2027, 12, 31)) and cal.is_school_day(date(2028, 1, 3))
    assert not cal.is_school_day(date(2028, 1, 17)) and cal.is_school_day(date(2028, 1, 22))  # a make-up Saturday
    assert published.left_out == ["Winter Concert: not an all-day event", "Board Meeting (2027-10-14): its name is not mapped"]


def test_a_feed_without_first_and_last_days_adds_to_the_current_years(tmp_path):
    path = tmp_path / "snow.ics"
    path.write_text(ics(event(1, "No School", "20270203"), event(2, "No School", "20300203")))
    published = load_published(path, CAL, NAMES)
    assert published.calendar.school_years == CAL.school_years and not published.calendar.is_school_day(date(2027, 2, 3))
    assert published.left_out == ["No School (2030-02-03): outside every school year"]


def test_a_first_day_without_its_last_day_is_refused(tmp_path):
    path = tmp_path / "half.ics"
    path.write_text(ics(event(1, "First Day of School", "20270825")))
    with pytest.raises(InvalidConfiguration) as err:
        load_published(path, CAL, NAMES)
    assert err.value.problems == [
        "the feed has 1 first day(s) of school and 0 last day(s); each school year needs one first day and one later last day"]


def test_a_file_that_is_not_icalendar_is_refused(tmp_path):
    path = tmp_path / "broken.ics"
    path.write_text("this is not a calendar")
    with pytest.raises(InvalidConfiguration, match="not a valid iCalendar file"):
        load_published(path, CAL, NAMES)


def test_a_mapping_file_names_each_kind(tmp_path):
    path = tmp_path / "names.yaml"
    path.write_text("closed: [Winter Break]\nschool_day: [Make-up Day]\n")
    assert load_mapping(path) == IcsMapping(closed=("Winter Break",), school_day=("Make-up Day",))
    path.write_text("holidays: [Winter Break]\n")
    with pytest.raises(InvalidConfiguration):
        load_mapping(path)
