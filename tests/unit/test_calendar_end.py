"""The end of the calendar (issue 9): no clock stops silently. 20 school days before the last configured one,
while no later calendar is published, the district admin hears of it, then the coalition; publishing resolves it."""

from datetime import date

from app.views import district_view
from domain.calendar import parse_calendar
from domain.ladder import Rung
from domain.rollout import commands as c
from domain.rollout.decider import next_tick_at
from tests.unit.test_rollout_rules import SV_COALITION, Rollout, at, through_the_waves

APRIL = date(2028, 4, 3)  # the example calendar's last school day is 2028-06-09


def ends(r: Rollout, day: date) -> list:
    return [e for e in r.run(c.Tick(), day) if e.type.startswith("CalendarEnd")]


def started() -> tuple[Rollout, list[date]]:
    r = Rollout(on=APRIL)
    r.run(c.SeatCoalition(actor=r.admin, members=SV_COALITION), APRIL)
    return r, list(r.state.calendar.school_days)


def test_the_district_admin_hears_twenty_school_days_before_the_last_day():
    r, days = started()
    assert ends(r, days[-22]) == []
    [raised] = ends(r, days[-21])
    assert raised.level is Rung.DISTRICT_ADMIN and raised.reached == (r.admin,) and raised.last_day == date(2028, 6, 9)
    assert raised.reason == "the 2028-29 calendar is not published; 0 teams' clocks stop on 2028-06-09"
    assert r.state.escalation.id != raised.escalation_id  # the overdue phase escalated in the same tick, with its own id


def test_the_clock_wakes_for_it():
    r, days = started()
    wake = next_tick_at(r.state, at(days[-22], 12))
    assert wake is not None and wake <= r.state.calendar.at_local(days[-21], r.state.policy.notify_at)


def test_then_the_coalition_on_the_districts_ladder():
    r, days = started()
    ends(r, days[-21])
    [climbed] = ends(r, days[-17])  # the coalition's offset (5) less the admin's (1)
    assert climbed.level is Rung.COALITION and set(climbed.reached) == set(SV_COALITION)


def test_publishing_a_calendar_that_reaches_further_resolves_it():
    r, days = started()
    [raised] = ends(r, days[-21])
    data = r.state.calendar.model_dump(mode="json")
    data["school_years"].append({"name": "2028-29", "start": "2028-08-23", "end": "2029-06-08"})
    events = r.run(c.PublishCalendar(actor=r.admin, calendar=parse_calendar(data)), days[-20])
    assert [e.type for e in events] == ["DistrictCalendarChanged", "CalendarEndEscalationResolved"]
    assert events[1].escalation_id == raised.escalation_id and r.state.calendar_end is None
    assert ends(r, days[-1]) == []  # the warning moved with the new last day


def test_a_snow_day_does_not_resolve_it():
    r, days = started()
    ends(r, days[-21])
    events = r.run(c.CloseSchoolDay(actor=r.admin, on=days[-10], reason="Snow"), days[-20])
    assert [e.type for e in events] == ["DistrictCalendarChanged"] and r.state.calendar_end is not None
    assert r.state.calendar_end.last_day == date(2028, 6, 9)


def test_the_admin_it_reached_snoozes_it_and_the_coalition_waits():
    r, days = started()
    [raised] = ends(r, days[-21])
    r.run(c.SnoozeRolloutEscalation(actor=r.admin, escalation_id=raised.escalation_id, until=days[-14],
                                    reason="The board votes on the calendar"), days[-21])
    assert r.state.calendar_end.hold == "snoozed" and r.state.escalation.hold is None  # the overdue phase's is its own
    assert ends(r, days[-17]) == []
    assert [e.level for e in ends(r, days[-14])] == [Rung.COALITION]


def test_it_counts_the_teams_whose_clocks_stop():
    r = Rollout()
    through_the_waves(r)
    days = r.state.calendar.school_days
    teams = sum(len(s.teams) for s in r.state.district.schools)
    [raised] = ends(r, days[-21])
    assert raised.reason == f"the 2028-29 calendar is not published; {teams} teams' clocks stop on 2028-06-09"


def test_the_district_view_shows_it_and_the_last_school_day():
    r, days = started()
    [raised] = ends(r, days[-21])
    view = district_view(r.state, {})
    assert view["calendar_end_escalation"]["id"] == raised.escalation_id and view["last_school_day"] == "2028-06-09"
