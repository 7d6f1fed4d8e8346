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


def problems(change: dict) -> list[str]:
    with pytest.raises(InvalidConfiguration) as err:
        parse_calendar({**CAL.model_dump(mode="json"), **change})
    return err.value.problems


def test_weekends_are_closed():
    assert CAL.is_school_day(date(2026, 9, 18)) and not CAL.is_school_day(date(2026, 9, 19))
    assert CAL.add_school_days(date(2026, 9, 18), 1) == date(2026, 9, 21)


def test_a_district_may_choose_its_weekend():
    six_day = parse_calendar({**CAL.model_dump(mode="json"), "weekend": [6]})
    assert six_day.is_school_day(date(2026, 9, 19)) and not six_day.is_school_day(date(2026, 9, 20))


def test_winter_break_is_skipped_by_add_school_days():
    assert CAL.add_school_days(date(2026, 12, 18), 1) == date(2027, 1, 4)
    assert CAL.school_days_between(date(2026, 12, 18), date(2027, 1, 4)) == 1


def test_a_closed_day_is_not_a_school_day():
    assert not CAL.is_school_day(date(2027, 1, 18))
    assert CAL.add_school_days(date(2027, 1, 15), 1) == date(2027, 1, 19)


def test_summer_between_two_years_is_skipped():
    assert not CAL.is_school_day(date(2027, 7, 14))
    assert CAL.add_school_days(date(2027, 6, 11), 1) == date(2027, 8, 25)
    assert CAL.school_days_between(date(2027, 6, 10), date(2027, 8, 26)) == 3


def test_days_before_the_first_year_are_not_school_days():
    assert not CAL.is_school_day(date(2026, 8, 25))
    assert CAL.next_school_day_on_or_after(date(2026, 8, 1)) == date(2026, 8, 26)


def test_adding_zero_on_a_closed_day_moves_to_the_next_school_day():
    assert CAL.add_school_days(date(2026, 11, 26), 0) == date(2026, 11, 30)
    assert CAL.add_school_days(date(2026, 11, 30), 0) == date(2026, 11, 30)


def test_adding_from_a_closed_day_counts_from_the_next_open_one():
    assert CAL.add_school_days(date(2026, 11, 26), 1) == date(2026, 11, 30)


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        CAL.add_school_days(date(2026, 9, 18), -1)


def test_school_days_between_is_zero_when_end_is_not_after_start():
    assert CAL.school_days_between(date(2026, 9, 18), date(2026, 9, 18)) == 0
    assert CAL.school_days_between(date(2026, 9, 21), date(2026, 9, 18)) == 0


def test_beyond_the_last_school_year_there_is_no_answer():
    assert CAL.add_school_days(date(2028, 6, 9), 1) is None
    assert CAL.add_school_days(date(2028, 6, 1), 30) is None
    assert CAL.next_school_day_on_or_after(date(2028, 7, 1)) is None


def test_local_wall_time_respects_daylight_saving():
    assert CAL.at_local(date(2027, 1, 5), time(7)) == datetime(2027, 1, 5, 15, tzinfo=UTC)  # PST
    assert CAL.at_local(date(2027, 4, 6), time(7)) == datetime(2027, 4, 6, 14, tzinfo=UTC)  # PDT


def test_local_wall_time_on_the_changeover_days():
    # 2027-03-14: clocks spring forward at 02:00; 2027-11-07: fall back at 02:00
    assert CAL.at_local(date(2027, 3, 14), time(1, 30)) == datetime(2027, 3, 14, 9, 30, tzinfo=UTC)
    assert CAL.at_local(date(2027, 3, 14), time(9)) == datetime(2027, 3, 14, 16, tzinfo=UTC)
    assert CAL.at_local(date(2027, 11, 7), time(9)) == datetime(2027, 11, 7, 17, tzinfo=UTC)


def test_the_local_date_differs_from_utc_in_the_evening():
    assert CAL.local_date(datetime(2026, 9, 15, 3, tzinfo=UTC)) == date(2026, 9, 14)
    assert CAL.local_date(datetime(2026, 9, 15, 7, tzinfo=UTC)) == date(2026, 9, 15)


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError):
        CAL.local_date(datetime(2026, 9, 15, 3))


def test_the_example_calendar_parses():
    cal = parse_calendar(yaml.safe_load(EXAMPLE.read_text()))
    assert cal.zone.key == "America/Los_Angeles" and [y.name for y in cal.school_years] == ["2026-27", "2027-28"]
    assert not cal.is_school_day(date(2026, 11, 26)) and cal.is_school_day(date(2026, 11, 30))
    assert cal.add_school_days(date(2026, 12, 18), 1) == date(2027, 1, 4)


@pytest.mark.parametrize(
    "change,problem",
    [
        ({"timezone": "Mars/Olympus"}, "timezone: unknown time zone 'Mars/Olympus'"),
        ({"school_years": []}, "school_years: List should have at least 1 item"),
        ({"school_years": [{"name": "y", "start": "2026-09-01", "end": "2026-08-01"}]}, "school_years[0].end: must not be before start (2026-09-01)"),
        ({"school_years": [{"name": "y", "start": "2026-09-01", "end": "2207-06-01"}]}, "school_years[0].end: a school year lasts at most 366 days"),
        ({"school_years": [{"name": "y", "start": "2026-09-01"}]}, "school_years[0].end: Field required"),
        (
            {"school_years": [{"name": "a", "start": "2026-08-26", "end": "2027-06-11"}, {"name": "b", "start": "2027-06-01", "end": "2028-05-09"}]},
            "school_years[1].start: school year 'b' must start after 'a' ends (2027-06-11)",
        ),
        (
            {"school_years": [{"name": "a", "start": "2027-08-25", "end": "2028-06-09"}, {"name": "b", "start": "2026-08-26", "end": "2027-06-11"}], "closed": []},
            "school_years[1].start: school year 'b' must start after 'a' ends (2028-06-09)",
        ),
        (
            {"school_years": [{"name": "a", "start": "2026-08-26", "end": "2027-06-11"}, {"name": "a", "start": "2027-08-25", "end": "2028-06-09"}]},
            "school_years[1].name: 'a' is already the name of school_years[0]",
        ),
        ({"closed": [{"name": "Break", "start": "2026-12-21", "end": "2026-12-01"}]}, "closed[0].end: must not be before start (2026-12-21)"),
        ({"closed": [{"name": "Summer", "start": "2027-07-04"}]}, "closed[0].start: 'Summer' (2027-07-04) is not inside any school year"),
        ({"closed": [{"name": "Late", "start": "2027-06-10", "end": "2027-06-20"}]}, "closed[0].end: 'Late' runs past the end of school year '2026-27' (2027-06-11)"),
        ({"closed": [{"name": "Oops", "start": "not a date"}]}, "closed[0].start: Input should be a valid date"),
        ({"closed": [{"start": "2026-11-11"}]}, "closed[0].name: Field required"),
        ({"closed": [{"name": "x", "start": "2026-11-11", "why": "fog"}]}, "closed[0].why: Extra inputs are not permitted"),
        ({"weekend": [7]}, "weekend[0]: Input should be less than or equal to 6 (got 7)"),
        ({"weekend": [5, 6, 6]}, "weekend: lists a day more than once"),
        ({"weekend": list(range(7))}, "weekend: closes every day of the week"),
        ({"holidays": []}, "holidays: Extra inputs are not permitted"),
    ],
)
def test_each_kind_of_mistake_is_reported_with_its_path(change, problem):
    found = problems(change)
    assert any(p.startswith(problem) for p in found), found


def test_every_mistake_in_a_file_is_listed_at_once():
    data = {"timezone": "Nowhere/Land", "school_years": [{"name": "y", "start": "2026-09-01", "end": "2026-01-01"}],
            "closed": [{"name": "x", "start": "bad"}], "weekend": [9]}
    with pytest.raises(InvalidConfiguration) as err:
        parse_calendar(data)
    assert [p.split(":")[0] for p in err.value.problems] == ["timezone", "school_years[0].end", "closed[0].start", "weekend[0]"]
    assert "calendar is not valid (4 problem(s))" in str(err.value)


def test_every_cross_entry_mistake_is_listed_at_once():
    found = problems({
        "school_years": [{"name": "a", "start": "2026-08-26", "end": "2027-06-11"}, {"name": "a", "start": "2027-06-01", "end": "2028-05-09"}],
        "closed": [{"name": "Summer", "start": "2028-07-04"}, {"name": "Spring", "start": "2027-03-29", "end": "2027-04-02"}, {"name": "Fall", "start": "2026-08-01"}],
    })
    assert [p.split(":")[0] for p in found] == ["school_years[1].start", "school_years[1].name", "closed[0].start", "closed[2].start"]


def test_a_calendar_inside_another_file_reports_the_full_path():
    from pydantic import BaseModel, ValidationError

    from domain.calendar import SchoolCalendar
    from domain.validation import describe_errors

    class File(BaseModel):
        calendar: SchoolCalendar

    with pytest.raises(ValidationError) as err:
        File.model_validate({"calendar": {**CAL.model_dump(mode="json"), "closed": [{"name": "Summer", "start": "2027-07-04"}]}})
    assert describe_errors(err.value) == ["calendar.closed[0].start: 'Summer' (2027-07-04) is not inside any school year"]


def test_a_round_trip_through_json_keeps_the_school_days():
    again = parse_calendar(CAL.model_dump(mode="json"))
    assert again == CAL and again.add_school_days(date(2026, 12, 18), 1) == date(2027, 1, 4)
