"""Teams of one district share one calendar and one policy instance in the worker (issue 13, memory per
cached team), and sharing never lets one team's change reach another: the shared values are frozen and the
domain replaces them, it never edits them."""

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from domain.calendar import SchoolCalendar
from domain.calendar_change import closed_on
from domain.rollout.launch import team_start
from domain.shared import shared
from domain.team import commands as cmd
from domain.team.decider import decide
from domain.team.state import TeamState, evolve
from tests.support.builders import calendar, local, register
from workflows.messages import TeamWorkflowInput

MON = date(2026, 9, 14)


def decoded(team_id: str) -> TeamWorkflowInput:
    """A team's first-run input as the worker gets it: JSON, decoded afresh for each team."""
    return TeamWorkflowInput.model_validate_json(TeamWorkflowInput(registration=register(team_id)).model_dump_json())


def folded(registration: cmd.RegisterTeam) -> TeamState:
    state = TeamState()
    for command in team_start(registration):
        for event in decide(state, command, local(MON)):
            state = evolve(state, event)
    return state


def run(state: TeamState, command) -> TeamState:
    for event in decide(state, command, local(MON)):
        state = evolve(state, event)
    return state


def test_two_teams_decoded_separately_hold_one_calendar_and_one_policy():
    a, b = decoded("g7-math").registration, decoded("g8-math").registration
    assert a.calendar is b.calendar and a.policy is b.policy
    assert a.team is not b.team  # what differs per team stays its own
    sa, sb = folded(a), folded(b)
    assert sa.calendar is sb.calendar and sa.policy is sb.policy


def test_a_state_carried_through_continue_as_new_shares_them_too():
    state = folded(decoded("g7-math").registration)
    carried = TeamWorkflowInput.model_validate_json(TeamWorkflowInput(state=state).model_dump_json()).state
    assert carried == state and carried.calendar is state.calendar and carried.policy is state.policy


def test_one_teams_calendar_change_leaves_the_other_team_and_the_shared_value_as_they_were():
    a, b = folded(decoded("g7-math").registration), folded(decoded("g8-math").registration)
    before = b.calendar.model_dump()
    snow = closed_on(a.calendar, date(2026, 9, 16), "Snow", today=MON)
    a = run(a, cmd.ChangeCalendar(actor="district.admin", calendar=snow))
    assert not a.calendar.is_school_day(date(2026, 9, 16))
    assert b.calendar.is_school_day(date(2026, 9, 16)) and b.calendar.model_dump() == before
    assert folded(decoded("g9-math").registration).calendar is b.calendar  # a new team still gets the original


def test_the_shared_values_cannot_be_edited():
    cal = decoded("g7-math").registration.calendar
    with pytest.raises(ValidationError):
        cal.timezone = "America/Chicago"
    with pytest.raises(ValidationError):
        decoded("g7-math").registration.policy.due_school_days = {}


def test_different_values_are_never_merged():
    other = SchoolCalendar.model_validate({**calendar().model_dump(mode="json"), "weekend": [6]})
    assert shared(other) == other and shared(other) is not shared(calendar())
    assert shared(calendar()) == calendar()


def test_only_frozen_models_are_shared():
    class Mutable(BaseModel):
        n: int = 0

    with pytest.raises(TypeError, match="not frozen"):
        shared(Mutable())
