"""What happened to a school's adoption (past tense). Immutable facts, each with its instant."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..calendar import SchoolCalendar
from ..district import School, TeamSpec
from ..ladder import EscalationHeldFacts, EscalationRaisedFacts, EscalationResolvedFacts, Rung
from ..rubric import Assessment, Rubric
from ..team.policy import EscalationPolicy
from .policy import SchoolPolicy


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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
    teams_due_on: date | None = None  # a later school year's roster of teams awaits the principal's confirmation


class TeamFormed(SchoolEvent):
    type: Literal["TeamFormed"] = "TeamFormed"
    by: str
    team: TeamSpec


class SchoolTeamRetired(SchoolEvent):
    type: Literal["SchoolTeamRetired"] = "SchoolTeamRetired"
    by: str
    team_id: str
    reason: str
    merged_into: str | None = None


class TeamsConfirmed(SchoolEvent):
    type: Literal["TeamsConfirmed"] = "TeamsConfirmed"
    by: str
    school_year: str
    team_ids: tuple[str, ...]


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


class SchoolEscalationRaised(SchoolEvent, EscalationRaisedFacts):
    type: Literal["SchoolEscalationRaised"] = "SchoolEscalationRaised"
    subject: str  # "norms:<team_id>" or "assessment"


class SchoolEscalationHeld(SchoolEvent, EscalationHeldFacts):
    type: Literal["SchoolEscalationHeld"] = "SchoolEscalationHeld"


class SchoolEscalationResolved(SchoolEvent, EscalationResolvedFacts):
    type: Literal["SchoolEscalationResolved"] = "SchoolEscalationResolved"


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


class SchoolCalendarChanged(SchoolEvent):
    """The district's new calendar, with the school's clocks carried across (``domain.calendar_change``):
    the term's due dates, and each open escalation's hold (by subject)."""

    type: Literal["SchoolCalendarChanged"] = "SchoolCalendarChanged"
    by: str
    calendar: SchoolCalendar
    norms_due_on: date | None
    assessment_due_on: date | None
    held_until: dict[str, date | None] = Field(default_factory=dict)


class SchoolPrincipalChanged(SchoolEvent):
    type: Literal["SchoolPrincipalChanged"] = "SchoolPrincipalChanged"
    by: str
    principal: str
    was: str


class TeacherLeaderAdded(SchoolEvent):
    type: Literal["TeacherLeaderAdded"] = "TeacherLeaderAdded"
    by: str
    leader: str


class TeacherLeaderRetired(SchoolEvent):
    type: Literal["TeacherLeaderRetired"] = "TeacherLeaderRetired"
    by: str
    leader: str


class TeamFacilitatorChanged(SchoolEvent):
    type: Literal["TeamFacilitatorChanged"] = "TeamFacilitatorChanged"
    by: str
    team_id: str
    facilitator: str
    was: str


class StaffLeft(SchoolEvent):
    """Someone left the district: no longer a teacher leader here, and the school's teams are told."""

    type: Literal["StaffLeft"] = "StaffLeft"
    by: str
    person: str


class SchoolCoalitionChanged(SchoolEvent):
    type: Literal["SchoolCoalitionChanged"] = "SchoolCoalitionChanged"
    by: str
    coalition: tuple[str, ...]


class SchoolEscalationReassigned(SchoolEvent):
    """An open escalation of the school now reaches the current holders of its rungs (issue 9)."""

    type: Literal["SchoolEscalationReassigned"] = "SchoolEscalationReassigned"
    escalation_id: str
    reached: tuple[str, ...]
    newly_reached: tuple[str, ...]
    no_longer: tuple[str, ...]
    why: str


SchoolEventT = Annotated[
    SchoolOpened | TeamsLaunched | TermBegan | NormsRecorded | NormsReviewed | SelfAssessed | SchoolEscalationRaised
    | SchoolEscalationHeld | SchoolEscalationResolved | TeamEscalationRolledUp | TeamEscalationCleared | TeamFormed
    | SchoolTeamRetired | TeamsConfirmed | SchoolCalendarChanged
    | SchoolEscalationHeld | SchoolEscalationResolved | TeamEscalationRolledUp | TeamEscalationCleared
    | SchoolPrincipalChanged | TeacherLeaderAdded | TeacherLeaderRetired | TeamFacilitatorChanged
    | SchoolEscalationReassigned | StaffLeft | SchoolCoalitionChanged,
    Field(discriminator="type"),
]
