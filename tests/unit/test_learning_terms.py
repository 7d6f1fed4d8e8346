"""Learning-plan terms are the calendar's own (issue 8, defect 7): "fall" and "Fall " were two terms.

A calendar names its terms, or each school year's halves are its terms; a
session names one of them, whatever its case and spacing, and is stored as the
calendar spells it. Events stored with free-text terms still fold.
"""

from datetime import date

import pytest

from domain.calendar import SchoolCalendar, parse_calendar
from domain.errors import InvalidConfiguration, InvalidTransition
from domain.rollout import commands as c
from domain.rollout import events as ev
from domain.rollout.decider import GateNotPassed, decide_with_free_text_terms
from domain.rollout.phases import Phase
from domain.rollout.state import evolve
from domain.school.terms import term_named, terms
from tests.unit.test_rollout_rules import MON, Rollout, at, through_shared_knowledge

HALVES = "2026-27 term 1, 2026-27 term 2, 2027-28 term 1, 2027-28 term 2"


def planning(named_terms: bool = False) -> Rollout:
    r = Rollout()
    if named_terms:  # the example district, on a calendar that names its terms
        r.state = r.state.model_copy(update={"calendar": named_calendar()})
    through_shared_knowledge(r)
    return r


def named_calendar() -> SchoolCalendar:
    return SchoolCalendar.model_validate({
        "timezone": "America/Los_Angeles",
        "school_years": [{"name": "2026-27", "start": "2026-08-26", "end": "2027-06-11", "terms": [
            {"name": "Fall 2026", "start": "2026-08-26", "end": "2026-12-18"},
            {"name": "Spring 2027", "start": "2027-01-04", "end": "2027-06-11"},
        ]}],
    })


def session(r: Rollout, term: str):
    return r.run(c.AddLearningSession(actor=r.admin, term=term, topic="Realistic goals", held_on=MON), MON)


def test_a_term_the_calendar_does_not_have_is_refused_with_the_terms_it_has():
    r = planning()
    with pytest.raises(InvalidTransition) as err:
        session(r, "fall")
    assert err.value.reason == f"'fall' is not a term of Silver Valley School District's calendar; its terms are {HALVES}."
    assert r.state.sessions == ()


def test_a_term_matches_whatever_its_case_and_spacing_and_is_stored_as_the_calendar_spells_it():
    r = planning()
    (added,) = session(r, "  2026-27   TERM 1 ")
    assert added.term == "2026-27 term 1"


def test_one_term_spelled_two_ways_is_still_one_term_at_the_gate():
    r = planning()
    session(r, "2026-27 term 1")
    session(r, "2026-27 Term 1 ")
    with pytest.raises(GateNotPassed, match="at least two sessions across at least two terms"):
        r.run(c.CompletePhase(actor=r.admin, phase=Phase.PLAN_LEARNING), MON)
    session(r, "2026-27 term 2")
    r.run(c.CompletePhase(actor=r.admin, phase=Phase.PLAN_LEARNING), MON)
    assert r.state.phase is Phase.MODEL_THE_WORK


def test_terms_the_calendar_names_are_the_terms():
    r = planning(named_terms=True)
    (added,) = session(r, "fall 2026")
    assert added.term == "Fall 2026"
    with pytest.raises(InvalidTransition, match="its terms are Fall 2026, Spring 2027.$"):
        session(r, "2026-27 term 1")


def test_named_terms_also_set_the_schools_rhythm():
    cal = named_calendar()
    assert [(t.name, t.start, t.end) for t in terms(cal)] == [
        ("Fall 2026", date(2026, 8, 26), date(2026, 12, 18)), ("Spring 2027", date(2027, 1, 4), date(2027, 6, 11)),
    ]
    assert term_named(cal, "SPRING 2027").name == "Spring 2027" and term_named(cal, "summer") is None


def test_a_calendars_named_terms_lie_in_their_year_in_order_with_distinct_names():
    with pytest.raises(InvalidConfiguration) as err:
        parse_calendar({"timezone": "America/Los_Angeles", "school_years": [
            {"name": "2026-27", "start": "2026-08-26", "end": "2027-06-11", "terms": [
                {"name": "Fall", "start": "2026-08-01", "end": "2026-12-18"},
                {"name": "Winter", "start": "2026-12-01", "end": "2027-03-01"},
            ]},
            {"name": "2027-28", "start": "2027-08-25", "end": "2028-06-09", "terms": [
                {"name": "fall ", "start": "2027-08-25", "end": "2027-12-17"},
            ]},
        ]})
    assert err.value.problems == [
        "school_years[0].terms[0].start: term 'Fall' must lie inside school year '2026-27' (2026-08-26 to 2027-06-11)",
        "school_years[0].terms[1].start: term 'Winter' must start after 'Fall' ends (2026-12-18)",
        "school_years[1].terms[0].name: 'fall' is already the name of a term in 2026-27; give each term its own name",
    ]


def test_sessions_stored_with_free_text_terms_still_fold():
    r = planning()
    now = at(MON)
    for term in ("fall", "Fall "):
        r.state = evolve(r.state, ev.LearningSessionAdded(at=now, by=r.admin, term=term, topic="Goals", held_on=MON))
    assert [s.term for s in r.state.sessions] == ["fall", "Fall "]


def test_histories_recorded_with_free_text_terms_re_decide_as_they_did():
    # Only the district workflow's replay of a history recorded before the change uses this (workflow.patched).
    r = planning()
    command = c.AddLearningSession(actor=r.admin, term="fall", topic="Goals", held_on=MON)
    (added,) = decide_with_free_text_terms(r.state, command, at(MON))
    assert added.term == "fall"
