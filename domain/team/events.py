"""What happened to a team (past tense). Immutable facts, each with its instant.

Events carry every value a fold needs (a due date, who was reached), so
``evolve`` never consults the calendar or the policy: replaying old events
gives the same state even after a district changes its configuration.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..calendar import SchoolCalendar
from ..evidence import RecordedEvidence
from ..ladder import EscalationHeldFacts, EscalationRaisedFacts, EscalationResolvedFacts, Rung
from ..steps import Step
from .policy import EscalationPolicy
from .profile import TeamProfile


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at: datetime


class TeamRegistered(Event):
    type: Literal["TeamRegistered"] = "TeamRegistered"
    by: str
    team: TeamProfile
    calendar: SchoolCalendar
    policy: EscalationPolicy


class CycleStarted(Event):
    type: Literal["CycleStarted"] = "CycleStarted"
    cycle: int


class StepOpened(Event):
    type: Literal["StepOpened"] = "StepOpened"
    cycle: int
    step: Step
    due_on: date | None  # None when the calendar has no school day that far ahead


class StepCompleted(Event):
    type: Literal["StepCompleted"] = "StepCompleted"
    cycle: int
    step: Step
    by: str
    evidence: RecordedEvidence


class StepRevisited(Event):
    type: Literal["StepRevisited"] = "StepRevisited"
    cycle: int
    from_step: Step
    to_step: Step
    by: str
    reason: str


class DecisionRecorded(Event):
    type: Literal["DecisionRecorded"] = "DecisionRecorded"
    cycle: int
    decision_id: str
    by: str
    summary: str


class RecommendationProposed(Event):
    type: Literal["RecommendationProposed"] = "RecommendationProposed"
    cycle: int
    recommendation_id: str
    by: str
    summary: str


class RecommendationApproved(Event):
    type: Literal["RecommendationApproved"] = "RecommendationApproved"
    recommendation_id: str
    by: str
    reason: str


class RecommendationRejected(Event):
    type: Literal["RecommendationRejected"] = "RecommendationRejected"
    recommendation_id: str
    by: str
    reason: str


class CycleClosed(Event):
    type: Literal["CycleClosed"] = "CycleClosed"
    cycle: int


class TeamPaused(Event):
    type: Literal["TeamPaused"] = "TeamPaused"
    by: str
    reason: str
    on: date


class TeamResumed(Event):
    type: Literal["TeamResumed"] = "TeamResumed"
    by: str
    reason: str
    due_on: date | None


class EscalationRaised(Event, EscalationRaisedFacts):
    type: Literal["EscalationRaised"] = "EscalationRaised"
    cycle: int
    step: Step


class EscalationHeld(Event, EscalationHeldFacts):
    type: Literal["EscalationHeld"] = "EscalationHeld"


class EscalationResolved(Event, EscalationResolvedFacts):
    type: Literal["EscalationResolved"] = "EscalationResolved"


class TeamRetired(Event):
    """The team's last event: its workflow ends cleanly after it (issue 9)."""

    type: Literal["TeamRetired"] = "TeamRetired"
    by: str
    reason: str
    merged_into: str | None = None


class TeamCalendarChanged(Event):
    """The district's new calendar, with the step's due date and the escalation's hold carried across
    (``domain.calendar_change``: elapsed school days stay elapsed, what remains is counted anew)."""

    type: Literal["TeamCalendarChanged"] = "TeamCalendarChanged"
    by: str
    calendar: SchoolCalendar
    due_on: date | None
    held_until: date | None = None


# --- who is on the team (issue 9: people and roles change) ---


class MemberAdded(Event):
    type: Literal["MemberAdded"] = "MemberAdded"
    by: str
    member: str


class MemberRemoved(Event):
    type: Literal["MemberRemoved"] = "MemberRemoved"
    by: str
    member: str


class MemberReplaced(Event):
    type: Literal["MemberReplaced"] = "MemberReplaced"
    by: str
    leaving: str
    joining: str


class FacilitatorChanged(Event):
    type: Literal["FacilitatorChanged"] = "FacilitatorChanged"
    by: str
    facilitator: str | None  # None: the facilitator left and nobody is named yet
    was: str | None


class PrincipalChanged(Event):
    type: Literal["PrincipalChanged"] = "PrincipalChanged"
    by: str
    principal: str
    was: str


class CoalitionChanged(Event):
    """The district reseated its guiding coalition: the team's top rung reaches whoever sits on it now."""

    type: Literal["CoalitionChanged"] = "CoalitionChanged"
    by: str
    coalition: tuple[str, ...]


class EscalationReassigned(Event):
    """An open escalation now reaches the current holders of its rungs, not people who left a role."""

    type: Literal["EscalationReassigned"] = "EscalationReassigned"
    escalation_id: str
    level: Rung
    reached: tuple[str, ...]  # everyone it reaches now, lowest rung first
    newly_reached: tuple[str, ...]
    no_longer: tuple[str, ...]
    why: str


class RosterGapFlagged(Event):
    """The team has no members, or no facilitator: its principal is told (never an escalation to nobody)."""

    type: Literal["RosterGapFlagged"] = "RosterGapFlagged"
    gap: Literal["members", "facilitator"]
    reached: tuple[str, ...]
    reason: str


class RosterGapFilled(Event):
    type: Literal["RosterGapFilled"] = "RosterGapFilled"
    gap: Literal["members", "facilitator"]


ROSTER_EVENTS = (MemberAdded, MemberRemoved, MemberReplaced, FacilitatorChanged, PrincipalChanged, CoalitionChanged)


class TeamAdminsNamed(Event):
    """A standalone team's district admins, who may publish its calendar (issue 9); recorded at registration."""

    type: Literal["TeamAdminsNamed"] = "TeamAdminsNamed"
    admins: tuple[str, ...]


# Before the three aggregates shared one hold shape, a team wrote two events. Rows and
# Update results recorded then are read as the one event they mean (upcast on read).
LEGACY_HOLDS = {"EscalationAcknowledged": "acknowledged", "EscalationSnoozed": "snoozed"}


def upcast(data: object) -> object:
    if isinstance(data, dict) and data.get("type") in LEGACY_HOLDS:
        return {**data, "type": "EscalationHeld", "hold": LEGACY_HOLDS[data["type"]]}
    return data


TeamEvent = Annotated[
    TeamRegistered
    | CycleStarted
    | StepOpened
    | StepCompleted
    | StepRevisited
    | DecisionRecorded
    | RecommendationProposed
    | RecommendationApproved
    | RecommendationRejected
    | CycleClosed
    | TeamPaused
    | TeamResumed
    | EscalationRaised
    | EscalationHeld
    | EscalationResolved
    | TeamRetired
    | TeamCalendarChanged
    | MemberAdded
    | MemberRemoved
    | MemberReplaced
    | FacilitatorChanged
    | PrincipalChanged
    | CoalitionChanged
    | EscalationReassigned
    | RosterGapFlagged
    | RosterGapFilled
    | TeamCalendarChanged
    | TeamAdminsNamed,
    Field(discriminator="type"),
    BeforeValidator(upcast),
]
