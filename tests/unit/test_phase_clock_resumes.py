"""A rollout phase whose due date lay beyond the calendar gets one when a calendar reaching it is published
(issue 9, "The end of the calendar": the stopped clocks resume, counted from the day the phase opened)."""

from datetime import date

from domain.rollout import commands as c
from tests.support.years import first_year_only, with_next_years
from tests.unit.test_rollout_rules import Rollout
from tests.unit.test_school_rules import START


def test_a_phase_opened_too_near_the_calendars_end_gets_its_due_date_when_next_year_is_published():
    full = START.calendar
    this_year = first_year_only(full)
    r = Rollout(on=date(2027, 6, 1), start=START.model_copy(update={"calendar": this_year}))
    assert r.state.due_on is None  # its school days run past the last one on this calendar: the clock stops
    days = r.state.policy.due_school_days[r.state.phase]
    r.run(c.PublishCalendar(actor=r.admin, calendar=with_next_years(this_year, full)), date(2027, 6, 3))
    assert r.state.due_on == r.state.calendar.add_school_days(date(2027, 6, 1), days)
    assert r.state.due_on > this_year.school_years[-1].end
