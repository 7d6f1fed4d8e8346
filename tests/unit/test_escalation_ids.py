"""Escalation ids are unique by construction, in the team, the school and the rollout (issue 8, defect 4).

An id names one escalation from its first raise to its resolution: a climb to the next rung keeps
it, and no other escalation of the same aggregate ever gets it, open or long resolved (ack/snooze
and the roll-ups to the school and district are keyed by it).
"""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.team import commands as cmd
from domain.team import events as team_events
from domain.errors import DomainError
from domain.ladder import Rung
from domain.rollout import commands as rc
from domain.rollout import events as rollout_events
from domain.rollout.phases import Phase
from domain.school import commands as m
from domain.school.events import SchoolEscalationRaised, SchoolEscalationResolved
from tests.support.builders import local, register
from tests.support.gwt import given as given_commands
from tests.unit.test_rollout_properties import rollout_commands, school_commands
from tests.unit.test_rollout_rules import SV_COALITION, Rollout
from tests.unit.test_school_rules import School
from tests.unit.test_team_properties import commands as team_commands

START = date(2026, 9, 14)


class Escalations:
    """Follows escalations through a log by what they escalate (a team's step, a rollout phase, a school's clock)."""

    def __init__(self):
        self.open: dict[str, str] = {}  # subject -> id
        self.issued: set[str] = set()

    def raised(self, subject: str, escalation_id: str) -> None:
        if subject in self.open:
            assert escalation_id == self.open[subject], f"{subject} climbed under a new id {escalation_id}"
            return
        assert escalation_id not in self.issued, f"a new escalation of {subject} reused {escalation_id}"
        self.open[subject] = escalation_id
        self.issued.add(escalation_id)

    def resolved(self, escalation_id: str) -> None:
        [subject] = [k for k, v in self.open.items() if v == escalation_id]
        del self.open[subject]


def follow(log) -> Escalations:
    seen = Escalations()
    for e in log:
        match e:
            case team_events.EscalationRaised() | rollout_events.RolloutEscalationRaised():
                seen.raised("the one clock", e.escalation_id)
            case SchoolEscalationRaised():
                seen.raised(e.subject, e.escalation_id)
            case team_events.EscalationResolved() | rollout_events.RolloutEscalationResolved() | SchoolEscalationResolved():
                seen.resolved(e.escalation_id)
    return seen


def test_a_new_school_escalation_never_takes_the_id_of_an_open_one():
    # given a pilot school whose two teams' norms reviews are overdue (.1, .2)
    s = School()
    cal, norms_due = s.state.calendar, s.state.norms_due_on
    log = s.run(m.SchoolTick(), cal.add_school_days(norms_due, 1))
    # and, launched schoolwide, two new teams overdue while the first two climb in the same tick
    log += s.run(m.LaunchSchoolwide(actor="plcflow"), cal.add_school_days(norms_due, 2))
    log += s.run(m.SchoolTick(), cal.add_school_days(norms_due, 5))
    log += s.run(m.SchoolTick(), cal.add_school_days(norms_due, 10))
    # when the self-assessment is overdue too
    [assessment] = s.run(m.SchoolTick(), cal.add_school_days(s.state.assessment_due_on, 1))
    # then it gets an id no escalation had before
    assert assessment.level is Rung.PRINCIPAL
    assert assessment.escalation_id == "silver-valley-ms.5"
    assert sorted(e.id for e in s.state.escalations.values()) == [f"silver-valley-ms.{n}" for n in range(1, 6)]
    follow([*log, assessment])


def play(aggregate, plan) -> list:
    """Run a plan of (command, days later); refusals record nothing, so only accepted events make the log."""
    day, log = START, []
    for command, days_later in plan:
        day += timedelta(days=days_later)
        try:
            log += aggregate.run(command, local(day) if hasattr(aggregate, "log") else day)
        except DomainError:
            continue
    return log


LONG = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ticks_often = st.one_of(school_commands, st.just(m.SchoolTick()), st.just(m.LaunchSchoolwide(actor="plcflow")))


@LONG
@given(st.lists(st.tuples(st.one_of(team_commands, st.just(cmd.RaiseDueEscalations())), st.integers(0, 5)), min_size=40, max_size=100))
def test_no_two_team_escalations_share_an_id(plan):
    team = given_commands((register(), local(START)), (cmd.StartCycle(actor="a.kennedy"), local(START)))
    follow(play(team, plan))


@LONG
@given(st.lists(st.tuples(ticks_often, st.integers(0, 12)), min_size=40, max_size=100))
def test_no_two_school_escalations_share_an_id(plan):
    follow(play(School(), plan))


def gate_path(r: Rollout) -> list:
    """What passes each gate up to the launch waves, in order; the plan lets each phase run late first."""
    admin, held = r.admin, START
    return [
        rc.CompletePhase(actor=admin, phase=Phase.FORM_COALITION),
        rc.RecordInquiryActivity(actor=admin, kind="book_study", title="Learning by Doing", held_on=held),
        rc.AdoptGlossary(actor=admin, terms={"PLC": "professional learning community"}),
        rc.SetNonNegotiables(actor=admin, items=("Every teacher belongs to a collaborative team",)),
        *(rc.AlignMissionAndVision(actor=admin, school_id=s.school_id) for s in r.state.district.schools),
        rc.CompletePhase(actor=admin, phase=Phase.BUILD_SHARED_KNOWLEDGE),
        rc.AddLearningSession(actor=admin, term="fall", topic="Realistic goals", held_on=held),
        rc.AddLearningSession(actor=admin, term="spring", topic="Prioritizing standards", held_on=held),
        rc.CompletePhase(actor=admin, phase=Phase.PLAN_LEARNING),
        rc.RecordDistrictNorms(actor=admin, norms=("Start on time",), violation_process="Name it, then talk one to one"),
        rc.CompletePhase(actor=admin, phase=Phase.MODEL_THE_WORK),
    ]


@LONG
@given(st.lists(st.integers(0, 60), min_size=14, max_size=14), st.lists(st.tuples(rollout_commands, st.integers(0, 15)), min_size=20, max_size=60))
def test_no_two_rollout_escalations_share_an_id(lateness, rest):
    r = Rollout()
    r.run(rc.SeatCoalition(actor=r.admin, members=SV_COALITION), START)
    late = [step for command, days in zip(gate_path(r), lateness) for step in ((rc.Tick(), days), (command, 0))]
    follow(play(r, late + rest))
