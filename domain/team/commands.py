"""What people ask a team's cycle to do (imperative names).

Commands carry who asks (``actor``) but never the time: ``decide`` takes the
instant as an argument (``workflow.now()`` in a workflow), so the domain stays
deterministic and replay-safe.
"""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..calendar import SharedCalendar
from ..evidence import StepEvidence, Text
from ..steps import Step
from ..text import Reason
from .policy import EscalationPolicy, SharedPolicy
from .profile import TeamProfile, UserId

class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: UserId


class RegisterTeam(Command):
    team: TeamProfile
    calendar: SharedCalendar
    policy: SharedPolicy = Field(default_factory=EscalationPolicy)
    # A standalone team's district admins, who may publish its calendar (issue 9); a team its school
    # launches has none: it receives the district's calendar from its school.
    district_admins: tuple[UserId, ...] = ()

    @model_validator(mode="after")
    def _staffed(self) -> "RegisterTeam":
        # A running team may lose its people (issue 9); a new one starts with a facilitator and members.
        if self.team.facilitator is None or not self.team.members:
            raise ValueError("a team is registered with a facilitator and at least one member")
        return self


class StartCycle(Command):
    pass


class AdvanceStep(Command):
    """Complete ``step`` (which must be the open one) with its evidence."""

    step: Step
    evidence: StepEvidence = Field(default_factory=StepEvidence)


class RevisitStep(Command):
    step: Step
    reason: Reason


class RecordDecision(Command):
    """A lateral decision the team makes itself, or a recommendation the principal must approve."""

    kind: Literal["lateral", "recommendation"]
    summary: Text


class ApproveRecommendation(Command):
    recommendation_id: str
    reason: Reason


class RejectRecommendation(Command):
    recommendation_id: str
    reason: Reason


class PauseTeam(Command):
    reason: Reason


class ResumeTeam(Command):
    reason: Reason


class AcknowledgeEscalation(Command):
    escalation_id: str
    reason: Reason


class SnoozeEscalation(Command):
    escalation_id: str
    until: date
    reason: Reason


class RaiseDueEscalations(Command):
    """The workflow's timer fired: raise whatever rung of the ladder is now due."""

    actor: UserId = "plcflow"


class ChangeCalendar(Command):
    """The district changed its calendar (issue 9): sent by the team's school, already validated by the district,
    so the team only carries its step's clock across."""

    calendar: SharedCalendar


class AddMember(Command):
    member: UserId


class RemoveMember(Command):
    member: UserId


class ReplaceMember(Command):
    """One member leaves and another takes their place (the same position in the roster)."""

    leaving: UserId
    joining: UserId


class ChangeFacilitator(Command):
    """A standalone team's principal names its facilitator; a launched team's comes from its school."""

    facilitator: UserId


class ApplySchoolRoster(Command):
    """What the school (or, through it, the district) already validated: applied as it comes.

    Issue 9: a change is validated once, by the level that owns it; this travels
    down by signal (never an Update), so it carries no rule of its own to refuse.
    """

    principal: UserId | None = None
    facilitator: UserId | None = None
    left: tuple[UserId, ...] = ()
    coalition: tuple[UserId, ...] = ()  # the district's guiding coalition as it is now (empty: unchanged)


class PublishTeamCalendar(Command):
    """A standalone team's district admin publishes a new calendar for it (issue 9, "Calendars change")."""

    calendar: SharedCalendar


TeamCommand = (
    RegisterTeam
    | StartCycle
    | AdvanceStep
    | RevisitStep
    | RecordDecision
    | ApproveRecommendation
    | RejectRecommendation
    | PauseTeam
    | ResumeTeam
    | AcknowledgeEscalation
    | SnoozeEscalation
    | RaiseDueEscalations
    | ChangeCalendar
    | AddMember
    | RemoveMember
    | ReplaceMember
    | ChangeFacilitator
    | ApplySchoolRoster
    | PublishTeamCalendar
)


class RetireTeam(Command):
    """The team's work ends (issue 9, "Teams over time"): its school retired it, merged it into another team
    (``merged_into``), or left it out of a new year's roster. Its history stays; it takes no more commands."""

    reason: Reason
    merged_into: str | None = None
