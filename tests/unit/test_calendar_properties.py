"""Laws of school-day arithmetic, over generated calendars."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import SchoolCalendar

BASE = date(2026, 8, 1)


@st.composite
def calendars(draw) -> SchoolCalendar:
    years, start = [], BASE
    for i in range(draw(st.integers(1, 3))):
        start += timedelta(days=draw(st.integers(0, 90)))
        end = start + timedelta(days=draw(st.integers(20, 300)))
        years.append({"name": f"y{i}", "start": start, "end": end})
        start = end + timedelta(days=1)
    closed = []
    for j in range(draw(st.integers(0, 6))):
        y = draw(st.sampled_from(years))
        first = y["start"] + timedelta(days=draw(st.integers(0, (y["end"] - y["start"]).days)))
        last = min(y["end"], first + timedelta(days=draw(st.integers(0, 14))))
        closed.append({"name": f"c{j}", "start": first, "end": last})
    weekend = draw(st.sampled_from([[5, 6], [6], []]))
    return SchoolCalendar.model_validate({"timezone": "America/Chicago", "school_years": years, "closed": closed, "weekend": weekend})


days = st.integers(0, 900).map(lambda n: BASE + timedelta(days=n))
counts = st.integers(0, 60)


@settings(max_examples=200, deadline=None)
@given(calendars(), days, st.integers(1, 60))
def test_adding_lands_on_a_school_day_strictly_after(cal, d, n):
    result = cal.add_school_days(d, n)
    if result is not None:
        assert result > d and cal.is_school_day(result)
        assert cal.school_days_between(d, result) == n


@settings(max_examples=200, deadline=None)
@given(calendars(), days, counts, counts)
def test_adding_composes(cal, d, a, b):
    first = cal.add_school_days(d, a)
    if first is None or not cal.is_school_day(d):
        return
    assert cal.add_school_days(first, b) == cal.add_school_days(d, a + b)


@settings(max_examples=200, deadline=None)
@given(calendars(), days, counts)
def test_adding_is_monotonic_in_n(cal, d, n):
    a, b = cal.add_school_days(d, n), cal.add_school_days(d, n + 1)
    if b is not None:
        # n = 0 means "on or after d", so on a closed day it meets n = 1
        assert a is not None and (a <= b if n == 0 else a < b)


@settings(max_examples=200, deadline=None)
@given(calendars(), days)
def test_closed_days_and_weekends_are_never_school_days(cal, d):
    closed = any(c.start <= d <= c.last for c in cal.closed)
    outside = not any(y.start <= d <= y.end for y in cal.school_years)
    if d.weekday() in cal.weekend or closed or outside:
        assert not cal.is_school_day(d)
    else:
        assert cal.is_school_day(d)
