"""What people (and the district's workflow) ask a school's adoption to do (seed 002: teams, norms, self-assessment)."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..calendar import SchoolCalendar
from ..district import School, TeamSpec
from ..ladder import Rung
from ..rubric import Rubric
from ..team.policy import EscalationPolicy
from ..team.profile import Slug, UserId
from ..text import Reason, text
from .policy import SchoolPolicy

Text = text(300)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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


# --- teams over time (issue 9): formed at any time, retired, merged, confirmed each school year ---


class FormTeam(SchoolCommand):
    team: TeamSpec


class RetireTeam(SchoolCommand):
    team_id: Slug
    reason: Reason


class MergeTeams(SchoolCommand):
    """``team_id`` retires into ``into`` (its members join by roster changes; its history stays its own)."""

    team_id: Slug
    into: Slug
    reason: Reason


class ConfirmTeams(SchoolCommand):
    """The teams that go on into the school year in progress; every other active team retires."""

    team_ids: Annotated[tuple[Slug, ...], Field(max_length=500)]

class ChangeCalendar(SchoolCommand):
    """The district changed its calendar (issue 9): sent by the district's workflow, already validated there,
    so the school only carries its own clocks across."""

    calendar: SchoolCalendar


# --- people (issue 9): the school owns its principal, its teacher leaders and its teams' facilitators ---


class ChangePrincipal(SchoolCommand):
    principal: UserId


class AddTeacherLeader(SchoolCommand):
    leader: UserId


class RetireTeacherLeader(SchoolCommand):
    leader: UserId


class ChangeTeamFacilitator(SchoolCommand):
    team_id: Slug
    facilitator: UserId


class ApplyDistrictRoster(SchoolCommand):
    """People who left the district, or its coalition as reseated (validated there), applied as they come
    (a signal, never an Update)."""

    left: tuple[UserId, ...] = ()
    coalition: tuple[UserId, ...] = ()  # empty: unchanged
