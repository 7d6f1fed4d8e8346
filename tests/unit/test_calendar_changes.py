"""Calendars change under running clocks (issue 9, "Calendars change"): one test per rule.

The rule: school days already elapsed stay elapsed; what remains of a due date
or of a rung's offset is counted on the new calendar.
"""

from datetime import date

import pytest

from domain.calendar import parse_calendar
from domain.calendar_change import closed_on, day_shift, opened_on, published, rebase
from domain.errors import InvalidConfiguration, InvalidTransition, NotAllowed
from domain.escalation import next_escalation_at
from domain.ladder import Rung
from domain.rollout import commands as c
from domain.school import commands as m
from domain.team import commands as cmd
from domain.team import events as ev
from tests.support.builders import calendar, local, register
from tests.support.gwt import TEAM
from tests.unit.test_escalation_rules import started, tick
from tests.unit.test_rollout_rules import MON, SV_COALITION, Rollout
from tests.unit.test_school_rules import School

CAL = calendar()
SNOW = date(2026, 9, 25)  # a Friday
MAKE_UP = date(2026, 9, 26)  # a Saturday


def facilitator_reached():
    """A team whose step was due Mon 9/21: team reached 9/22, facilitator 9/24; the principal is next, on Tue 9/29."""
    s = started()
    tick(s, date(2026, 9, 22))
    tick(s, date(2026, 9, 24))
    assert next_escalation_at(s.state, local(date(2026, 9, 24), 10)) == local(date(2026, 9, 29), 7)
    return s


# --- the pure rule ---


def test_a_due_date_keeps_its_remaining_school_days_on_the_new_calendar():
    new = closed_on(CAL, date(2026, 9, 16), "Snow", today=MON)
    assert rebase(CAL, new, MON, date(2026, 9, 21)) == date(2026, 9, 22)


def test_a_due_date_already_past_stays_where_it_was():
    new = closed_on(CAL, date(2026, 9, 16), "Snow", today=MON)
    assert rebase(CAL, new, MON, date(2026, 9, 11)) == date(2026, 9, 11)


def test_a_make_up_saturday_counts_as_a_school_day():
    new = opened_on(CAL, date(2026, 9, 19), "Make-up day", today=MON)
    assert new.is_school_day(date(2026, 9, 19))
    assert rebase(CAL, new, MON, date(2026, 9, 21)) == date(2026, 9, 19)  # the Saturday is the fifth school day after


def test_a_make_up_day_may_fall_inside_a_break():
    new = opened_on(CAL, date(2026, 12, 22), "Make-up day", today=MON)
    assert new.is_school_day(date(2026, 12, 22)) and not new.is_school_day(date(2026, 12, 23))


def test_closing_a_make_up_day_withdraws_it():
    opened = opened_on(CAL, MAKE_UP, "Make-up day", today=MON)
    assert closed_on(opened, MAKE_UP, "Cancelled", today=MON) == CAL


def test_today_cannot_be_closed_its_rungs_may_have_fired():
    with pytest.raises(InvalidTransition) as err:
        closed_on(CAL, MON, "Snow", today=MON)
    assert str(err.value) == (
        "2026-09-14 is not after today (2026-09-14); school days already elapsed stay elapsed, so only a later day can be closed."
    )


def test_the_dry_run_lists_the_school_days_gained_and_lost():
    new = opened_on(closed_on(CAL, SNOW, "Snow", today=MON), MAKE_UP, "Make-up day", today=MON)
    shift = day_shift(CAL, new, MON)
    assert shift.gained == (MAKE_UP,) and shift.lost == (SNOW,)


# --- refusals a district admin reads ---


def test_a_past_day_cannot_be_closed():
    with pytest.raises(InvalidTransition) as err:
        closed_on(CAL, date(2026, 9, 11), "Snow", today=MON)
    assert str(err.value) == (
        "2026-09-11 is not after today (2026-09-14); school days already elapsed stay elapsed, so only a later day can be closed."
    )


def test_a_past_day_cannot_be_opened():
    with pytest.raises(InvalidTransition) as err:
        opened_on(CAL, date(2026, 9, 12), "Make-up day", today=MON)
    assert str(err.value) == (
        "2026-09-12 is not after today (2026-09-14); school days already elapsed stay elapsed, so only a later day can be opened."
    )


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 9, 19), "it is already closed (a weekend day)"),
        (date(2026, 11, 25), "it is already closed (Thanksgiving break)"),
        (date(2027, 7, 1), "it is outside every school year"),
    ],
)
def test_a_day_already_closed_cannot_be_closed(day, why):
    with pytest.raises(InvalidTransition) as err:
        closed_on(CAL, day, "Snow", today=MON)
    assert str(err.value) == f"{day} cannot be closed: {why}."


def test_a_school_day_cannot_be_opened():
    with pytest.raises(InvalidTransition) as err:
        opened_on(CAL, date(2026, 9, 18), "Make-up day", today=MON)
    assert str(err.value) == "2026-09-18 is already a school day."


def test_a_summer_day_cannot_be_opened():
    with pytest.raises(InvalidTransition) as err:
        opened_on(CAL, date(2027, 7, 10), "Summer school", today=MON)
    assert str(err.value) == (
        "2027-07-10 cannot be opened: it is outside every school year; publish a calendar whose school year includes it."
    )


def test_a_published_calendar_cannot_rewrite_elapsed_days():
    data = CAL.model_dump(mode="json")
    data["closed"].append({"name": "Fire drill day", "start": "2026-09-10", "end": None})
    with pytest.raises(InvalidTransition) as err:
        published(CAL, parse_calendar(data), today=MON)
    assert str(err.value) == (
        "The new calendar changes 2026-09-10, a day already elapsed (1 day(s) in all); "
        "school days already elapsed stay elapsed, so keep the past school years as they were."
    )


def test_a_published_calendar_keeps_the_time_zone():
    new = parse_calendar({**CAL.model_dump(mode="json"), "timezone": "America/Chicago"})
    with pytest.raises(InvalidTransition) as err:
        published(CAL, new, today=MON)
    assert str(err.value) == (
        "The new calendar is in America/Chicago but the district's is in America/Los_Angeles; "
        "a district's calendar keeps its time zone."
    )


def test_a_calendar_whose_end_is_before_its_start_is_refused():
    data = CAL.model_dump(mode="json")
    data["school_years"][1] = {"name": "2027-28", "start": "2028-06-09", "end": "2027-08-25"}
    with pytest.raises(InvalidConfiguration) as err:
        parse_calendar(data)
    assert err.value.problems == ["school_years[1].end: must not be before start (2028-06-09)"]


# --- the team carries its clock across ---


def test_a_snow_day_during_an_open_escalation_moves_the_next_rung_by_one_school_day():
    s = facilitator_reached()
    new = closed_on(CAL, SNOW, "Snow", today=date(2026, 9, 24))
    [changed] = s.run(cmd.ChangeCalendar(actor="d.admin", calendar=new), local(date(2026, 9, 24), 10))
    assert changed == ev.TeamCalendarChanged(
        at=local(date(2026, 9, 24), 10), by="d.admin", calendar=new, due_on=date(2026, 9, 21), held_until=None
    )
    assert next_escalation_at(s.state, local(date(2026, 9, 24), 10)) == local(date(2026, 9, 30), 7)
    assert tick(s, date(2026, 9, 29)) == []
    assert [e.level for e in tick(s, date(2026, 9, 30))] == [Rung.PRINCIPAL]


def test_a_make_up_saturday_during_an_open_escalation_brings_the_next_rung_one_day_closer():
    s = facilitator_reached()
    new = opened_on(CAL, MAKE_UP, "Make-up day", today=date(2026, 9, 24))
    s.run(cmd.ChangeCalendar(actor="d.admin", calendar=new), local(date(2026, 9, 24), 10))
    assert next_escalation_at(s.state, local(date(2026, 9, 24), 10)) == local(date(2026, 9, 28), 7)


def test_an_open_steps_due_date_moves_with_a_snow_day():
    s = started()
    new = closed_on(CAL, date(2026, 9, 16), "Snow", today=MON)
    s.run(cmd.ChangeCalendar(actor="d.admin", calendar=new), local(MON, 10))
    assert s.state.due_on == date(2026, 9, 22) and s.state.calendar == new


def test_an_acknowledgement_keeps_the_school_days_it_had_left():
    s = facilitator_reached()
    s.run(cmd.AcknowledgeEscalation(actor="a.kennedy", escalation_id="g7-math.1", reason="Meeting"), local(date(2026, 9, 24), 10))
    assert s.state.escalation.held_until == date(2026, 9, 29)
    new = closed_on(CAL, SNOW, "Snow", today=date(2026, 9, 24))
    s.run(cmd.ChangeCalendar(actor="d.admin", calendar=new), local(date(2026, 9, 24), 11))
    assert s.state.escalation.held_until == date(2026, 9, 30)


def test_the_same_calendar_again_changes_nothing():
    s = started()
    assert s.run(cmd.ChangeCalendar(actor="d.admin", calendar=CAL), local(MON, 10)) == []


# --- the district owns the change ---


def test_a_district_admin_closes_a_day_and_the_phases_due_date_moves():
    r = Rollout()
    due = r.state.due_on
    snow = r.state.calendar.add_school_days(MON, 1)
    [changed] = r.run(c.CloseSchoolDay(actor=r.admin, on=snow, reason="Snow"), MON)
    assert changed.type == "DistrictCalendarChanged" and changed.change == "closed" and changed.on == snow
    assert r.state.due_on == changed.due_on == r.state.calendar.add_school_days(due, 1)  # one school day later
    assert not r.state.calendar.is_school_day(snow)


def test_only_a_district_admin_changes_the_calendar():
    r = Rollout()
    r.run(c.SeatCoalition(actor=r.admin, members=SV_COALITION), MON)
    with pytest.raises(NotAllowed) as err:
        r.run(c.CloseSchoolDay(actor="sv.union", on=date(2026, 9, 15), reason="Snow"), MON)
    assert str(err.value) == "Only a district admin of Silver Valley School District can close a school day; sv.union is not one."


def test_publishing_the_same_calendar_is_refused():
    r = Rollout()
    with pytest.raises(InvalidTransition) as err:
        r.run(c.PublishCalendar(actor=r.admin, calendar=r.state.calendar), MON)
    assert str(err.value) == "The new calendar is the same as the current one; nothing would change."


# --- the school carries its clocks across ---


def test_a_snow_day_moves_a_schools_norms_review_and_self_assessment_by_one_school_day():
    s = School()
    norms, assessment = s.state.norms_due_on, s.state.assessment_due_on
    new = closed_on(s.state.calendar, date(2026, 9, 16), "Snow", today=MON)
    [changed] = s.run(m.ChangeCalendar(actor="sv.admin", calendar=new), MON)
    assert changed.type == "SchoolCalendarChanged"
    assert (changed.norms_due_on, changed.assessment_due_on) == (new.add_school_days(norms, 1), new.add_school_days(assessment, 1))
    assert (s.state.norms_due_on, s.state.assessment_due_on, s.state.calendar) == (changed.norms_due_on, changed.assessment_due_on, new)
    assert s.run(m.ChangeCalendar(actor="sv.admin", calendar=new), MON) == []  # a repeated signal changes nothing


def test_a_step_whose_due_date_lay_beyond_the_calendar_resumes_when_next_years_is_published():
    june = date(2028, 6, 5)  # five school days before the calendar ends
    s = TEAM.given_commands((register(), local(june)), (cmd.StartCycle(actor="a.kennedy"), local(june)))
    assert s.state.due_on is None  # the clock stopped: no school day that far ahead
    data = CAL.model_dump(mode="json")
    data["school_years"].append({"name": "2028-29", "start": "2028-08-23", "end": "2029-06-08"})
    new = published(CAL, parse_calendar(data), today=june)
    s.run(cmd.ChangeCalendar(actor="d.admin", calendar=new), local(june, 10))
    assert s.state.due_on == new.add_school_days(june, 5) == date(2028, 8, 23)  # four days in June, the fifth in August
