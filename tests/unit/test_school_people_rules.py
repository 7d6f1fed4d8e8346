"""A school's people change (issue 9): its principal, its teacher leaders, its teams' facilitators."""

from datetime import date

from domain.errors import InvalidTransition, NotAllowed
from domain.ladder import Rung
from domain.school import commands as m
from domain.school import events as ev
from domain.rollout.commands import RecordSchoolPrincipal
from domain.school.people import district_reports, on_team_started, team_changes
from domain.team.commands import ApplySchoolRoster
from tests.unit.test_school_rules import START, School, at

DAY = date(2026, 9, 15)
AT = at(DAY)


def when(s: School, command, on: date = DAY):
    return s.scenario.when(command, at(on))


def test_the_principal_adds_a_teacher_leader():
    when(School(), m.AddTeacherLeader(actor="svm.principal", leader="svm.teacher1")).then(
        ev.TeacherLeaderAdded(at=AT, by="svm.principal", leader="svm.teacher1")
    )


def test_only_the_principal_adds_a_teacher_leader():
    when(School(), m.AddTeacherLeader(actor="svm.teacher1", leader="svm.teacher1")).refused(
        NotAllowed, "Only svm.principal, the principal of Silver Valley Middle School, can add a teacher leader; svm.teacher1 is not."
    )


def test_a_leader_who_facilitates_a_team_is_not_retired_until_it_has_another_facilitator():
    s = School()
    when(s, m.RetireTeacherLeader(actor="svm.principal", leader="svm.math-lead")).refused(
        InvalidTransition, "svm.math-lead facilitates Mathematics (grades 6-8); name another facilitator for it first."
    )
    s.run(m.AddTeacherLeader(actor="svm.principal", leader="svm.teacher1"), DAY)
    s.run(m.ChangeTeamFacilitator(actor="svm.principal", team_id="svm-math", facilitator="svm.teacher1"), DAY)
    when(s, m.RetireTeacherLeader(actor="svm.principal", leader="svm.math-lead")).then(
        ev.TeacherLeaderRetired(at=AT, by="svm.principal", leader="svm.math-lead")
    )
    assert "svm.math-lead" not in s.state.school.teacher_leaders


def test_a_facilitator_must_be_a_teacher_leader_of_the_school():
    when(School(), m.ChangeTeamFacilitator(actor="svm.principal", team_id="svm-math", facilitator="svm.teacher1")).refused(
        InvalidTransition, "svm.teacher1 is not a teacher leader of Silver Valley Middle School; add them as one first."
    )


def test_a_new_facilitator_reaches_the_launched_team_and_the_schools_record_of_it():
    s = School()
    s.run(m.AddTeacherLeader(actor="svm.principal", leader="svm.teacher1"), DAY)
    events = s.run(m.ChangeTeamFacilitator(actor="svm.principal", team_id="svm-math", facilitator="svm.teacher1"), DAY)
    assert s.state.teams["svm-math"].spec.facilitator == "svm.teacher1"
    assert team_changes(s.state, events) == [("svm-math", ApplySchoolRoster(actor="svm.principal", facilitator="svm.teacher1"))]


def test_a_coalition_member_names_a_new_principal_and_every_launched_team_learns_it():
    s = School()
    [changed] = s.run(m.ChangePrincipal(actor="sv.admin", principal="h.chen"), DAY)
    assert changed == ev.SchoolPrincipalChanged(at=AT, by="sv.admin", principal="h.chen", was="svm.principal")
    assert team_changes(s.state, [changed]) == [
        (t, ApplySchoolRoster(actor="sv.admin", principal="h.chen")) for t in ("svm-math", "svm-science")
    ]


def test_a_stranger_cannot_change_the_principal():
    when(School(), m.ChangePrincipal(actor="svm.teacher1", principal="svm.teacher1")).refused(
        NotAllowed,
        "Only svm.principal, the principal of Silver Valley Middle School, or a member of the district's guiding "
        "coalition can change its principal; svm.teacher1 is neither.",
    )


def test_the_old_principal_can_no_longer_self_assess_and_the_new_one_can():
    s = School(mode="schoolwide")
    s.run(m.ChangePrincipal(actor="svm.principal", principal="h.chen"), DAY)
    ratings = {d.id: "Developing" for d in START.rubric.dimensions}
    when(s, m.SelfAssess(actor="svm.principal", ratings=ratings)).refused(
        NotAllowed, "Only h.chen, the principal of Silver Valley Middle School, records its self-assessment."
    )
    [assessed, *_] = s.run(m.SelfAssess(actor="h.chen", ratings=ratings), DAY)
    assert assessed.by == "h.chen"


def test_an_open_norms_escalation_that_reached_the_old_principal_reaches_the_new_one():
    s = School()
    due, cal = s.state.norms_due_on, START.calendar
    s.run(m.SchoolTick(), cal.add_school_days(due, 1))  # the facilitator
    s.run(m.SchoolTick(), cal.add_school_days(due, 5))  # then the principal
    math = s.state.escalations["norms:svm-math"]
    assert math.level is Rung.PRINCIPAL and math.reached == ("svm.math-lead", "svm.principal")
    events = s.run(m.ChangePrincipal(actor="sv.admin", principal="h.chen"), cal.add_school_days(due, 5))
    moved = [e for e in events if isinstance(e, ev.SchoolEscalationReassigned)]
    assert {e.escalation_id for e in moved} == {x.id for x in s.state.escalations.values()}
    assert all(e.newly_reached == ("h.chen",) and e.no_longer == ("svm.principal",) for e in moved)
    assert s.state.escalations["norms:svm-math"].reached == ("svm.math-lead", "h.chen")


def test_someone_who_left_the_district_is_no_longer_a_teacher_leader_and_every_launched_team_is_told():
    s = School()
    events = s.run(m.ApplyDistrictRoster(actor="sv.admin", left=("svm.math-lead",)), DAY)
    assert events == [ev.StaffLeft(at=AT, by="sv.admin", person="svm.math-lead")]
    assert "svm.math-lead" not in s.state.school.teacher_leaders
    assert team_changes(s.state, events) == [
        (t, ApplySchoolRoster(actor="sv.admin", left=("svm.math-lead",))) for t in ("svm-math", "svm-science")
    ]
    assert s.run(m.ApplyDistrictRoster(actor="sv.admin", left=("svm.math-lead",)), DAY) == []  # a repeated signal


def test_a_norms_escalation_whose_facilitator_left_reaches_the_principal_instead():
    s = School()
    due, cal = s.state.norms_due_on, START.calendar
    s.run(m.SchoolTick(), cal.add_school_days(due, 1))
    assert s.state.escalations["norms:svm-math"].reached == ("svm.math-lead",)
    s.run(m.ApplyDistrictRoster(actor="sv.admin", left=("svm.math-lead",)), cal.add_school_days(due, 1))
    assert s.state.escalations["norms:svm-math"].reached == ("svm.principal",)


def test_a_team_started_after_people_left_is_told_who_is_gone():
    s = School()
    assert on_team_started(s.state, "svm-ela") == []
    s.run(m.ApplyDistrictRoster(actor="sv.admin", left=("svm.teacher4",)), DAY)
    assert on_team_started(s.state, "svm-ela") == [("svm-ela", ApplySchoolRoster(actor="plcflow", left=("svm.teacher4",)))]


def test_a_reseated_coalition_reaches_the_school_and_its_teams():
    s = School()
    events = s.run(m.ApplyDistrictRoster(actor="sv.admin", coalition=("sv.admin", "sv.union")), DAY)
    assert events == [ev.SchoolCoalitionChanged(at=AT, by="sv.admin", coalition=("sv.admin", "sv.union"))]
    assert team_changes(s.state, events) == [
        (t, ApplySchoolRoster(actor="sv.admin", coalition=("sv.admin", "sv.union"))) for t in ("svm-math", "svm-science")
    ]
    assert s.run(m.ApplyDistrictRoster(actor="sv.admin", coalition=("sv.admin", "sv.union")), DAY) == []


def test_the_district_is_told_who_leads_the_school_now():
    s = School()
    events = s.run(m.ChangePrincipal(actor="svm.principal", principal="h.chen"), DAY)
    assert district_reports(s.state, events) == [
        RecordSchoolPrincipal(actor="svm.principal", school_id="silver-valley-ms", principal="h.chen")
    ]
