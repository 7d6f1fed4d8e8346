"""Properties of the district and school deciders over any command sequence:
state is the fold of the events, each event moves the version by one, a refusal changes nothing."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.ladder import Rung
from domain.rollout import commands as c
from domain.rollout.phases import PHASES
from domain.rollout.state import fold as fold_rollout
from domain.school import commands as m
from domain.school.state import fold as fold_school
from tests.unit.test_rollout_rules import SV_COALITION, Rollout
from tests.unit.test_school_rules import RATINGS, School

START = date(2026, 9, 14)
people = st.sampled_from(["sv.admin", "svm.principal", "svm.math-lead", "sv.union", "nobody"])
schools = st.sampled_from(["silver-valley-ms", "silver-valley-es", "silver-valley-hs"])
rollout_commands = st.one_of(
    st.builds(lambda a: c.SeatCoalition(actor=a, members=SV_COALITION), people),
    st.builds(lambda a, p: c.CompletePhase(actor=a, phase=p), people, st.sampled_from(PHASES)),
    st.builds(lambda a: c.RecordInquiryActivity(actor=a, kind="book_study", title="A book", held_on=START), people),
    st.builds(lambda a: c.AdoptGlossary(actor=a, terms={"PLC": "x"}), people),
    st.builds(lambda a: c.SetNonNegotiables(actor=a, items=("x",)), people),
    st.builds(lambda a, s: c.AlignMissionAndVision(actor=a, school_id=s), people, schools),
    st.builds(lambda a, t: c.AddLearningSession(actor=a, term=t, topic="x", held_on=START), people, st.sampled_from(["2026-27 term 1", " 2026-27 TERM 2", "fall"])),
    st.builds(lambda a: c.RecordDistrictNorms(actor=a, norms=("x",), violation_process="y"), people),
    st.builds(lambda a, k, d, s: c.ScheduleWave(actor=a, kind=k, launch_on=START + timedelta(days=d), school_ids=(s,),
                                                  pilot_team_ids=("svm-math",) if k == "pilot" else ()),
              people, st.sampled_from(["pilot", "schoolwide"]), st.integers(0, 60), schools),
    st.builds(lambda a, s: c.ReviewSchool(actor=a, school_id=s, celebration="yay"), people, schools),
    st.builds(lambda a: c.AcknowledgeRolloutEscalation(actor=a, escalation_id="silver-valley.1", reason="seen it"), people),
    st.just(c.Tick()),
)
school_commands = st.one_of(
    st.builds(lambda a, t: m.RecordNorms(actor=a, team_id=t, procedural=("x",), conversational=("y",)),
              st.sampled_from(["svm.math-lead", "svm.principal", "svm.teacher1"]), st.sampled_from(["svm-math", "svm-ela"])),
    st.builds(lambda a, t: m.ReviewNorms(actor=a, team_id=t, note="ok"), st.sampled_from(["svm.math-lead", "svm.principal"]),
              st.sampled_from(["svm-math", "svm-science"])),
    st.builds(lambda a: m.SelfAssess(actor=a, ratings=RATINGS), st.sampled_from(["svm.principal", "svm.math-lead"])),
    st.just(m.LaunchSchoolwide(actor="plcflow")),
    st.builds(lambda lvl: m.RollUpEscalation(actor="plcflow", team_id="svm-math", escalation_id="svm-math.1", level=lvl, reason="r"),
              st.sampled_from([Rung.PRINCIPAL, Rung.COALITION, None])),
    st.builds(lambda a: m.AcknowledgeSchoolEscalation(actor=a, escalation_id="silver-valley-ms.1", reason="seen it"),
              st.sampled_from(["svm.math-lead", "svm.principal"])),
    st.just(m.SchoolTick()),
)


def check(aggregate, plan, fold) -> None:
    day = START
    log = []
    for command, days_later in plan:
        day += timedelta(days=days_later)
        before = aggregate.state
        try:
            events = aggregate.run(command, day)
        except DomainError:
            assert aggregate.state == before
            continue
        assert aggregate.state.version == before.version + len(events)
        log += events
    assert fold(log, base(aggregate)) == aggregate.state


def base(aggregate):
    return aggregate.initial


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(rollout_commands, st.integers(0, 20)), max_size=30))
def test_a_rollout_is_always_the_fold_of_its_events(plan):
    r = Rollout()
    r.initial = r.state
    check(r, plan, fold_rollout)
    assert r.state.phase in PHASES and list(r.state.completed) == list(PHASES[: len(r.state.completed)])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(school_commands, st.integers(0, 30)), max_size=30))
def test_a_school_is_always_the_fold_of_its_events(plan):
    s = School()
    s.initial = s.state
    check(s, plan, fold_school)
    assert all(t.pilot for i, t in s.state.teams.items() if i in ("svm-math", "svm-science"))
