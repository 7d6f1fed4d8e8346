"""A school's adoption: commands, events and state (seed 002: teams, norms, self-assessment).

Teams are by grade level or content area (a principals' team too); each keeps
procedural and conversational norms, reviewed every term; the school rates
itself on the rubric once a term (twice a year). A pilot school's volunteer
teams come first and are carried into the schoolwide launch, never replaced.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..calendar import SchoolCalendar
from ..district import School, TeamSpec
from ..ladder import EscalationRecord, Rung
from ..team.policy import EscalationPolicy
from ..rubric import Assessment, Rubric
from ..team.profile import Slug, UserId
from ..text import Reason, text
from .policy import SchoolPolicy

Text = text(300)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- commands ---


class SchoolCommand(_Frozen):
    actor: UserId


class OpenSchool(SchoolCommand):
    district_id: Slug
    school: School
    calendar: SchoolCalendar
    rubric: Rubric
    policy: SchoolPolicy = Field(default_factory=SchoolPolicy)
    team_policy: EscalationPolicy = Field(default_factory=EscalationPolicy)
    coalition: tuple[UserId, ...] = ()
    mode: Literal["pilot", "schoolwide"] = "schoolwide"
    pilot_team_ids: tuple[Slug, ...] = ()


class LaunchSchoolwide(SchoolCommand):
    """The district's schoolwide wave reached this school (a signal from the district's workflow)."""


class RecordNorms(SchoolCommand):
    team_id: Slug
    procedural: Annotated[tuple[Text, ...], Field(min_length=1, max_length=20)]
    conversational: Annotated[tuple[Text, ...], Field(min_length=1, max_length=20)]


class ReviewNorms(SchoolCommand):
    team_id: Slug
    note: Text


class SelfAssess(SchoolCommand):
    ratings: dict[Slug, str]


class AcknowledgeSchoolEscalation(SchoolCommand):
    escalation_id: str
    reason: Reason


class SnoozeSchoolEscalation(SchoolCommand):
    escalation_id: str
    until: date
    reason: Reason


class RollUpEscalation(SchoolCommand):
    """A team's escalation reached the principal (or above), or was resolved (``level`` None)."""

    team_id: Slug
    escalation_id: str
    level: Rung | None
    reason: str = ""


class SchoolTick(SchoolCommand):
    actor: UserId = "plcflow"


# --- events ---


class SchoolEvent(_Frozen):
    at: datetime


class SchoolOpened(SchoolEvent):
    type: Literal["SchoolOpened"] = "SchoolOpened"
    by: str
    district_id: str
    school: School
    calendar: SchoolCalendar
    rubric: Rubric
    policy: SchoolPolicy
    team_policy: EscalationPolicy
    coalition: tuple[str, ...]


class TeamsLaunched(SchoolEvent):
    type: Literal["TeamsLaunched"] = "TeamsLaunched"
    mode: Literal["pilot", "schoolwide"]
    team_ids: tuple[str, ...]
    carried_over: tuple[str, ...] = ()  # pilot teams kept, with their expertise, in the schoolwide launch


class TermBegan(SchoolEvent):
    type: Literal["TermBegan"] = "TermBegan"
    term: str
    school_year: str
    norms_due_on: date | None
    assessment_due_on: date | None


class NormsRecorded(SchoolEvent):
    type: Literal["NormsRecorded"] = "NormsRecorded"
    by: str
    team_id: str
    procedural: tuple[str, ...]
    conversational: tuple[str, ...]
    term: str


class NormsReviewed(SchoolEvent):
    type: Literal["NormsReviewed"] = "NormsReviewed"
    by: str
    team_id: str
    note: str
    term: str


class SelfAssessed(SchoolEvent):
    type: Literal["SelfAssessed"] = "SelfAssessed"
    by: str
    assessment: Assessment


class SchoolEscalationRaised(SchoolEvent):
    type: Literal["SchoolEscalationRaised"] = "SchoolEscalationRaised"
    escalation_id: str
    subject: str  # "norms:<team_id>" or "assessment"
    level: Rung
    reached: tuple[str, ...]
    reason: str
    on: date


class SchoolEscalationHeld(SchoolEvent):
    type: Literal["SchoolEscalationHeld"] = "SchoolEscalationHeld"
    escalation_id: str
    hold: Literal["acknowledged", "snoozed"]
    by: str
    reason: str
    held_until: date


class SchoolEscalationResolved(SchoolEvent):
    type: Literal["SchoolEscalationResolved"] = "SchoolEscalationResolved"
    escalation_id: str
    why: str


class TeamEscalationRolledUp(SchoolEvent):
    type: Literal["TeamEscalationRolledUp"] = "TeamEscalationRolledUp"
    team_id: str
    escalation_id: str
    level: Rung
    reason: str


class TeamEscalationCleared(SchoolEvent):
    type: Literal["TeamEscalationCleared"] = "TeamEscalationCleared"
    team_id: str
    escalation_id: str


SchoolEventT = Annotated[
    SchoolOpened | TeamsLaunched | TermBegan | NormsRecorded | NormsReviewed | SelfAssessed | SchoolEscalationRaised
    | SchoolEscalationHeld | SchoolEscalationResolved | TeamEscalationRolledUp | TeamEscalationCleared,
    Field(discriminator="type"),
]


# --- state ---


class LaunchedTeam(_Frozen):
    spec: TeamSpec
    launched_on: date
    pilot: bool
    procedural_norms: tuple[str, ...] = ()
    conversational_norms: tuple[str, ...] = ()
    norms_reviewed_term: str | None = None


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
    assessments: tuple[Assessment, ...] = ()
    escalations: dict[str, SchoolEscalation] = Field(default_factory=dict)  # by subject
    escalations_raised: int = 0  # the highest escalation number issued (ids are <school>.<n>); the name is kept for old states
    rolled_up: dict[str, RolledUp] = Field(default_factory=dict)  # by escalation id

    def assessed_this_term(self) -> bool:
        return bool(self.assessments) and self.assessments[-1].term == self.term
