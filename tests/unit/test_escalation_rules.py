"""The escalation ladder on school-day clocks (DESIGN 'Escalation when a step stalls')."""

from datetime import date

import pytest

from domain.team import commands as cmd
from domain.errors import InvalidTransition, NotAllowed
from domain.escalation import next_escalation_at
from domain.ladder import Rung
from domain.steps import Step
from tests.support.builders import EVIDENCE, local, register
from tests.support.gwt import Scenario, given

MON = date(2026, 9, 14)  # identify_focus due Mon 9/21; ladder +1 team, +3 facilitator, +6 principal, +10 coalition


def started() -> Scenario:
    return given((register(), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))


def tick(s: Scenario, d: date, hour: int = 9):
    return s.run(cmd.RaiseDueEscalations(), local(d, hour))


def test_nothing_escalates_before_the_step_is_overdue():
    s = started()
    assert tick(s, date(2026, 9, 21)) == []


def test_the_first_rung_reaches_the_team_one_school_day_past_due():
    s = started()
    [raised] = tick(s, date(2026, 9, 22))
    assert raised.level is Rung.TEAM and raised.reached == ("t.nelson", "d.slavit", "a.deuel")
    assert raised.escalation_id == "g7-math.1" and "due 2026-09-21" in raised.reason


def test_a_rung_waits_for_the_notify_time():
    s = started()
    assert tick(s, date(2026, 9, 22), hour=6) == []


def test_the_ladder_climbs_to_facilitator_principal_then_coalition():
    s = started()
    levels = []
    for d in [date(2026, 9, 22), date(2026, 9, 24), date(2026, 9, 29), date(2026, 10, 5)]:
        levels += [e.level for e in tick(s, d)]
    assert levels == [Rung.TEAM, Rung.FACILITATOR, Rung.PRINCIPAL, Rung.COALITION]
    assert set(s.state.escalation.reached) >= {"a.kennedy", "p.rivera", "c.hill"}
    assert next_escalation_at(s.state, local(date(2026, 10, 6))) is None  # the top rung is the last


def test_next_escalation_is_computed_at_the_notify_time_of_a_school_day():
    s = started()
    at = next_escalation_at(s.state, local(MON))
    assert at == local(date(2026, 9, 22), 7)


def test_winter_break_never_escalates():
    start = date(2026, 12, 7)
    s = given((register(), local(start)), (cmd.StartCycle(actor="a.kennedy"), local(start)))
    assert s.state.due_on == date(2026, 12, 14)
    assert [e.level for e in tick(s, date(2026, 12, 15)) + tick(s, date(2026, 12, 17))] == [Rung.TEAM, Rung.FACILITATOR]
    assert tick(s, date(2026, 12, 28)) == []
    # principal is +6 school days past due: 15,16,17,18 Dec, then 4 and 5 Jan after the break
    assert next_escalation_at(s.state, local(date(2026, 12, 18), 17)) == local(date(2027, 1, 5), 7)


def test_a_late_timer_on_a_closed_day_waits_for_the_next_school_day():
    s = started()
    saturday = date(2026, 9, 26)
    assert tick(s, saturday) == []
    assert next_escalation_at(s.state, local(saturday)) == local(date(2026, 9, 28), 7)


def test_a_paused_team_never_escalates():
    s = started()
    s.run(cmd.PauseTeam(actor="a.kennedy", reason="Testing window"), local(MON))
    assert tick(s, date(2026, 10, 20)) == [] and next_escalation_at(s.state, local(MON)) is None


def test_moving_the_step_resolves_the_escalation():
    s = started()
    tick(s, date(2026, 9, 22))
    events = s.run(
        cmd.AdvanceStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]), local(date(2026, 9, 22), 10)
    )
    assert "EscalationResolved" in [e.type for e in events] and s.state.escalation is None


def test_acknowledging_holds_the_climb_for_a_bounded_time():
    s = started()
    tick(s, date(2026, 9, 22))
    s.run(cmd.AcknowledgeEscalation(actor="d.slavit", escalation_id="g7-math.1", reason="Meeting Thursday"), local(date(2026, 9, 22), 10))
    assert s.state.escalation.held_until == date(2026, 9, 25)
    assert tick(s, date(2026, 9, 24)) == []  # the facilitator rung was due today, but held
    [raised] = tick(s, date(2026, 9, 25))
    assert raised.level is Rung.FACILITATOR


def test_only_someone_the_escalation_reached_can_acknowledge_it():
    s = started()
    tick(s, date(2026, 9, 22))
    with pytest.raises(NotAllowed, match="did not reach p.rivera"):
        s.run(cmd.AcknowledgeEscalation(actor="p.rivera", escalation_id="g7-math.1", reason="Seen it"), local(date(2026, 9, 22)))


def test_an_escalation_is_held_once_per_rung():
    s = started()
    tick(s, date(2026, 9, 22))
    s.run(cmd.AcknowledgeEscalation(actor="d.slavit", escalation_id="g7-math.1", reason="Meeting Thursday"), local(date(2026, 9, 22)))
    with pytest.raises(InvalidTransition, match="already acknowledged by d.slavit"):
        s.run(cmd.SnoozeEscalation(actor="t.nelson", escalation_id="g7-math.1", until=date(2026, 9, 30), reason="More time"), local(date(2026, 9, 22)))


def test_a_snooze_is_bounded_by_policy():
    s = started()
    tick(s, date(2026, 9, 22))
    with pytest.raises(InvalidTransition, match="at most 10 school days \\(until 2026-10-06\\)"):
        s.run(cmd.SnoozeEscalation(actor="t.nelson", escalation_id="g7-math.1", until=date(2026, 10, 30), reason="Later"), local(date(2026, 9, 22)))
    with pytest.raises(InvalidTransition, match="must end after today"):
        s.run(cmd.SnoozeEscalation(actor="t.nelson", escalation_id="g7-math.1", until=date(2026, 9, 22), reason="Later"), local(date(2026, 9, 22)))


def test_a_snooze_holds_until_its_date():
    s = started()
    tick(s, date(2026, 9, 22))
    s.run(cmd.SnoozeEscalation(actor="t.nelson", escalation_id="g7-math.1", until=date(2026, 10, 3), reason="Data arrives"), local(date(2026, 9, 22)))
    assert s.state.escalation.held_until == date(2026, 10, 5)  # Saturday moves to the next school day
    assert tick(s, date(2026, 10, 2)) == []
    assert [e.level for e in tick(s, date(2026, 10, 5))] == [Rung.FACILITATOR]


def test_acting_on_an_unknown_escalation_is_refused():
    with pytest.raises(InvalidTransition, match="not open"):
        started().run(cmd.AcknowledgeEscalation(actor="t.nelson", escalation_id="g7-math.9", reason="What?"), local(MON))
