"""What a district admin, the coalition and the workflow ask of a rollout."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..calendar import SchoolCalendar
from ..district import District, Person, Role, SourcedId
from ..ladder import Rung
from ..rubric import Rubric
from ..school.policy import SchoolPolicy
from ..team.policy import EscalationPolicy
from ..team.profile import Slug, UserId
from ..text import Reason, text
from .phases import Phase
from .policy import RolloutPolicy

Text = text(500)
Delivery = Literal["immediate", "digest"]  # issue 10: how a person's notices reach them
Cadence = Literal["daily", "weekly"]  # and how often their digest comes


class RolloutCommand(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: UserId


class StartRollout(RolloutCommand):
    district: District
    calendar: SchoolCalendar
    rubric: Rubric
    policy: RolloutPolicy = Field(default_factory=RolloutPolicy)
    school_policy: SchoolPolicy = Field(default_factory=SchoolPolicy)
    team_policy: EscalationPolicy = Field(default_factory=EscalationPolicy)


class SeatCoalition(RolloutCommand):
    """Its size is checked by the decider against ``domain.limits.MAX_COALITION``, the one limit teams share."""

    members: Annotated[tuple[UserId, ...], Field(min_length=1)]


class RecordInquiryActivity(RolloutCommand):
    kind: Literal["institute", "model_school_visit", "book_study", "other"]
    title: Text
    held_on: date


class AdoptGlossary(RolloutCommand):
    terms: Annotated[dict[text(80), Text], Field(min_length=1)]


class SetNonNegotiables(RolloutCommand):
    items: Annotated[tuple[Text, ...], Field(min_length=1)]


class AlignMissionAndVision(RolloutCommand):
    school_id: Slug


class AddLearningSession(RolloutCommand):
    term: text(40)
    topic: Text
    held_on: date


class RecordDistrictNorms(RolloutCommand):
    norms: Annotated[tuple[Text, ...], Field(min_length=1)]
    violation_process: Text


class ScheduleWave(RolloutCommand):
    kind: Literal["pilot", "schoolwide"]
    launch_on: date
    school_ids: Annotated[tuple[Slug, ...], Field(min_length=1)]
    pilot_team_ids: tuple[Slug, ...] = ()


class CompletePhase(RolloutCommand):
    phase: Phase


class ReviewSchool(RolloutCommand):
    school_id: Slug
    celebration: Text


class AcknowledgeRolloutEscalation(RolloutCommand):
    escalation_id: str
    reason: Reason


class SnoozeRolloutEscalation(RolloutCommand):
    escalation_id: str
    until: date
    reason: Reason


class RollUpFromSchool(RolloutCommand):
    """An escalation in a school reached the coalition, or was resolved (``level`` None)."""

    school_id: Slug
    escalation_id: str
    level: Rung | None
    reason: str = ""


class PublishCalendar(RolloutCommand):
    """A district admin publishes a new calendar (next year's, every spring): issue 9, "Calendars change"."""

    calendar: SchoolCalendar


class CloseSchoolDay(RolloutCommand):
    """One school day closed ("Snow")."""

    on: date
    reason: Reason


class OpenSchoolDay(RolloutCommand):
    """One day opened as a school day ("Make-up day"; a Saturday may be one)."""

    on: date
    reason: Reason


class Tick(RolloutCommand):
    """The workflow's clock: launch due waves, open a new school year, raise due rungs."""

    actor: UserId = "plcflow"


# --- people (issue 9): the district owns who works in it and who sits on its coalition ---


class AddPerson(RolloutCommand):
    person: Person


class ChangeRoles(RolloutCommand):
    person_id: UserId
    roles: Annotated[tuple[Role, ...], Field(min_length=1)]
    school: Slug | None = None
    department: Slug | None = None
    supervises: tuple[Slug, ...] = ()  # a supervisor's schools (issue 11); none: the whole district


class PersonLeaves(RolloutCommand):
    """Kept in history (the event log), removed from every current role down to the teams."""

    person_id: UserId
    reason: Reason


class SeatCoalitionMember(RolloutCommand):
    member: UserId


class UnseatCoalitionMember(RolloutCommand):
    member: UserId


class RecordSchoolPrincipal(RolloutCommand):
    """A school changed its principal (validated there): the district's copy of the school follows (a signal)."""

    school_id: Slug
    principal: UserId


class SyncRoster(RolloutCommand):
    """One part of a roster import (issue 9, OneRoster): who joined, whose record changed (roles, school,
    their ids in the student-information system) and who left, decided together so the district holds
    together after it. An import too large for one part is sent as several (``domain.roster.sync_commands``)."""

    source: text(200)  # what the changes come from, e.g. "OneRoster export of 2027-08-02"
    added: Annotated[tuple[Person, ...], Field(max_length=1000)] = ()
    changed: Annotated[tuple[Person, ...], Field(max_length=1000)] = ()
    left: Annotated[tuple[UserId, ...], Field(max_length=1000)] = ()


class SetNoticePreference(RolloutCommand):
    """A person chooses how their notices reach them (issue 10): as they happen, or folded into a digest,
    daily or weekly (``domain.rollout.notices``)."""

    person_id: UserId
    delivery: Delivery
    digest: Cadence = "weekly"


class LinkSchool(RolloutCommand):
    """Give a school its org id in the student-information system, so a roster import finds its staff there."""

    school_id: Slug
    sourced_id: SourcedId
