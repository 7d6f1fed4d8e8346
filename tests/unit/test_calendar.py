"""The school calendar: weekends, breaks and summer never count (DESIGN 'Escalation')."""

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import yaml

from domain.calendar import parse_calendar
from domain.errors import InvalidConfiguration
from tests.support.builders import calendar

CAL = calendar()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "calendar.yaml"


def test_weekends_are_closed():
    assert CAL.is_school_day(date(2026, 9, 18)) and not CAL.is_school_day(date(2026, 9, 19))
    assert CAL.add_school_days(date(2026, 9, 18), 1) == date(2026, 9, 21)


def test_winter_break_is_skipped():
    assert CAL.add_school_days(date(2026, 12, 18), 1) == date(2027, 1, 4)
    assert CAL.school_days_between(date(2026, 12, 18), date(2027, 1, 4)) == 1


def test_a_closed_day_is_skipped():
    assert not CAL.is_school_day(date(2027, 1, 18))
    assert CAL.add_school_days(date(2027, 1, 15), 1) == date(2027, 1, 19)


def test_summer_between_two_years_is_skipped():
    assert CAL.add_school_days(date(2027, 6, 11), 1) == date(2027, 8, 25)
    assert CAL.school_days_between(date(2027, 6, 10), date(2027, 8, 26)) == 3


def test_adding_zero_on_a_closed_day_moves_to_the_next_school_day():
    assert CAL.add_school_days(date(2026, 11, 26), 0) == date(2026, 11, 30)
    assert CAL.add_school_days(date(2026, 11, 30), 0) == date(2026, 11, 30)


def test_beyond_the_last_school_year_there_is_no_answer():
    assert CAL.add_school_days(date(2028, 6, 9), 1) is None
    assert CAL.next_school_day_on_or_after(date(2028, 7, 1)) is None


def test_local_wall_time_respects_daylight_saving():
    assert CAL.at_local(date(2027, 1, 5), time(7)) == datetime(2027, 1, 5, 15, tzinfo=UTC)  # PST
    assert CAL.at_local(date(2027, 4, 6), time(7)) == datetime(2027, 4, 6, 14, tzinfo=UTC)  # PDT


def test_the_local_date_differs_from_utc_in_the_evening():
    assert CAL.local_date(datetime(2026, 9, 15, 3, tzinfo=UTC)) == date(2026, 9, 14)


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError):
        CAL.local_date(datetime(2026, 9, 15, 3))


def test_the_example_calendar_parses():
    cal = parse_calendar(yaml.safe_load(EXAMPLE.read_text()))
    assert not cal.is_school_day(date(2026, 11, 26)) and cal.is_school_day(date(2026, 11, 30))


@pytest.mark.parametrize(
    "change,problem",
    [
        ({"timezone": "Mars/Olympus"}, "timezone: unknown time zone 'Mars/Olympus'"),
        ({"school_years": []}, "school_years: List should have at least 1 item"),
        ({"school_years": [{"name": "y", "start": "2026-09-01", "end": "2026-08-01"}]}, "school_years[0]: end (2026-08-01) must not be before start"),
        ({"closed": [{"name": "Break", "start": "2026-12-21", "end": "2026-12-01"}]}, "closed[0]: end (2026-12-01) must not be before start"),
        ({"closed": [{"name": "Summer", "start": "2027-07-04"}]}, "closed days 'Summer' (2027-07-04..2027-07-04) fall outside every school year"),
        ({"closed": [{"name": "Oops", "start": "not a date"}]}, "closed[0].start: Input should be a valid date"),
        ({"weekend": [7]}, "weekend[0]: Input should be less than or equal to 6"),
        ({"holidays": []}, "holidays: Extra inputs are not permitted"),
        (
            {"school_years": [{"name": "a", "start": "2026-08-26", "end": "2027-06-11"}, {"name": "b", "start": "2027-06-01", "end": "2028-06-09"}]},
            "school year b must start after a ends (2027-06-11)",
        ),
    ],
)
def test_each_kind_of_mistake_is_reported_with_its_path(change, problem):
    data = {**CAL.model_dump(mode="json"), **change}
    with pytest.raises(InvalidConfiguration) as err:
        parse_calendar(data)
    assert any(problem in p for p in err.value.problems), err.value.problems


def test_every_mistake_is_listed_at_once():
    data = {"timezone": "Nowhere/Land", "school_years": [{"name": "y", "start": "2026-09-01", "end": "2026-01-01"}],
            "closed": [{"name": "x", "start": "bad"}], "weekend": [9]}
    with pytest.raises(InvalidConfiguration) as err:
        parse_calendar(data)
    assert len(err.value.problems) == 4 and "calendar is not valid (4 problem(s))" in str(err.value)
