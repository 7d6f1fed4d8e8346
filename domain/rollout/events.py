"""What happened in a district's rollout (past tense), each with its instant."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..calendar import SchoolCalendar
from ..district import District, Person, Role
from ..ladder import EscalationHeldFacts, EscalationRaisedFacts, EscalationResolvedFacts, Rung
from ..team.policy import EscalationPolicy
from ..rubric import Rubric
from ..school.policy import SchoolPolicy
from .phases import Phase
from .policy import RolloutPolicy


class RolloutEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at: datetime


class RolloutStarted(RolloutEvent):
    type: Literal["RolloutStarted"] = "RolloutStarted"
    by: str
    district: District
    calendar: SchoolCalendar
    rubric: Rubric
    policy: RolloutPolicy
    school_policy: SchoolPolicy
    team_policy: EscalationPolicy


class PhaseOpened(RolloutEvent):
    type: Literal["PhaseOpened"] = "PhaseOpened"
    phase: Phase
    due_on: date | None
    school_year: str | None = None


class PhaseCompleted(RolloutEvent):
    type: Literal["PhaseCompleted"] = "PhaseCompleted"
    phase: Phase
    by: str


class CoalitionSeated(RolloutEvent):
    type: Literal["CoalitionSeated"] = "CoalitionSeated"
    by: str
    members: tuple[str, ...]


class InquiryActivityRecorded(RolloutEvent):
    type: Literal["InquiryActivityRecorded"] = "InquiryActivityRecorded"
    by: str
    kind: str
    title: str
    held_on: date


class GlossaryAdopted(RolloutEvent):
    type: Literal["GlossaryAdopted"] = "GlossaryAdopted"
    by: str
    terms: dict[str, str]


class NonNegotiablesSet(RolloutEvent):
    type: Literal["NonNegotiablesSet"] = "NonNegotiablesSet"
    by: str
    items: tuple[str, ...]


class MissionAligned(RolloutEvent):
    type: Literal["MissionAligned"] = "MissionAligned"
    by: str
    school_id: str


class LearningSessionAdded(RolloutEvent):
    type: Literal["LearningSessionAdded"] = "LearningSessionAdded"
    by: str
    term: str
    topic: str
    held_on: date


class DistrictNormsRecorded(RolloutEvent):
    type: Literal["DistrictNormsRecorded"] = "DistrictNormsRecorded"
    by: str
    norms: tuple[str, ...]
    violation_process: str


class WaveScheduled(RolloutEvent):
    type: Literal["WaveScheduled"] = "WaveScheduled"
    by: str
    number: int
    kind: Literal["pilot", "schoolwide"]
    launch_on: date
    school_ids: tuple[str, ...]
    pilot_team_ids: tuple[str, ...] = ()


class WaveLaunched(RolloutEvent):
    type: Literal["WaveLaunched"] = "WaveLaunched"
    number: int


class SchoolReviewed(RolloutEvent):
    type: Literal["SchoolReviewed"] = "SchoolReviewed"
    by: str
    school_id: str
    school_year: str
    celebration: str


class RolloutEscalationRaised(RolloutEvent, EscalationRaisedFacts):
    type: Literal["RolloutEscalationRaised"] = "RolloutEscalationRaised"
    phase: Phase


class RolloutEscalationHeld(RolloutEvent, EscalationHeldFacts):
    type: Literal["RolloutEscalationHeld"] = "RolloutEscalationHeld"


class RolloutEscalationResolved(RolloutEvent, EscalationResolvedFacts):
    type: Literal["RolloutEscalationResolved"] = "RolloutEscalationResolved"


class EscalationRolledUp(RolloutEvent):
    type: Literal["EscalationRolledUp"] = "EscalationRolledUp"
    school_id: str
    escalation_id: str
    level: Rung
    reason: str


class RolledUpEscalationCleared(RolloutEvent):
    type: Literal["RolledUpEscalationCleared"] = "RolledUpEscalationCleared"
    school_id: str
    escalation_id: str


class DistrictCalendarChanged(RolloutEvent):
    """The district's calendar changed; the phase's clock is carried across (``domain.calendar_change``).
    ``change`` says what the admin did (published, closed, opened), ``on`` which day for one-day changes."""

    type: Literal["DistrictCalendarChanged"] = "DistrictCalendarChanged"
    by: str
    change: Literal["published", "closed", "opened"]
    on: date | None = None
    reason: str = ""
    calendar: SchoolCalendar
    due_on: date | None
    held_until: date | None = None


class CalendarEndEscalationRaised(RolloutEvent, EscalationRaisedFacts):
    """The calendar ends soon and no later one is published: every clock would stop on ``last_day`` (issue 9)."""

    type: Literal["CalendarEndEscalationRaised"] = "CalendarEndEscalationRaised"
    last_day: date


class CalendarEndEscalationResolved(RolloutEvent, EscalationResolvedFacts):
    type: Literal["CalendarEndEscalationResolved"] = "CalendarEndEscalationResolved"


# --- people (issue 9) ---


class PersonAdded(RolloutEvent):
    type: Literal["PersonAdded"] = "PersonAdded"
    by: str
    person: Person


class RolesChanged(RolloutEvent):
    type: Literal["RolesChanged"] = "RolesChanged"
    by: str
    person: Person  # as they are now
    was: Person


class PersonLeft(RolloutEvent):
    type: Literal["PersonLeft"] = "PersonLeft"
    by: str
    person_id: str
    reason: str


class CoalitionMemberSeated(RolloutEvent):
    type: Literal["CoalitionMemberSeated"] = "CoalitionMemberSeated"
    by: str
    member: str


class CoalitionMemberUnseated(RolloutEvent):
    type: Literal["CoalitionMemberUnseated"] = "CoalitionMemberUnseated"
    by: str
    member: str


class CoalitionGapRaised(RolloutEvent, EscalationRaisedFacts):
    """The coalition stopped being representative after its phase passed: the admins hear which seat is missing."""

    type: Literal["CoalitionGapRaised"] = "CoalitionGapRaised"
    missing: tuple[str, ...]


class CoalitionGapResolved(RolloutEvent, EscalationResolvedFacts):
    type: Literal["CoalitionGapResolved"] = "CoalitionGapResolved"


class SchoolPrincipalRecorded(RolloutEvent):
    type: Literal["SchoolPrincipalRecorded"] = "SchoolPrincipalRecorded"
    by: str
    school_id: str
    principal: str


class RolloutEscalationReassigned(RolloutEvent):
    type: Literal["RolloutEscalationReassigned"] = "RolloutEscalationReassigned"
    escalation_id: str
    reached: tuple[str, ...]
    newly_reached: tuple[str, ...]
    no_longer: tuple[str, ...]
    why: str


class SchoolLinked(RolloutEvent):
    type: Literal["SchoolLinked"] = "SchoolLinked"
    by: str
    school_id: str
    sourced_id: str


class NoticePreferenceSet(RolloutEvent):
    """Issue 10: how this person's notices reach them from now on (``domain.rollout.notices``)."""

    type: Literal["NoticePreferenceSet"] = "NoticePreferenceSet"
    by: str
    person_id: str
    delivery: Literal["immediate", "digest"]
    digest: Literal["daily", "weekly"]


RolloutEventT = Annotated[
    RolloutStarted
    | PhaseOpened
    | PhaseCompleted
    | CoalitionSeated
    | InquiryActivityRecorded
    | GlossaryAdopted
    | NonNegotiablesSet
    | MissionAligned
    | LearningSessionAdded
    | DistrictNormsRecorded
    | WaveScheduled
    | WaveLaunched
    | SchoolReviewed
    | RolloutEscalationRaised
    | RolloutEscalationHeld
    | RolloutEscalationResolved
    | EscalationRolledUp
    | RolledUpEscalationCleared
    | DistrictCalendarChanged
    | CalendarEndEscalationRaised
    | CalendarEndEscalationResolved
    | PersonAdded
    | RolesChanged
    | PersonLeft
    | SchoolLinked
    | CoalitionMemberSeated
    | CoalitionMemberUnseated
    | CoalitionGapRaised
    | CoalitionGapResolved
    | RolloutEscalationReassigned
    | SchoolPrincipalRecorded
    | NoticePreferenceSet,
    Field(discriminator="type"),
]
