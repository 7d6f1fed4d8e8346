"""A team's people change (issue 9, "People and roles change"): one given/when/then test per rule."""

from datetime import date

import pytest
from pydantic import ValidationError

from domain.errors import InvalidTransition, NotAllowed
from domain.ladder import Rung
from domain.rollout.launch import LAUNCHER
from domain.steps import Step
from domain.team import commands as cmd
from domain.team import events as ev
from domain.team.profile import TeamProfile
from domain.team.roster import LAUNCHER as TEAM_SIDE_LAUNCHER
from tests.support.builders import EVIDENCE, calendar, local, profile, register
from tests.support.gwt import Scenario, given

MON = date(2026, 9, 14)  # identify_focus due Mon 9/21; +1 team (9/22), +3 facilitator (9/24), +6 principal (9/29)
AT = local(date(2026, 9, 15))
MEMBERS = ("t.nelson", "d.slavit", "a.deuel")


def started(registration: cmd.RegisterTeam | None = None) -> Scenario:
    return given((registration or register(), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))


def launched() -> Scenario:
    return started(cmd.RegisterTeam(actor=LAUNCHER, team=profile(), calendar=calendar()))


def escalated_to(s: Scenario, *days: date) -> Scenario:
    for d in days:
        s.run(cmd.RaiseDueEscalations(), local(d))
    return s


def test_the_team_knows_the_launcher_the_rollout_records():
    assert TEAM_SIDE_LAUNCHER == LAUNCHER


# --- who may change the roster ---


def test_the_principal_adds_a_member_at_the_end_of_the_roster():
    started().when(cmd.AddMember(actor="p.rivera", member="j.okafor"), AT).then(
        ev.MemberAdded(at=AT, by="p.rivera", member="j.okafor")
    )


def test_a_stranger_cannot_change_the_roster():
    started().when(cmd.AddMember(actor="t.nelson", member="j.okafor"), AT).refused(
        NotAllowed, "Only p.rivera, the principal of Grade 7 Math, can change who is on it; t.nelson is not."
    )


def test_adding_someone_already_on_the_team_is_refused():
    started().when(cmd.AddMember(actor="p.rivera", member="d.slavit"), AT).refused(
        InvalidTransition, "d.slavit is already a member of Grade 7 Math."
    )


def test_removing_someone_not_on_the_team_is_refused():
    started().when(cmd.RemoveMember(actor="p.rivera", member="j.okafor"), AT).refused(
        InvalidTransition, "j.okafor is not a member of Grade 7 Math."
    )


def test_a_replacement_takes_the_place_of_the_member_who_leaves():
    s = started().when(cmd.ReplaceMember(actor="p.rivera", leaving="d.slavit", joining="j.okafor"), AT).then(
        ev.MemberReplaced(at=AT, by="p.rivera", leaving="d.slavit", joining="j.okafor")
    )
    assert s.state.team.members == ("t.nelson", "j.okafor", "a.deuel")


def test_a_replacement_must_be_new_to_the_team():
    started().when(cmd.ReplaceMember(actor="p.rivera", leaving="d.slavit", joining="a.deuel"), AT).refused(
        InvalidTransition, "a.deuel is already a member of Grade 7 Math."
    )


def test_a_standalone_teams_principal_names_its_facilitator():
    started().when(cmd.ChangeFacilitator(actor="p.rivera", facilitator="m.garcia"), AT).then(
        ev.FacilitatorChanged(at=AT, by="p.rivera", facilitator="m.garcia", was="a.kennedy")
    )


def test_naming_the_current_facilitator_again_is_refused():
    started().when(cmd.ChangeFacilitator(actor="p.rivera", facilitator="a.kennedy"), AT).refused(
        InvalidTransition, "a.kennedy already facilitates Grade 7 Math."
    )


def test_a_launched_teams_facilitator_is_changed_at_its_school():
    launched().when(cmd.ChangeFacilitator(actor="p.rivera", facilitator="m.garcia"), AT).refused(
        InvalidTransition,
        "Grade 7 Math was launched by its school; its facilitator is changed at silver-valley-ms, "
        "which names one of its teacher leaders.",
    )


def test_a_new_team_still_needs_a_facilitator_and_members():
    empty = TeamProfile(**{**profile().model_dump(), "members": ()})
    with pytest.raises(ValidationError, match="registered with a facilitator and at least one member"):
        cmd.RegisterTeam(actor="district.admin", team=empty, calendar=calendar())


# --- authorization follows the roster at once ---


def test_a_removed_member_can_no_longer_advance():
    s = started()
    s.run(cmd.RemoveMember(actor="p.rivera", member="t.nelson"), AT)
    s.when(cmd.AdvanceStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]), AT).refused(
        NotAllowed, "Only members of Grade 7 Math can advance its cycle; t.nelson is not one."
    )


def test_an_added_member_can_advance_at_once():
    s = started()
    s.run(cmd.AddMember(actor="p.rivera", member="j.okafor"), AT)
    [done, *_] = s.run(cmd.AdvanceStep(actor="j.okafor", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]), AT)
    assert done.by == "j.okafor"


def test_a_new_principal_rules_on_the_pending_recommendation_and_the_old_one_cannot():
    s = started()
    s.run(cmd.RecordDecision(actor="t.nelson", kind="recommendation", summary="Buy manipulatives"), AT)
    s.run(cmd.ApplySchoolRoster(actor="p.rivera", principal="h.chen"), AT)
    approve = cmd.ApproveRecommendation(actor="p.rivera", recommendation_id="c1-1", reason="Good plan")
    s.when(approve, AT).refused(NotAllowed, "Only h.chen, the approving principal of Grade 7 Math, can approve a recommendation.")
    [approved] = s.run(approve.model_copy(update={"actor": "h.chen"}), AT)
    assert approved.by == "h.chen"


# --- an open escalation reaches the current holders ---


def test_a_new_facilitator_is_reached_by_an_escalation_that_reached_the_old_one():
    s = escalated_to(launched(), date(2026, 9, 22), date(2026, 9, 24))
    assert s.state.escalation.level is Rung.FACILITATOR
    s.when(cmd.ApplySchoolRoster(actor="p.rivera", facilitator="m.garcia"), AT).then(
        ev.FacilitatorChanged(at=AT, by="p.rivera", facilitator="m.garcia", was="a.kennedy"),
        ev.EscalationReassigned(at=AT, escalation_id="g7-math.1", level=Rung.FACILITATOR, reached=(*MEMBERS, "m.garcia"),
                                newly_reached=("m.garcia",), no_longer=("a.kennedy",), why="the roster of Grade 7 Math changed"),
    )


def test_someone_no_longer_reached_cannot_hold_the_escalation_and_the_new_holder_can():
    s = escalated_to(launched(), date(2026, 9, 22), date(2026, 9, 24))
    s.run(cmd.ApplySchoolRoster(actor="p.rivera", facilitator="m.garcia"), AT)
    ack = cmd.AcknowledgeEscalation(actor="a.kennedy", escalation_id="g7-math.1", reason="On it")
    s.when(ack, AT).refused(
        NotAllowed, "Escalation g7-math.1 did not reach a.kennedy; only t.nelson, d.slavit, a.deuel, m.garcia can act on it."
    )
    [held] = s.run(ack.model_copy(update={"actor": "m.garcia"}), AT)
    assert held.by == "m.garcia"


def test_a_removed_member_is_no_longer_reached_by_the_teams_escalation():
    s = escalated_to(started(), date(2026, 9, 22))
    [_, reassigned] = s.run(cmd.RemoveMember(actor="p.rivera", member="d.slavit"), AT)
    assert reassigned.reached == ("t.nelson", "a.deuel") and reassigned.no_longer == ("d.slavit",)


def test_a_change_that_touches_nobody_reached_reassigns_nothing():
    s = escalated_to(started(), date(2026, 9, 22))  # the team rung: members only
    s.when(cmd.ChangeFacilitator(actor="p.rivera", facilitator="m.garcia"), AT).then(
        ev.FacilitatorChanged(at=AT, by="p.rivera", facilitator="m.garcia", was="a.kennedy")
    )


# --- a team left without people is flagged to its principal ---


def test_a_facilitator_who_leaves_leaves_a_gap_flagged_to_the_principal():
    s = escalated_to(launched(), date(2026, 9, 22), date(2026, 9, 24))
    s.when(cmd.ApplySchoolRoster(actor="d.admin", left=("a.kennedy",)), AT).then(
        ev.FacilitatorChanged(at=AT, by="d.admin", facilitator=None, was="a.kennedy"),
        ev.EscalationReassigned(at=AT, escalation_id="g7-math.1", level=Rung.FACILITATOR, reached=(*MEMBERS, "p.rivera"),
                                newly_reached=("p.rivera",), no_longer=("a.kennedy",), why="the roster of Grade 7 Math changed"),
        ev.RosterGapFlagged(at=AT, gap="facilitator", reached=("p.rivera",),
                            reason="Grade 7 Math has no facilitator; name one of the school's teacher leaders."),
    )


def test_the_last_member_removed_flags_the_team_to_the_principal():
    s = started()
    for m in MEMBERS[:-1]:
        s.run(cmd.RemoveMember(actor="p.rivera", member=m), AT)
    s.when(cmd.RemoveMember(actor="p.rivera", member="a.deuel"), AT).then(
        ev.MemberRemoved(at=AT, by="p.rivera", member="a.deuel"),
        ev.RosterGapFlagged(at=AT, gap="members", reached=("p.rivera",),
                            reason="Grade 7 Math has no members left; add or replace members so its cycle can go on."),
    )


def test_a_team_without_members_escalates_its_team_rung_to_the_principal_not_to_nobody():
    s = started()
    for m in MEMBERS:
        s.run(cmd.RemoveMember(actor="p.rivera", member=m), AT)
    [raised] = s.run(cmd.RaiseDueEscalations(), local(date(2026, 9, 22)))
    assert raised.level is Rung.TEAM and raised.reached == ("p.rivera",)


def test_a_gap_filled_is_recorded_as_filled():
    s = started()
    s.run(cmd.ApplySchoolRoster(actor="d.admin", left=("a.kennedy",)), AT)
    s.when(cmd.ChangeFacilitator(actor="p.rivera", facilitator="m.garcia"), AT).then(
        ev.FacilitatorChanged(at=AT, by="p.rivera", facilitator="m.garcia", was=None),
        ev.RosterGapFilled(at=AT, gap="facilitator"),
    )
    assert s.state.roster_gaps == ()


def test_the_same_school_change_twice_changes_nothing_the_second_time():
    s = started()
    change = cmd.ApplySchoolRoster(actor="p.rivera", principal="h.chen", left=("t.nelson",))
    assert len(s.run(change, AT)) == 2
    s.when(change, AT).then()


def test_a_reseated_coalition_takes_over_an_escalation_at_the_top_rung():
    s = escalated_to(launched(), date(2026, 9, 22), date(2026, 9, 24), date(2026, 9, 29), date(2026, 10, 5))
    assert s.state.escalation.level is Rung.COALITION
    [changed, moved] = s.run(cmd.ApplySchoolRoster(actor="sv.admin", coalition=("c.hill", "n.ortiz")), AT)
    assert changed == ev.CoalitionChanged(at=AT, by="sv.admin", coalition=("c.hill", "n.ortiz"))
    assert moved.newly_reached == ("n.ortiz",) and moved.no_longer == ("c.kullar",)
