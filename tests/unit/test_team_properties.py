"""Properties over any sequence of commands: state is the fold of its events,
the version grows by one per event, and no invalid state is reachable."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.team import commands as cmd
from domain.errors import DomainError
from domain.team.policy import TEAM_LADDER as LADDER
from domain.team.state import TeamState, fold
from domain.steps import STEPS
from tests.support.builders import EVIDENCE, local, register
from tests.support.gwt import given as given_commands

PEOPLE = ["a.kennedy", "t.nelson", "d.slavit", "p.rivera", "c.hill", "stranger"]
START = date(2026, 9, 14)

actors = st.sampled_from(PEOPLE)
steps = st.sampled_from(STEPS)
reasons = st.just("because the data says so")
commands = st.one_of(
    st.builds(lambda a, s: cmd.AdvanceStep(actor=a, step=s, evidence=EVIDENCE[s]), actors, steps),
    st.builds(lambda a, s: cmd.RevisitStep(actor=a, step=s, reason="rethink it"), actors, steps),
    st.builds(lambda a, k: cmd.RecordDecision(actor=a, kind=k, summary="a decision"), actors,
              st.sampled_from(["lateral", "recommendation"])),
    st.builds(lambda a, n, ok: (cmd.ApproveRecommendation if ok else cmd.RejectRecommendation)(
        actor=a, recommendation_id=f"c1-{n}", reason="ruling"), actors, st.integers(1, 4), st.booleans()),
    st.builds(lambda a: cmd.PauseTeam(actor=a, reason="pause it"), actors),
    st.builds(lambda a: cmd.ResumeTeam(actor=a, reason="resume it"), actors),
    st.builds(lambda a: cmd.AcknowledgeEscalation(actor=a, escalation_id="g7-math.1", reason="seen it"), actors),
    st.builds(lambda a, d: cmd.SnoozeEscalation(actor=a, escalation_id="g7-math.1", until=START + timedelta(days=d),
                                                reason="later"), actors, st.integers(0, 30)),
    st.just(cmd.RaiseDueEscalations()),
)
timeline = st.lists(st.tuples(commands, st.integers(0, 3)), max_size=40)


def check_invariants(s: TeamState) -> None:
    assert s.team is not None and s.cycle >= 1 and s.cycles_closed == s.cycle - 1
    assert s.step in STEPS  # a cycle is always open after the first start
    assert all(d.status in ("decided", "pending", "approved", "rejected") for d in s.decisions)
    assert all(d.id.startswith(f"c{s.cycle}-") for d in s.decisions)
    if s.escalation:
        assert s.escalation.step == s.step and s.escalation.level in LADDER
        assert len(set(s.escalation.reached)) == len(s.escalation.reached)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timeline)
def test_any_command_sequence_keeps_state_equal_to_the_fold_of_its_events(plan):
    scenario = given_commands((register(), local(START)), (cmd.StartCycle(actor="a.kennedy"), local(START)))
    day = START
    for command, days_later in plan:
        day += timedelta(days=days_later)
        before = scenario.state.version
        try:
            events = scenario.run(command, local(day, 9))
        except DomainError:
            assert scenario.state.version == before  # a refusal changes nothing
            continue
        assert scenario.state.version == before + len(events)
        check_invariants(scenario.state)
    assert fold(scenario.log) == scenario.state
