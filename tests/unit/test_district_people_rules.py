"""The district's people change (issue 9): staff join, change roles and leave; coalition seats rotate."""

from datetime import date

from domain.district import Person, Role
from domain.errors import InvalidTransition, NotAllowed
from domain.ladder import Rung
from domain.rollout import commands as c
from domain.rollout import events as ev
from domain.rollout.people import on_school_started, school_changes
from domain.rollout.phases import Phase
from domain.school.commands import ApplyDistrictRoster
from tests.unit.test_rollout_rules import MON, SV_COALITION, Rollout, at, through_coalition

AT = at(MON)
NEWCOMER = Person(id="svm.teacher9", roles=(Role.TEACHER,), school="silver-valley-ms")


def when(r: Rollout, command):
    return r.scenario.when(command, AT)


def test_an_admin_adds_a_person():
    when(Rollout(), c.AddPerson(actor="sv.admin", person=NEWCOMER)).then(
        ev.PersonAdded(at=AT, by="sv.admin", person=NEWCOMER)
    )


def test_only_an_admin_changes_the_staff_list():
    when(Rollout(), c.AddPerson(actor="svm.principal", person=NEWCOMER)).refused(
        NotAllowed, "Only a district admin of Silver Valley School District can add a person; svm.principal is not one."
    )


def test_a_person_who_would_not_hold_together_is_refused():
    nowhere = Person(id="svm.teacher9", roles=(Role.TEACHER,), school="atlantis-ms")
    when(Rollout(), c.AddPerson(actor="sv.admin", person=nowhere)).refused(
        InvalidTransition,
        "The staff list would not hold together: people[27].school: svm.teacher9 is a teacher and needs one of the district's schools.",
    )


def test_a_sitting_principal_keeps_the_role_until_the_school_has_another():
    when(Rollout(), c.ChangeRoles(actor="sv.admin", person_id="svm.principal", roles=(Role.TEACHER,), school="silver-valley-ms")).refused(
        InvalidTransition,
        "The staff list would not hold together: schools[0].principal: 'svm.principal' does not have the role principal; "
        "schools[0].teams[3].facilitator: 'svm.principal' does not have the role principal.",
    )


def test_a_teacher_becomes_a_teacher_leader():
    r = Rollout()
    was = r.state.district.person("svm.teacher1")
    now = Person(id="svm.teacher1", roles=(Role.TEACHER, Role.TEACHER_LEADER), school="silver-valley-ms")
    when(r, c.ChangeRoles(actor="sv.admin", person_id="svm.teacher1", roles=now.roles, school="silver-valley-ms")).then(
        ev.RolesChanged(at=AT, by="sv.admin", person=now, was=was)
    )
    assert Role.TEACHER_LEADER in r.state.district.person("svm.teacher1").roles


def test_a_person_who_leaves_is_kept_in_history_and_removed_from_the_staff_list_and_the_coalition():
    r = Rollout()
    through_coalition(r)
    when(r, c.PersonLeaves(actor="sv.admin", person_id="svm.math-lead", reason="Moved out of state")).then(
        ev.PersonLeft(at=AT, by="sv.admin", person_id="svm.math-lead", reason="Moved out of state"),
        ev.CoalitionMemberUnseated(at=AT, by="sv.admin", member="svm.math-lead"),
        ev.CoalitionGapRaised(at=AT, escalation_id="silver-valley.1", level=Rung.DISTRICT_ADMIN, reached=("sv.admin",),
                              reason="The guiding coalition of Silver Valley School District is no longer representative: it needs a teacher leader.",
                              on=MON, missing=("a teacher leader",)),
    )
    assert r.state.district.person("svm.math-lead") is None and r.state.departed == ("svm.math-lead",)
    assert Phase.FORM_COALITION in r.state.completed  # the phase is not undone


def test_a_principal_cannot_leave_before_the_school_has_another():
    when(Rollout(), c.PersonLeaves(actor="sv.admin", person_id="svm.principal", reason="Retired")).refused(
        InvalidTransition, "svm.principal is the principal of Silver Valley Middle School; name a new principal there first."
    )


def test_unseating_the_union_leader_after_the_coalition_formed_names_the_missing_seat():
    r = Rollout()
    through_coalition(r)
    [unseated, raised] = r.run(c.UnseatCoalitionMember(actor="sv.admin", member="sv.union"), MON)
    assert raised.missing == ("union leadership",) and raised.reached == ("sv.admin",)
    assert r.state.coalition_gap.id == raised.escalation_id


def test_seating_the_missing_seat_resolves_the_gap():
    r = Rollout()
    through_coalition(r)
    [_, raised] = r.run(c.UnseatCoalitionMember(actor="sv.admin", member="sv.union"), MON)
    when(r, c.SeatCoalitionMember(actor="sv.admin", member="sv.union")).then(
        ev.CoalitionMemberSeated(at=AT, by="sv.admin", member="sv.union"),
        ev.CoalitionGapResolved(at=AT, escalation_id=raised.escalation_id, why="the coalition is representative again"),
    )


def test_while_the_coalition_is_still_forming_its_gaps_are_that_phases_work_not_an_escalation():
    r = Rollout()
    r.run(c.SeatCoalition(actor="sv.admin", members=SV_COALITION), MON)
    when(r, c.UnseatCoalitionMember(actor="sv.admin", member="sv.union")).then(
        ev.CoalitionMemberUnseated(at=AT, by="sv.admin", member="sv.union")
    )


def test_seating_someone_not_on_the_staff_list_is_refused():
    when(Rollout(), c.SeatCoalitionMember(actor="sv.admin", member="x.stranger")).refused(
        InvalidTransition, "x.stranger is not on the staff list of Silver Valley School District."
    )


def test_an_open_phase_escalation_that_reached_an_unseated_member_no_longer_reaches_them():
    r = Rollout()
    r.run(c.SeatCoalition(actor="sv.admin", members=SV_COALITION), MON)
    cal = r.state.calendar
    for offset in (1, 5):  # district admin, then the coalition
        r.run(c.Tick(), cal.add_school_days(r.state.due_on, offset))
    assert r.state.escalation.level is Rung.COALITION and "sv.union" in r.state.escalation.reached
    events = r.run(c.UnseatCoalitionMember(actor="sv.admin", member="sv.union"), cal.add_school_days(r.state.due_on, 5))
    [moved] = [e for e in events if isinstance(e, ev.RolloutEscalationReassigned)]
    assert moved.no_longer == ("sv.union",) and "sv.union" not in r.state.escalation.reached


def test_a_school_started_after_people_left_is_told_who_is_gone():
    r = Rollout()
    assert on_school_started(r.state) == []
    r.run(c.PersonLeaves(actor="sv.admin", person_id="svm.teacher4", reason="Retired"), MON)
    assert on_school_started(r.state) == [ApplyDistrictRoster(actor="plcflow", left=("svm.teacher4",))]


def test_the_schools_learn_the_coalition_as_reseated_and_who_left():
    r = Rollout()
    through_coalition(r)
    events = r.run(c.PersonLeaves(actor="sv.admin", person_id="svm.math-lead", reason="Moved away"), MON)
    reseated = tuple(m for m in SV_COALITION if m != "svm.math-lead")
    assert school_changes(r.state, events) == [
        ApplyDistrictRoster(actor="sv.admin", left=("svm.math-lead",)),
        ApplyDistrictRoster(actor="sv.admin", coalition=reseated),
    ]


def test_a_principal_the_school_replaced_may_leave_and_the_new_one_may_not():
    r = Rollout()
    r.run(c.AddPerson(actor="sv.admin", person=Person(id="h.chen", roles=(Role.PRINCIPAL,), school="silver-valley-ms")), MON)
    when(r, c.RecordSchoolPrincipal(actor="sv.admin", school_id="silver-valley-ms", principal="h.chen")).then(
        ev.SchoolPrincipalRecorded(at=AT, by="sv.admin", school_id="silver-valley-ms", principal="h.chen")
    )
    assert r.run(c.RecordSchoolPrincipal(actor="sv.admin", school_id="silver-valley-ms", principal="h.chen"), MON) == []
    when(r, c.PersonLeaves(actor="sv.admin", person_id="h.chen", reason="Moved on")).refused(
        InvalidTransition, "h.chen is the principal of Silver Valley Middle School; name a new principal there first."
    )
    [left] = r.run(c.PersonLeaves(actor="sv.admin", person_id="svm.principal", reason="Retired"), MON)
    assert left.person_id == "svm.principal"
