"""A school's adoption rules (seed 002): teams, norms each term, the rubric twice a year, roll-ups."""

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.files import load_district_file
from domain.errors import InvalidTransition, NotAllowed
from domain.ladder import Rung
from domain.rubric import trend
from domain.school import commands as m
from domain.school.decider import next_tick_at
from tests.support.gwt import SCHOOL, OnDates

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"
TZ = ZoneInfo("America/Los_Angeles")
START = load_district_file(EXAMPLES / "silver-valley.yaml")
MIDDLE = START.district.school("silver-valley-ms")
RATINGS = {d.id: "Developing" for d in START.rubric.dimensions}


def at(d: date, hour: int = 9) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=TZ)


class School(OnDates):
    def __init__(self, mode="pilot", on=date(2026, 9, 14)):
        super().__init__(SCHOOL, TZ)
        self.run(m.OpenSchool(actor="sv.admin", district_id="silver-valley", school=MIDDLE, calendar=START.calendar,
                              rubric=START.rubric, coalition=("sv.admin", "svm.principal"), mode=mode,
                              pilot_team_ids=("svm-math", "svm-science") if mode == "pilot" else ()), on)


def test_a_pilot_school_launches_only_its_volunteer_teams():
    s = School()
    assert sorted(s.state.teams) == ["svm-math", "svm-science"] and s.state.term == "2026-27 term 1"


def test_the_schoolwide_launch_carries_the_pilot_teams_in():
    s = School()
    s.run(m.RecordNorms(actor="svm.math-lead", team_id="svm-math", procedural=("Be on time",),
                        conversational=("Press each other's thinking",)), date(2026, 9, 15))
    [launched] = s.run(m.LaunchSchoolwide(actor="sv.admin"), date(2027, 1, 11))
    assert launched.carried_over == ("svm-math", "svm-science") and "svm-ela" in launched.team_ids
    math = s.state.teams["svm-math"]
    assert math.pilot and math.launched_on == date(2026, 9, 14) and math.procedural_norms == ("Be on time",)
    assert s.run(m.LaunchSchoolwide(actor="sv.admin"), date(2027, 1, 12)) == []  # a repeated signal changes nothing


def test_only_the_facilitator_or_principal_keep_a_teams_norms():
    s = School()
    with pytest.raises(NotAllowed, match="Only svm.math-lead, the facilitator of Mathematics"):
        s.run(m.RecordNorms(actor="svm.teacher1", team_id="svm-math", procedural=("x",), conversational=("y",)), date(2026, 9, 15))


def test_an_overdue_norms_review_climbs_facilitator_then_principal():
    s = School()
    due = s.state.norms_due_on
    cal = START.calendar
    raised = s.run(m.SchoolTick(), cal.add_school_days(due, 1))
    assert {(e.subject, e.level) for e in raised} == {("norms:svm-math", Rung.FACILITATOR), ("norms:svm-science", Rung.FACILITATOR)}
    raised = s.run(m.SchoolTick(), cal.add_school_days(due, 5))
    assert {e.level for e in raised} == {Rung.PRINCIPAL} and raised[0].reached == ("svm.principal",)
    s.run(m.RecordNorms(actor="svm.principal", team_id="svm-math", procedural=("Be on time",), conversational=("Ask why",)),
          cal.add_school_days(due, 5))
    assert list(s.state.escalations) == ["norms:svm-science"]


def test_the_school_self_assesses_once_a_term_on_every_dimension():
    s = School(mode="schoolwide")
    with pytest.raises(InvalidTransition, match="no rating for Collaboration and Teamwork"):
        s.run(m.SelfAssess(actor="svm.principal", ratings={k: v for k, v in RATINGS.items() if k != "collaboration"}), date(2026, 12, 1))
    with pytest.raises(InvalidTransition, match="'Excellent' \\(collaboration\\) is not a level"):
        s.run(m.SelfAssess(actor="svm.principal", ratings={**RATINGS, "collaboration": "Excellent"}), date(2026, 12, 1))
    with pytest.raises(NotAllowed):
        s.run(m.SelfAssess(actor="svm.math-lead", ratings=RATINGS), date(2026, 12, 1))
    s.run(m.SelfAssess(actor="svm.principal", ratings=RATINGS), date(2026, 12, 1))
    with pytest.raises(InvalidTransition, match="already self-assessed in 2026-27 term 1"):
        s.run(m.SelfAssess(actor="svm.principal", ratings=RATINGS), date(2026, 12, 2))


def test_the_trend_across_assessments_is_kept():
    s = School(mode="schoolwide")
    s.run(m.SelfAssess(actor="svm.principal", ratings=RATINGS), date(2026, 12, 1))
    s.run(m.SchoolTick(), date(2027, 1, 28))  # term 2 begins
    s.run(m.SelfAssess(actor="svm.principal", ratings={**RATINGS, "collaboration": "Implementing"}), date(2027, 5, 3))
    assert trend(START.rubric, s.state.assessments)["collaboration"] == 1
    assert [a.term for a in s.state.assessments] == ["2026-27 term 1", "2026-27 term 2"]


def test_a_missed_self_assessment_climbs_to_the_coalition():
    s = School(mode="schoolwide")
    due, cal = s.state.assessment_due_on, START.calendar
    s.run(m.SchoolTick(), cal.add_school_days(due, 1))
    raised = s.run(m.SchoolTick(), cal.add_school_days(due, 5))
    coalition = [e for e in raised if e.subject == "assessment"]
    assert coalition and coalition[0].level is Rung.COALITION and coalition[0].reached == ("sv.admin", "svm.principal")


def test_a_new_term_resolves_last_terms_escalations_and_reopens_the_clocks():
    s = School()
    cal = START.calendar
    s.run(m.SchoolTick(), cal.add_school_days(s.state.norms_due_on, 1))
    events = s.run(m.SchoolTick(), date(2027, 1, 28))
    assert [e.type for e in events].count("SchoolEscalationResolved") == 2 and s.state.term == "2026-27 term 2"
    assert next_tick_at(s.state, at(date(2027, 1, 28))) is not None


def test_team_escalations_reaching_the_principal_are_visible_on_the_school():
    s = School()
    s.run(m.RollUpEscalation(actor="plcflow", team_id="svm-math", escalation_id="svm-math.1", level=Rung.PRINCIPAL,
                             reason="analyze is 6 school days overdue"), date(2026, 10, 5))
    assert s.state.rolled_up["svm-math.1"].level is Rung.PRINCIPAL
    s.run(m.RollUpEscalation(actor="plcflow", team_id="svm-math", escalation_id="svm-math.1", level=None), date(2026, 10, 6))
    assert s.state.rolled_up == {}


def test_a_school_may_show_only_what_reaches_the_coalition():
    s = School()
    s.state = s.state.model_copy(update={"policy": s.state.policy.model_copy(update={"visible_from": Rung.COALITION})})
    assert s.run(m.RollUpEscalation(actor="plcflow", team_id="svm-math", escalation_id="svm-math.1", level=Rung.PRINCIPAL,
                                    reason="late"), date(2026, 10, 5)) == []
    s.run(m.RollUpEscalation(actor="plcflow", team_id="svm-math", escalation_id="svm-math.1", level=Rung.COALITION,
                             reason="later"), date(2026, 10, 9))
    assert s.state.rolled_up["svm-math.1"].level is Rung.COALITION
