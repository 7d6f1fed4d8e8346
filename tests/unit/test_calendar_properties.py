"""Laws of school-day arithmetic, over generated calendars.

Each law is checked against a day-by-day walk of the calendar's rules, so the
bisect shortcuts in domain/calendar.py cannot drift from the definition.
"""

from datetime import UTC, date, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import SchoolCalendar, parse_calendar

BASE = date(2026, 8, 1)
SPAN = 900  # generated calendars and dates stay within ~2.5 years of BASE
FAST = settings(max_examples=200, deadline=None)


@st.composite
def calendars(draw) -> SchoolCalendar:
    years, start = [], BASE
    for i in range(draw(st.integers(1, 3))):
        start += timedelta(days=draw(st.integers(0, 90)))
        end = start + timedelta(days=draw(st.integers(0, 300)))
        years.append({"name": f"y{i}", "start": start.isoformat(), "end": end.isoformat()})
        start = end + timedelta(days=1)
    closed = []
    for j in range(draw(st.integers(0, 8))):
        y = draw(st.sampled_from(years))
        y0, y1 = date.fromisoformat(y["start"]), date.fromisoformat(y["end"])
        first = y0 + timedelta(days=draw(st.integers(0, (y1 - y0).days)))
        last = min(y1, first + timedelta(days=draw(st.integers(0, 14))))
        closed.append({"name": f"c{j}", "start": first.isoformat(), **({"end": last.isoformat()} if draw(st.booleans()) else {})})
    weekend = draw(st.sampled_from([[5, 6], [6], [], [4, 5, 6], [0]]))
    return parse_calendar({"timezone": "America/Chicago", "school_years": years, "closed": closed, "weekend": weekend})


days = st.integers(-30, SPAN).map(lambda n: BASE + timedelta(days=n))
counts = st.integers(0, 60)


def open_by_definition(cal: SchoolCalendar, d: date) -> bool:
    inside = any(y.start <= d <= y.end for y in cal.school_years)
    closed = any(c.start <= d <= c.last for c in cal.closed)
    return inside and not closed and d.weekday() not in cal.weekend


def walk_add(cal: SchoolCalendar, d: date, n: int) -> date | None:
    """add_school_days by walking one day at a time (the definition)."""
    end = cal.school_years[-1].end
    if n == 0:
        while d <= end and not open_by_definition(cal, d):
            d += timedelta(days=1)
        return d if d <= end else None
    while n and d < end:
        d += timedelta(days=1)
        n -= open_by_definition(cal, d)
    return d if n == 0 else None


@FAST
@given(calendars(), days)
def test_a_school_day_is_inside_a_year_not_a_weekend_and_not_closed(cal, d):
    assert cal.is_school_day(d) == open_by_definition(cal, d)
    if d.weekday() in cal.weekend or any(c.start <= d <= c.last for c in cal.closed):
        assert not cal.is_school_day(d)


@FAST
@given(calendars(), days, counts)
def test_adding_agrees_with_walking_day_by_day(cal, d, n):
    assert cal.add_school_days(d, n) == walk_add(cal, d, n)


@FAST
@given(calendars(), days, st.integers(1, 60))
def test_adding_lands_on_a_school_day_strictly_after_and_counts_back_to_n(cal, d, n):
    result = cal.add_school_days(d, n)
    if result is not None:
        assert result > d and cal.is_school_day(result)
        assert cal.school_days_between(d, result) == n


@FAST
@given(calendars(), days)
def test_the_next_school_day_on_or_after_is_the_first_open_one(cal, d):
    nxt = cal.next_school_day_on_or_after(d)
    if nxt is None:
        assert cal.school_days_between(d - timedelta(days=1), cal.school_years[-1].end) == 0
    else:
        assert nxt >= d and cal.is_school_day(nxt)
        assert cal.school_days_between(d - timedelta(days=1), nxt) == 1


@FAST
@given(calendars(), days, counts, counts)
def test_adding_composes(cal, d, a, b):
    # add(d, 0) snaps forward to an open day; from a closed d it is not "zero steps", so skip that case
    first = cal.add_school_days(d, a)
    if first is None or (a == 0 and not cal.is_school_day(d)):
        return
    assert cal.add_school_days(first, b) == cal.add_school_days(d, a + b)


@FAST
@given(calendars(), days, counts)
def test_adding_is_monotonic_in_n(cal, d, n):
    a, b = cal.add_school_days(d, n), cal.add_school_days(d, n + 1)
    if b is not None:
        # n = 0 means "on or after d", so on a closed day it meets n = 1
        assert a is not None and (a <= b if n == 0 else a < b)
    if a is None:
        assert b is None


@FAST
@given(calendars(), days, days, days)
def test_counting_is_additive_over_adjacent_spans(cal, x, y, z):
    a, b, c = sorted((x, y, z))
    assert cal.school_days_between(a, b) + cal.school_days_between(b, c) == cal.school_days_between(a, c)
    assert cal.school_days_between(c, a) == 0


@FAST
@given(
    st.sampled_from(["America/Los_Angeles", "America/New_York", "America/Chicago", "America/Santiago", "Pacific/Honolulu", "Europe/London"]),
    st.integers(0, 3 * 365).map(lambda n: date(2026, 1, 1) + timedelta(days=n)),
    st.times(),
)
def test_a_local_wall_time_falls_on_its_own_local_date(zone, d, t):
    cal = SchoolCalendar.model_validate({"timezone": zone, "school_years": [{"name": "y", "start": "2026-08-26", "end": "2027-06-11"}]})
    instant = cal.at_local(d, t)
    assert instant.tzinfo is UTC
    assert cal.local_date(instant) == d


def test_a_skipped_midnight_with_fold_1_stays_on_its_own_date():
    # Found by the property above: Santiago springs forward at midnight on 2028-09-03.
    cal = SchoolCalendar.model_validate({"timezone": "America/Santiago", "school_years": [{"name": "y", "start": "2026-08-26", "end": "2027-06-11"}]})
    assert cal.local_date(cal.at_local(date(2028, 9, 3), time(0, 0, fold=1))) == date(2028, 9, 3)
