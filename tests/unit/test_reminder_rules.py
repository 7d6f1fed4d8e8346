"""Issue 10: reminders N school days before a step is due and on its due day; never on a closed day."""

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, strategies as st
from pydantic import ValidationError

from app.files import load_district_file, load_team_file
from domain.errors import InvalidConfiguration
from domain.notice_hours import NoticeHours
from domain.reminders import reminders_due
from domain.team.policy import EscalationPolicy
from tests.support.builders import calendar

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The shared district calendar: Thanksgiving break Wed 2026-11-25..Fri 11-27, winter break 12-21..2027-01-01.
CAL = calendar()
HOURS = NoticeHours.of(CAL.timezone, time(7, 0), CAL.school_days)


def at(d: date, hh: int, mm: int = 0) -> datetime:
    return HOURS.at_notify(d) + timedelta(hours=hh - 7, minutes=mm)


def test_a_step_due_on_monday_is_reminded_on_the_friday_before_and_on_monday():
    due = date(2026, 9, 21)  # a Monday
    assert reminders_due(HOURS, due, (1, 0), at(date(2026, 9, 18), 9)) == (1,)
    assert reminders_due(HOURS, due, (1, 0), at(date(2026, 9, 21), 9)) == (0,)
    for weekend in (date(2026, 9, 19), date(2026, 9, 20)):
        assert reminders_due(HOURS, due, (1, 0), at(weekend, 9)) == ()


def test_a_step_due_after_thanksgiving_is_reminded_on_the_last_day_before_the_break():
    due = date(2026, 11, 30)
    assert reminders_due(HOURS, due, (1, 0), at(date(2026, 11, 24), 12)) == (1,)
    assert all(reminders_due(HOURS, due, (1, 0), at(date(2026, 11, 25) + timedelta(days=i), 12)) == () for i in range(5))


def test_nothing_before_notify_at_and_all_day_after_it():
    due = date(2026, 9, 21)
    assert reminders_due(HOURS, due, (0,), at(date(2026, 9, 21), 6, 59)) == ()
    assert reminders_due(HOURS, due, (0,), at(date(2026, 9, 21), 7)) == (0,)
    assert reminders_due(HOURS, due, (0,), at(date(2026, 9, 21), 23, 59)) == (0,)


def test_no_reminders_when_the_policy_turns_them_off_or_the_step_has_no_due_date():
    assert reminders_due(HOURS, date(2026, 9, 21), (), at(date(2026, 9, 21), 9)) == ()
    assert reminders_due(HOURS, None, (1, 0), at(date(2026, 9, 21), 9)) == ()


def test_the_policy_reminds_one_school_day_before_and_on_the_due_day_by_default():
    assert EscalationPolicy().remind_school_days_before_due == (1, 0)
    assert EscalationPolicy(remind_school_days_before_due=[]).remind_school_days_before_due == ()
    assert EscalationPolicy(remind_school_days_before_due=[5, 2, 0]).remind_school_days_before_due == (5, 2, 0)


@pytest.mark.parametrize("days, problem", [
    ([1, 0, 1], "lists 1 more than once; name each number of school days once"),
    ([21], "Input should be less than or equal to 20"),
    ([-1], "Input should be greater than or equal to 0"),
])
def test_the_policy_refuses_a_repeated_or_out_of_range_reminder_day(days, problem):
    with pytest.raises(ValidationError, match=problem):
        EscalationPolicy(remind_school_days_before_due=days)


def test_a_team_file_with_a_repeated_reminder_day_is_refused_with_its_path(tmp_path):
    team = yaml.safe_load((EXAMPLES / "team-g7-math.yaml").read_text())
    team["calendar"] = str(EXAMPLES / "calendar.yaml")
    team["escalation"]["remind_school_days_before_due"] = [2, 2]
    (tmp_path / "team.yaml").write_text(yaml.safe_dump(team))
    with pytest.raises(InvalidConfiguration) as refusal:
        load_team_file(tmp_path / "team.yaml")
    assert refusal.value.problems == [
        "escalation.remind_school_days_before_due: lists 2 more than once; name each number of school days once"]


def test_a_district_turns_reminders_off_for_every_team_it_launches(tmp_path):
    district = yaml.safe_load((EXAMPLES / "districts" / "silver-valley.yaml").read_text())
    district.update(calendar=str(EXAMPLES / "calendar.yaml"), rubric=str(EXAMPLES / "districts" / "rubric.yaml"),
                    teams={"remind_school_days_before_due": []})
    (tmp_path / "district.yaml").write_text(yaml.safe_dump(district))
    assert load_district_file(tmp_path / "district.yaml").team_policy.remind_school_days_before_due == ()
    assert load_team_file(EXAMPLES / "team-g7-math.yaml").policy.remind_school_days_before_due == (1, 0)


def test_a_policy_recorded_before_reminders_existed_reads_as_the_default():
    recorded = EscalationPolicy().model_dump(mode="json")
    del recorded["remind_school_days_before_due"]
    assert EscalationPolicy.model_validate(recorded).remind_school_days_before_due == (1, 0)


DAYS = st.sampled_from([d for d in CAL.school_days if date(2026, 9, 1) <= d <= date(2027, 2, 1)])
INSTANTS = st.datetimes(min_value=datetime(2026, 9, 1), max_value=datetime(2027, 2, 1), timezones=st.just(UTC))


@given(due=DAYS, n=st.integers(0, 20), now=INSTANTS)
def test_a_reminder_goes_out_only_on_a_school_day_within_send_hours_n_school_days_before_the_due_date(due, n, now):
    if reminders_due(HOURS, due, (n,), now) != (n,):
        return
    today = HOURS.local_date(now)
    assert HOURS.is_school_day(today) and now.astimezone(HOURS.zone).time() >= time(7, 0)
    assert len([d for d in CAL.school_days if today <= d < due]) == n  # exactly n school days ahead


@given(due=DAYS, n=st.integers(0, 20))
def test_each_reminder_has_exactly_one_day(due, n):
    days = [d for d in CAL.school_days if reminders_due(HOURS, due, (n,), at(d, 12)) == (n,)]
    first_known = len([d for d in CAL.school_days if d < due]) >= n
    assert len(days) == (1 if first_known else 0)
