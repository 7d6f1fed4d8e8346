"""Teams over time (issue 9): a school forms, retires and merges teams, and confirms its teams each new year.

A retired team keeps its history and takes no more commands; a new school
year's roster of teams that the principal does not confirm within the first
school days escalates to the principal, then the coalition.
"""

from datetime import date

import pytest

from domain.district import TeamSpec
from domain.errors import InvalidTransition, NotAllowed
from domain.ladder import Rung
from domain.school import commands as m
from domain.school import events as se
from domain.team import commands as cmd
from domain.team import events as te
from tests.support.builders import profile
from tests.support.calendars import layout_around
from tests.support.gwt import TEAM, OnDates
from tests.unit.test_school_rules import TZ, School

ART = TeamSpec(team_id="svm-art", name="Art", kind="content_area", facilitator="svm.ela-lead",
               members=("svm.ela-lead", "svm.teacher7"))


def schoolwide() -> School:
    return School(mode="schoolwide")


def test_the_principal_forms_a_team_at_any_time_and_it_launches_at_once():
    s = schoolwide()
    [formed] = s.run(m.FormTeam(actor="svm.principal", team=ART), date(2026, 10, 5))
    assert formed == se.TeamFormed(at=formed.at, by="svm.principal", team=ART)
    assert s.state.teams["svm-art"].launched_on == date(2026, 10, 5) and ART in s.state.school.teams


@pytest.mark.parametrize(("actor", "team", "error", "says"), [
    ("svm.math-lead", ART, NotAllowed, "Only svm.principal, the principal of Silver Valley Middle School, can form a team."),
    ("svm.principal", ART.model_copy(update={"team_id": "svm-math"}), InvalidTransition,
     "already has (or had) a team svm-math; team ids are never reused"),
    ("svm.principal", ART.model_copy(update={"facilitator": "svm.teacher7"}), InvalidTransition,
     "svm.teacher7 is not a teacher leader of Silver Valley Middle School, so cannot facilitate Art."),
])
def test_forming_a_team_is_refused_with_a_sentence_and_writes_nothing(actor, team, error, says):
    s = schoolwide()
    before = s.state
    with pytest.raises(error, match=says.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        s.run(m.FormTeam(actor=actor, team=team), date(2026, 10, 5))
    assert s.state == before


def test_a_retired_team_stays_in_the_schools_history_and_its_norms_clock_stops():
    s = schoolwide()
    events = s.run(m.RetireTeam(actor="svm.principal", team_id="svm-ela", reason="Folded into Humanities"), date(2026, 10, 5))
    assert [type(e) for e in events][-1] is se.SchoolTeamRetired
    ela = s.state.teams["svm-ela"]
    assert ela.retired_on == date(2026, 10, 5) and not ela.active
    assert "norms:svm-ela" not in {k for k in _watched(s)}
    with pytest.raises(InvalidTransition, match="English Language Arts was retired on 2026-10-05"):
        s.run(m.ReviewNorms(actor="svm.principal", team_id="svm-ela", note="x"), date(2026, 10, 6))
    with pytest.raises(InvalidTransition, match="was retired on 2026-10-05"):
        s.run(m.RetireTeam(actor="svm.principal", team_id="svm-ela", reason="Again"), date(2026, 10, 6))


def test_a_merge_retires_one_team_into_the_other_with_the_reason():
    s = schoolwide()
    [retired] = s.run(m.MergeTeams(actor="svm.principal", team_id="svm-science", into="svm-math", reason="STEM team"),
                      date(2026, 10, 5))
    assert retired.merged_into == "svm-math" and retired.reason == "merged into Mathematics (grades 6-8): STEM team"
    with pytest.raises(InvalidTransition, match="A team cannot be merged into itself."):
        s.run(m.MergeTeams(actor="svm.principal", team_id="svm-math", into="svm-math", reason="One team"), date(2026, 10, 6))


def _watched(s) -> set[str]:
    from domain.school.decider import watches
    return set(watches(s.state))


def test_a_new_years_roster_of_teams_unconfirmed_escalates_to_the_principal_then_the_coalition():
    s = schoolwide()
    with pytest.raises(InvalidTransition, match="already confirmed"):  # the launch confirmed the first year's teams
        s.run(m.ConfirmTeams(actor="svm.principal", team_ids=("svm-math",)), date(2026, 10, 5))
    s.run(m.SchoolTick(), date(2027, 8, 25), hour=7)  # the 2027-28 school year begins
    assert s.state.school_year == "2027-28" and s.state.teams_due_on == date(2027, 9, 9)  # 10 school days in (Labor Day)
    assert s.run(m.SchoolTick(), date(2027, 9, 8), hour=8) == []
    [raised] = [e for e in s.run(m.SchoolTick(), date(2027, 9, 9), hour=8) if e.subject == "teams:2027-28"]
    assert raised.level is Rung.PRINCIPAL and raised.reached == ("svm.principal",)
    assert "the confirmation of the teams for 2027-28 was due 2027-09-09" in raised.reason
    [climbed] = [e for e in s.run(m.SchoolTick(), date(2027, 9, 16), hour=8) if e.subject == "teams:2027-28"]
    assert climbed.level is Rung.COALITION


def test_confirming_keeps_the_named_teams_with_their_history_and_retires_the_rest():
    s = schoolwide()
    s.run(m.RecordNorms(actor="svm.math-lead", team_id="svm-math", procedural=("On time",), conversational=("Why?",)),
          date(2026, 9, 15))
    s.run(m.SchoolTick(), date(2027, 8, 25), hour=7)
    s.run(m.SchoolTick(), date(2027, 9, 9), hour=8)  # escalated
    with pytest.raises(InvalidTransition, match="has no active team svm-chess; form a new team first."):
        s.run(m.ConfirmTeams(actor="svm.principal", team_ids=("svm-math", "svm-chess")), date(2027, 9, 10))
    dropped = sorted(set(s.state.teams) - {"svm-math", "svm-science"})
    events = s.run(m.ConfirmTeams(actor="svm.principal", team_ids=("svm-math", "svm-science")), date(2027, 9, 10))
    assert [type(e) for e in events] == [*[se.SchoolTeamRetired] * len(dropped), se.TeamsConfirmed, se.SchoolEscalationResolved]
    assert [(e.team_id, e.reason) for e in events[:-2]] == [(t, "not in the roster of teams for 2027-28") for t in dropped]
    assert s.state.teams["svm-math"].procedural_norms == ("On time",)  # carried over with its history
    assert "teams:2027-28" not in s.state.escalations and "teams:2027-28" not in _watched(s)


def test_a_retired_team_resolves_its_escalation_ends_with_one_event_and_takes_no_more_commands():
    layout = layout_around(date(2026, 10, 1))
    team = OnDates(TEAM, TZ)
    team.run(cmd.RegisterTeam(actor="district.admin", team=profile("t-1"), calendar=layout.calendar), date(2026, 10, 1))
    team.run(cmd.StartCycle(actor="t.nelson"), date(2026, 10, 1))
    due = team.state.due_on
    team.run(cmd.RaiseDueEscalations(actor="plcflow"), layout.calendar.add_school_days(due, 1), hour=12)
    assert team.state.escalation is not None
    with pytest.raises(NotAllowed, match="the approving principal"):
        team.run(cmd.RetireTeam(actor="t.nelson", reason="Not me"), layout.calendar.add_school_days(due, 2))
    resolved, retired = team.run(cmd.RetireTeam(actor="p.rivera", reason="Merged", merged_into="t-2"),
                                 layout.calendar.add_school_days(due, 2))
    assert isinstance(resolved, te.EscalationResolved) and isinstance(retired, te.TeamRetired)
    assert team.state.retired.merged_into == "t-2" and team.state.step is None and team.state.escalation is None
    with pytest.raises(InvalidTransition, match="was retired on .* \\(Merged\\); it takes no more commands."):
        team.run(cmd.PauseTeam(actor="p.rivera", reason="Testing"), layout.calendar.add_school_days(due, 3))
    assert team.run(cmd.RaiseDueEscalations(actor="plcflow"), layout.calendar.add_school_days(due, 9), hour=12) == []
