"""Every name a workflow is known by outside its own code, stated once.

Workflow types, Update and signal names, the status query and workflow id
prefixes are part of what running histories and clients depend on: a rename
here strands every running workflow, so they are read by the workflows'
decorators, by the API, the CLI and the health checks from this one module,
never written as literals (issue 8, "Structure").
"""

from domain.rollout import commands as rollout
from domain.school import commands as school
from domain.team import commands as team

TEAM_WORKFLOW = "TeamCycle"
SCHOOL_WORKFLOW = "SchoolAdoption"
DISTRICT_WORKFLOW = "DistrictRollout"

STATUS_QUERY = "status"

# A team tells its school what reached the principal; a school tells its district what reached the coalition;
# the district tells a pilot school that its schoolwide wave came.
TEAM_ESCALATION_SIGNAL = "team_escalation"
SCHOOL_ESCALATION_SIGNAL = "school_escalation"
LAUNCH_SCHOOLWIDE_SIGNAL = "launch_schoolwide"
# A school tells a team it retired it (retired, merged, or left out of a new year's roster).
TEAM_RETIRE_SIGNAL = "retire"

# The district's calendar changed: district -> each school it started, school -> each team it started (issue 9).
CALENDAR_SIGNAL = "calendar_changed"


# Issue 9: a change of people validated above travels down (district -> schools -> teams) as a domain command;
# a school tells its district its new principal by the same name.
ROSTER_SIGNAL = "roster_changed"

# The Update each command travels as: read by the workflows' registration and by every client.
TEAM_UPDATES: dict[type, str] = {
    team.AdvanceStep: "advance",
    team.RevisitStep: "revisit",
    team.RecordDecision: "decide",
    team.ApproveRecommendation: "approve",
    team.RejectRecommendation: "reject",
    team.PauseTeam: "pause",
    team.ResumeTeam: "resume",
    team.AcknowledgeEscalation: "acknowledge",
    team.SnoozeEscalation: "snooze",
    team.RetireTeam: "retire",
    team.AddMember: "add_member",
    team.RemoveMember: "remove_member",
    team.ReplaceMember: "replace_member",
    team.ChangeFacilitator: "change_facilitator",
    team.PublishTeamCalendar: "publish_calendar",  # a standalone team's; a launched team hears CALENDAR_SIGNAL
}
SCHOOL_UPDATES: dict[type, str] = {
    school.RecordNorms: "record_norms",
    school.ReviewNorms: "review_norms",
    school.SelfAssess: "self_assess",
    school.AcknowledgeSchoolEscalation: "acknowledge",
    school.SnoozeSchoolEscalation: "snooze",
    school.FormTeam: "form_team",
    school.RetireTeam: "retire_team",
    school.MergeTeams: "merge_teams",
    school.ConfirmTeams: "confirm_teams",
    school.ChangePrincipal: "change_principal",
    school.AddTeacherLeader: "add_teacher_leader",
    school.RetireTeacherLeader: "retire_teacher_leader",
    school.ChangeTeamFacilitator: "change_facilitator",
}
DISTRICT_UPDATES: dict[type, str] = {
    rollout.SeatCoalition: "seat_coalition",
    rollout.RecordInquiryActivity: "record_inquiry_activity",
    rollout.AdoptGlossary: "adopt_glossary",
    rollout.SetNonNegotiables: "set_non_negotiables",
    rollout.AlignMissionAndVision: "align_mission",
    rollout.AddLearningSession: "add_learning_session",
    rollout.RecordDistrictNorms: "record_district_norms",
    rollout.ScheduleWave: "schedule_wave",
    rollout.CompletePhase: "complete_phase",
    rollout.ReviewSchool: "review_school",
    rollout.AcknowledgeRolloutEscalation: "acknowledge",
    rollout.SnoozeRolloutEscalation: "snooze",
    rollout.PublishCalendar: "publish_calendar",
    rollout.CloseSchoolDay: "close_school_day",
    rollout.OpenSchoolDay: "open_school_day",
    rollout.AddPerson: "add_person",
    rollout.ChangeRoles: "change_roles",
    rollout.PersonLeaves: "person_leaves",
    rollout.SeatCoalitionMember: "seat_coalition_member",
    rollout.UnseatCoalitionMember: "unseat_coalition_member",
    rollout.SyncRoster: "sync_roster",
    rollout.LinkSchool: "link_school",
    rollout.SetNoticePreference: "set_notice_preference",  # issue 10
}


def team_workflow_id(team_id: str) -> str:
    return f"team-{team_id}"


def school_workflow_id(school_id: str) -> str:
    return f"school-{school_id}"


def district_workflow_id(district_id: str) -> str:
    return f"district-{district_id}"
