"""Issue 10: when a digest goes out (never on a closed day), and which notices never fold into one."""

from datetime import date, timedelta

from hypothesis import given, strategies as st

from domain.digests import digest_period, school_days_since, top_rung
from domain.ladder import Rung
from tests.unit.test_notice_hours import HOURS, OPEN, la

# The week of 2027-01-04 in HOURS opens on Monday; make one whose Monday is a holiday.
HOLIDAY_HOURS = type(HOURS).of("America/Los_Angeles", HOURS.notify_at, [d for d in OPEN if d != date(2027, 1, 4)])


def test_a_weekly_digest_is_due_from_notify_at_on_the_first_school_day_of_the_week():
    monday = date(2026, 12, 14)
    assert digest_period(HOURS, "weekly", la(monday, 6, 59)) is None
    assert digest_period(HOURS, "weekly", la(monday, 7)) == "weekly:2026-12-14"
    assert digest_period(HOURS, "weekly", la(date(2026, 12, 17), 12)) == "weekly:2026-12-14"  # the same week's period


def test_a_holiday_monday_moves_the_weekly_digest_to_tuesday():
    assert digest_period(HOLIDAY_HOURS, "weekly", la(date(2027, 1, 4), 12)) is None
    assert digest_period(HOLIDAY_HOURS, "weekly", la(date(2027, 1, 5), 7)) == "weekly:2027-01-05"


def test_a_daily_digest_has_one_period_per_school_day():
    assert digest_period(HOURS, "daily", la(date(2026, 12, 15), 8)) == "daily:2026-12-15"
    assert digest_period(HOURS, "daily", la(date(2026, 12, 16), 6)) is None


@given(st.integers(min_value=0, max_value=40 * 24 * 4))
def test_nothing_is_ever_due_on_a_closed_day(quarter_hours):
    now = la(date(2026, 12, 12), 0) + timedelta(minutes=15 * quarter_hours)
    closed = not HOURS.is_school_day(HOURS.local_date(now))
    for cadence in ("daily", "weekly"):
        assert not (closed and digest_period(HOURS, cadence, now))


def test_days_at_a_step_count_school_days_only():
    assert school_days_since(HOURS, date(2026, 12, 17), date(2027, 1, 5)) == 3  # Fri 18, Mon 4, Tue 5
    assert school_days_since(HOURS, date(2027, 1, 5), date(2027, 1, 5)) == 0


def test_the_top_rung_of_each_ladder_is_its_last():
    assert top_rung("team") is Rung.COALITION
    assert top_rung("school", "norms:svm-math") is Rung.PRINCIPAL
    assert top_rung("school", "assessment") is Rung.COALITION
    assert top_rung("school", "teams:2027-28") is Rung.COALITION
    assert top_rung("district", "form_coalition") is Rung.COALITION
    assert top_rung("district", "coalition") is Rung.DISTRICT_ADMIN  # the coalition gap reaches the admins only
