"""Issue 10: nothing is sent on a closed day; a notice due then goes out at notify_at on the next school day."""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, strategies as st

from domain.notice_hours import NoticeHours

# Mon 2026-12-14 .. Fri 12-18 open; winter break to Fri 2027-01-01; school again Mon 2027-01-04.
OPEN = [date(2026, 12, 14) + timedelta(days=i) for i in range(5)] + [date(2027, 1, 4) + timedelta(days=i) for i in range(5)]
HOURS = NoticeHours.of("America/Los_Angeles", time(7, 0), OPEN)


def la(d: date, hh: int, mm: int = 0) -> datetime:
    return HOURS.at_notify(d) + timedelta(hours=hh - 7, minutes=mm)


def test_on_a_school_day_after_notify_at_a_notice_goes_at_once():
    now = la(date(2026, 12, 18), 9, 30)
    assert HOURS.open_at(now) == now


def test_before_notify_at_on_a_school_day_it_waits_for_the_morning():
    assert HOURS.open_at(la(date(2026, 12, 16), 5)) == la(date(2026, 12, 16), 7)


def test_a_notice_due_during_winter_break_goes_at_notify_at_on_the_first_day_back():
    for d in (date(2026, 12, 19), date(2026, 12, 25), date(2027, 1, 1), date(2027, 1, 3)):
        assert HOURS.open_at(la(d, 12)) == la(date(2027, 1, 4), 7)


def test_the_evening_of_the_last_day_before_break_is_still_that_school_day_locally():
    # 23:30 in Los Angeles is already Saturday in UTC: the district's own date decides.
    now = la(date(2026, 12, 18), 23, 30)
    assert now.astimezone(UTC).date() == date(2026, 12, 19)
    assert HOURS.open_at(now) == now


def test_past_the_last_known_school_day_there_is_no_answer_yet():
    assert HOURS.open_at(la(date(2027, 1, 9), 8)) is None


def test_reminder_days_count_school_days_back_across_the_break():
    assert HOURS.school_days_before(date(2027, 1, 4), 1) == date(2026, 12, 18)
    assert HOURS.school_days_before(date(2027, 1, 5), 0) == date(2027, 1, 5)
    assert HOURS.school_days_before(date(2026, 12, 25), 0) is None
    assert HOURS.school_days_before(date(2026, 12, 14), 1) is None


def test_the_first_school_day_of_a_week():
    assert HOURS.first_school_day_of_week(date(2026, 12, 17)) == date(2026, 12, 14)
    assert HOURS.first_school_day_of_week(date(2026, 12, 30)) is None
    short = NoticeHours.of("UTC", time(7), [date(2027, 1, 5), date(2027, 1, 6)])  # Monday a holiday
    assert short.first_school_day_of_week(date(2027, 1, 8)) == date(2027, 1, 5)


@given(st.datetimes(min_value=datetime(2026, 12, 10), max_value=datetime(2027, 1, 12), timezones=st.just(UTC)))
def test_a_notice_never_goes_out_on_a_closed_day_or_before_notify_at(now):
    at = HOURS.open_at(now)
    if at is None:
        assert HOURS.local_date(now) > OPEN[-1] or not HOURS.next_school_day_after(HOURS.local_date(now))
        return
    assert at >= now
    assert HOURS.is_school_day(HOURS.local_date(at))
    assert at.astimezone(HOURS.zone).time() >= time(7, 0)
