"""Issue 9: after any sequence of roster changes, ladder ticks and holds, every open escalation
reaches only the current holders of its rungs (and somebody), and the gaps flagged are the gaps there are."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.ladder import merge_reached
from domain.rollout import commands as rc
from domain.rollout.decider import reached_by as rollout_reached_by
from domain.rollout.gates import coalition_gaps
from domain.rollout.phases import Phase
from domain.rollout.policy import DISTRICT_LADDER
from domain.escalation import reached_through
from domain.team import commands as cmd
from domain.team.state import fold
from tests.support.builders import local, register
from tests.support.gwt import given as given_commands

START = date(2026, 9, 14)
PEOPLE = ["a.kennedy", "t.nelson", "d.slavit", "a.deuel", "m.garcia", "j.okafor"]
PRINCIPALS = ["p.rivera", "h.chen"]

people = st.sampled_from(PEOPLE)
principal_of = st.sampled_from(PRINCIPALS)
commands = st.one_of(
    st.builds(lambda a, m: cmd.AddMember(actor=a, member=m), principal_of, people),
    st.builds(lambda a, m: cmd.RemoveMember(actor=a, member=m), principal_of, people),
    st.builds(lambda a, o, i: cmd.ReplaceMember(actor=a, leaving=o, joining=i), principal_of, people, people),
    st.builds(lambda a, f: cmd.ChangeFacilitator(actor=a, facilitator=f), principal_of, people),
    st.builds(lambda p: cmd.ApplySchoolRoster(actor="plcflow", principal=p), principal_of),
    st.builds(lambda f: cmd.ApplySchoolRoster(actor="plcflow", facilitator=f), people),
    st.builds(lambda left: cmd.ApplySchoolRoster(actor="plcflow", left=tuple(left)), st.lists(people, max_size=3)),
    st.builds(lambda seats: cmd.ApplySchoolRoster(actor="plcflow", coalition=tuple(dict.fromkeys(seats))),
              st.lists(st.sampled_from(["c.hill", "c.kullar", "n.ortiz"]), min_size=1, max_size=3)),
    st.builds(lambda a: cmd.AcknowledgeEscalation(actor=a, escalation_id="g7-math.1", reason="seen it"),
              st.sampled_from(PEOPLE + PRINCIPALS)),
    st.just(cmd.RaiseDueEscalations()),
)
timeline = st.lists(st.tuples(commands, st.integers(0, 3)), max_size=50)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timeline)
def test_every_open_escalation_reaches_only_the_current_holders_of_its_rungs(plan):
    scenario = given_commands((register(), local(START)), (cmd.StartCycle(actor="a.kennedy"), local(START)))
    day = START
    for command, days_later in plan:
        day += timedelta(days=days_later)
        try:
            scenario.run(command, local(day))
        except DomainError:
            continue
        s = scenario.state
        if s.escalation:
            assert s.escalation.reached == reached_through(s.escalation.level, s.team)
            assert s.escalation.reached  # never nobody
        gaps = {"members"} if not s.team.members else set()
        gaps |= {"facilitator"} if s.team.facilitator is None else set()
        assert set(s.roster_gaps) == gaps
    assert fold(scenario.log) == scenario.state


# --- the district and a school: the same rule on their own ladders ---

STAFF = ["sv.admin", "svm.principal", "sve.principal", "svh.principal", "sv.teaching", "svm.math-lead", "sv.union",
         "svm.teacher1", "sve.lead"]
district_commands = st.one_of(
    st.builds(lambda m: rc.SeatCoalitionMember(actor="sv.admin", member=m), st.sampled_from(STAFF)),
    st.builds(lambda m: rc.UnseatCoalitionMember(actor="sv.admin", member=m), st.sampled_from(STAFF)),
    st.builds(lambda m: rc.PersonLeaves(actor="sv.admin", person_id=m, reason="Moved on"), st.sampled_from(STAFF[4:])),
    st.just(rc.Tick()),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(district_commands, st.integers(0, 4)), max_size=30))
def test_a_districts_open_escalations_reach_only_current_holders(plan):
    from tests.unit.test_rollout_rules import Rollout

    r, day = Rollout(), START
    r.run(rc.SeatCoalition(actor="sv.admin", members=tuple(STAFF[:7])), day)
    r.run(rc.CompletePhase(actor="sv.admin", phase=Phase.FORM_COALITION), day)  # from here a gap is an escalation
    cal = r.state.calendar
    for offset in (1, 5):  # the next phase overdue: its escalation reached the admins, then the coalition
        day = cal.add_school_days(r.state.due_on, offset)
        r.run(rc.Tick(), day)
    for command, days_later in plan:
        day += timedelta(days=days_later)
        try:
            r.run(command, day)
        except DomainError:
            continue
        s = r.state
        if s.escalation:
            expected: tuple[str, ...] = ()
            for rung in DISTRICT_LADDER[: DISTRICT_LADDER.index(s.escalation.level) + 1]:
                expected = merge_reached(expected, rollout_reached_by(s, rung))
            assert s.escalation.reached == expected
        gaps = coalition_gaps(s.district, s.coalition) if Phase.FORM_COALITION in s.completed else []
        assert (s.coalition_gap is not None) == bool(gaps)
