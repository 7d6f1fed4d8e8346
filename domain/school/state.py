"""A school's adoption: its state, always the fold of its events (``evolve``) (seed 002: teams, norms, self-assessment).

Teams are by grade level or content area (a principals' team too); each keeps
procedural and conversational norms, reviewed every term; the school rates
itself on the rubric once a term (twice a year). A pilot school's volunteer
teams come first and are carried into the schoolwide launch, never replaced.
"""

from datetime import date, datetime
from functools import singledispatch
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..calendar import SchoolCalendar
from ..district import School, TeamSpec
from ..ladder import EscalationRecord, Rung, merge_reached, numbered_through
from ..rubric import Assessment, Rubric
from ..team.policy import EscalationPolicy
from . import events as ev
from .policy import SchoolPolicy


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LaunchedTeam(_Frozen):
    spec: TeamSpec
    launched_on: date
    pilot: bool
    procedural_norms: tuple[str, ...] = ()
    conversational_norms: tuple[str, ...] = ()
    norms_reviewed_term: str | None = None
    retired_on: date | None = None
    merged_into: str | None = None

    @property
    def active(self) -> bool:
        return self.retired_on is None


class SchoolEscalation(EscalationRecord):
    subject: str  # "norms:<team_id>" or "assessment"


class RolledUp(_Frozen):
    team_id: str
    escalation_id: str
    level: Rung
    reason: str
    since: datetime


class SchoolState(_Frozen):
    version: int = 0
    district_id: str | None = None
    school: School | None = None
    calendar: SchoolCalendar | None = None
    rubric: Rubric | None = None
    policy: SchoolPolicy = Field(default_factory=SchoolPolicy)
    team_policy: EscalationPolicy = Field(default_factory=EscalationPolicy)
    coalition: tuple[str, ...] = ()
    mode: Literal["pilot", "schoolwide"] | None = None
    teams: dict[str, LaunchedTeam] = Field(default_factory=dict)
    term: str | None = None
    school_year: str | None = None
    norms_due_on: date | None = None
    assessment_due_on: date | None = None
    teams_confirmed_year: str | None = None  # the school year whose roster of teams stands (the first: by its launch)
    teams_due_on: date | None = None
    assessments: tuple[Assessment, ...] = ()
    escalations: dict[str, SchoolEscalation] = Field(default_factory=dict)  # by subject
    escalations_raised: int = 0  # the highest escalation number issued (ids are <school>.<n>); the name is kept for old states
    rolled_up: dict[str, RolledUp] = Field(default_factory=dict)  # by escalation id
    departed: tuple[str, ...] = ()  # issue 9: staff who left the district (a facilitator who left reaches nobody)

    def active_teams(self) -> dict[str, LaunchedTeam]:
        return {i: t for i, t in self.teams.items() if t.active}

    def assessed_this_term(self) -> bool:
        return bool(self.assessments) and self.assessments[-1].term == self.term


def evolve(state: SchoolState, event: ev.SchoolEvent) -> SchoolState:
    return _apply(event, state).model_copy(update={"version": state.version + 1})


def fold(events, state: SchoolState | None = None) -> SchoolState:
    state = state or SchoolState()
    for e in events:
        state = evolve(state, e)
    return state


@singledispatch
def _apply(event, s: SchoolState) -> SchoolState:
    raise TypeError(f"no fold for {type(event).__name__}")


@_apply.register
def _(e: ev.SchoolOpened, s):
    return s.model_copy(update={
        "district_id": e.district_id, "school": e.school, "calendar": e.calendar, "rubric": e.rubric,
        "policy": e.policy, "team_policy": e.team_policy, "coalition": e.coalition,
    })


@_apply.register
def _(e: ev.TeamsLaunched, s):
    today = s.calendar.local_date(e.at)
    specs = {t.team_id: t for t in s.school.teams}
    added = {i: LaunchedTeam(spec=specs[i], launched_on=today, pilot=e.mode == "pilot") for i in e.team_ids}
    return s.model_copy(update={"mode": e.mode, "teams": {**s.teams, **added}})


@_apply.register
def _(e: ev.TermBegan, s):
    return s.model_copy(update={"term": e.term, "school_year": e.school_year, "norms_due_on": e.norms_due_on,
                                "assessment_due_on": e.assessment_due_on, "teams_due_on": e.teams_due_on,
                                "teams_confirmed_year": s.teams_confirmed_year or e.school_year})


@_apply.register
def _(e: ev.TeamFormed, s):
    launched = LaunchedTeam(spec=e.team, launched_on=s.calendar.local_date(e.at), pilot=False)
    school = s.school.model_copy(update={"teams": (*s.school.teams, e.team)})
    return s.model_copy(update={"school": school, "teams": {**s.teams, e.team.team_id: launched}})


@_apply.register
def _(e: ev.SchoolTeamRetired, s):
    return _team(s, e.team_id, retired_on=s.calendar.local_date(e.at), merged_into=e.merged_into)


@_apply.register
def _(e: ev.TeamsConfirmed, s):
    return s.model_copy(update={"teams_confirmed_year": e.school_year, "teams_due_on": None})


def _team(s, team_id: str, **changes):
    return s.model_copy(update={"teams": {**s.teams, team_id: s.teams[team_id].model_copy(update=changes)}})


@_apply.register
def _(e: ev.NormsRecorded, s):
    return _team(s, e.team_id, procedural_norms=e.procedural, conversational_norms=e.conversational, norms_reviewed_term=e.term)


@_apply.register
def _(e: ev.NormsReviewed, s):
    return _team(s, e.team_id, norms_reviewed_term=e.term)


@_apply.register
def _(e: ev.SelfAssessed, s):
    return s.model_copy(update={"assessments": (*s.assessments, e.assessment)})


@_apply.register
def _(e: ev.SchoolEscalationRaised, s):
    before = s.escalations.get(e.subject)
    esc = SchoolEscalation(id=e.escalation_id, subject=e.subject, level=e.level, raised_on=e.on, raised_at=e.at,
                             reason=e.reason, reached=merge_reached(before.reached if before else (), e.reached))
    return s.model_copy(update={"escalations": {**s.escalations, e.subject: esc},
                                "escalations_raised": numbered_through(s.escalations_raised, e.escalation_id)})


def _by_id(s, escalation_id: str) -> SchoolEscalation:
    return next(x for x in s.escalations.values() if x.id == escalation_id)


@_apply.register
def _(e: ev.SchoolEscalationHeld, s):
    esc = _by_id(s, e.escalation_id)
    held = esc.held(e.by, e.held_until, e.hold)
    return s.model_copy(update={"escalations": {**s.escalations, esc.subject: held}})


@_apply.register
def _(e: ev.SchoolEscalationResolved, s):
    esc = _by_id(s, e.escalation_id)
    return s.model_copy(update={"escalations": {k: v for k, v in s.escalations.items() if k != esc.subject}})


@_apply.register
def _(e: ev.TeamEscalationRolledUp, s):
    up = RolledUp(team_id=e.team_id, escalation_id=e.escalation_id, level=e.level, reason=e.reason, since=e.at)
    return s.model_copy(update={"rolled_up": {**s.rolled_up, e.escalation_id: up}})


@_apply.register
def _(e: ev.TeamEscalationCleared, s):
    return s.model_copy(update={"rolled_up": {k: v for k, v in s.rolled_up.items() if k != e.escalation_id}})


@_apply.register
def _(e: ev.SchoolCalendarChanged, s):
    escalations = {k: v.model_copy(update={"held_until": e.held_until.get(k, v.held_until)}) for k, v in s.escalations.items()}
    return s.model_copy(update={"calendar": e.calendar, "norms_due_on": e.norms_due_on,
                                "assessment_due_on": e.assessment_due_on, "escalations": escalations})


# --- people (issue 9) ---


def _school(s, **changes):
    return s.model_copy(update={"school": s.school.model_copy(update=changes)})


@_apply.register
def _(e: ev.SchoolPrincipalChanged, s):
    return _school(s, principal=e.principal)


@_apply.register
def _(e: ev.TeacherLeaderAdded, s):
    return _school(s, teacher_leaders=(*s.school.teacher_leaders, e.leader))


@_apply.register
def _(e: ev.TeacherLeaderRetired, s):
    return _school(s, teacher_leaders=tuple(x for x in s.school.teacher_leaders if x != e.leader))


@_apply.register
def _(e: ev.TeamFacilitatorChanged, s):
    specs = tuple(t.model_copy(update={"facilitator": e.facilitator}) if t.team_id == e.team_id else t for t in s.school.teams)
    s = _school(s, teams=specs)
    if e.team_id in s.teams:
        s = _team(s, e.team_id, spec=s.teams[e.team_id].spec.model_copy(update={"facilitator": e.facilitator}))
    return s


@_apply.register
def _(e: ev.SchoolEscalationReassigned, s):
    esc = _by_id(s, e.escalation_id)
    return s.model_copy(update={"escalations": {**s.escalations, esc.subject: esc.model_copy(update={"reached": e.reached})}})


@_apply.register
def _(e: ev.StaffLeft, s):
    s = _school(s, teacher_leaders=tuple(x for x in s.school.teacher_leaders if x != e.person))
    return s.model_copy(update={"departed": (*s.departed, e.person)})


@_apply.register
def _(e: ev.SchoolCoalitionChanged, s):
    return s.model_copy(update={"coalition": e.coalition})
