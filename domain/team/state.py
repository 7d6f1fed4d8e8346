"""A team's state: always the fold of its events (``evolve``), never edited directly.

Only what the rules need is kept: the open cycle's evidence and decisions, the
open escalation, pending recommendations. Closed cycles live in the event log,
so the state carried through continue-as-new stays small for years.
"""

from datetime import date, datetime
from functools import singledispatch
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..calendar import SharedCalendar
from ..evidence import RecordedEvidence
from ..ladder import EscalationRecord, merge_reached, numbered_through
from ..steps import Step
from . import events as ev
from .policy import EscalationPolicy, SharedPolicy
from .profile import TeamProfile


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Decision(_Frozen):
    id: str
    kind: Literal["lateral", "recommendation"]
    summary: str
    by: str
    at: datetime
    status: Literal["decided", "pending", "approved", "rejected"]
    ruling_reason: str | None = None


class Pause(_Frozen):
    by: str
    reason: str
    at: datetime
    on: date


class OpenEscalation(EscalationRecord):
    cycle: int
    step: Step


class Retirement(_Frozen):
    by: str
    reason: str
    at: datetime
    merged_into: str | None = None


class TeamState(_Frozen):
    version: int = 0
    team: TeamProfile | None = None
    calendar: SharedCalendar | None = None
    policy: SharedPolicy = Field(default_factory=EscalationPolicy)
    cycle: int = 0
    cycles_closed: int = 0
    step: Step | None = None
    step_opened_at: datetime | None = None
    due_on: date | None = None
    evidence: dict[Step, RecordedEvidence] = Field(default_factory=dict)
    decisions: tuple[Decision, ...] = ()
    paused: Pause | None = None
    escalation: OpenEscalation | None = None
    retired: Retirement | None = None
    registered_by: str | None = None  # the school's launcher for a launched team (issue 9: its facilitator comes from the school)
    roster_gaps: tuple[str, ...] = ()  # "members", "facilitator": flagged to the principal until filled
    district_admins: tuple[str, ...] = ()  # a standalone team's, who may publish its calendar (issue 9)
    escalations_raised: int = 0  # the highest escalation number issued (ids are <team>.<n>); the name is kept for old states

    @property
    def pending_recommendations(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.status == "pending")

    def decision(self, decision_id: str) -> Decision | None:
        return next((d for d in self.decisions if d.id == decision_id), None)


def evolve(state: TeamState, event: ev.Event) -> TeamState:
    """Apply one event; every event moves the version by exactly one."""
    return _apply(event, state).model_copy(update={"version": state.version + 1})


def fold(events, state: TeamState | None = None) -> TeamState:
    state = state or TeamState()
    for event in events:
        state = evolve(state, event)
    return state


@singledispatch
def _apply(event: ev.Event, state: TeamState) -> TeamState:
    raise TypeError(f"no fold for {type(event).__name__}")


@_apply.register
def _(e: ev.TeamRegistered, s: TeamState) -> TeamState:
    return s.model_copy(update={"team": e.team, "calendar": e.calendar, "policy": e.policy, "registered_by": e.by})


@_apply.register
def _(e: ev.CycleStarted, s: TeamState) -> TeamState:
    return s.model_copy(update={"cycle": e.cycle, "evidence": {}, "decisions": ()})


@_apply.register
def _(e: ev.StepOpened, s: TeamState) -> TeamState:
    return s.model_copy(update={"step": e.step, "step_opened_at": e.at, "due_on": e.due_on})


@_apply.register
def _(e: ev.StepCompleted, s: TeamState) -> TeamState:
    return s.model_copy(update={"evidence": {**s.evidence, e.step: e.evidence}})


@_apply.register
def _(e: ev.StepRevisited, s: TeamState) -> TeamState:
    return s  # the StepOpened that follows moves the team


@_apply.register
def _(e: ev.DecisionRecorded, s: TeamState) -> TeamState:
    d = Decision(id=e.decision_id, kind="lateral", summary=e.summary, by=e.by, at=e.at, status="decided")
    return s.model_copy(update={"decisions": (*s.decisions, d)})


@_apply.register
def _(e: ev.RecommendationProposed, s: TeamState) -> TeamState:
    d = Decision(id=e.recommendation_id, kind="recommendation", summary=e.summary, by=e.by, at=e.at, status="pending")
    return s.model_copy(update={"decisions": (*s.decisions, d)})


def _rule(s: TeamState, rec_id: str, status: str, reason: str) -> TeamState:
    decisions = tuple(
        d.model_copy(update={"status": status, "ruling_reason": reason}) if d.id == rec_id else d for d in s.decisions
    )
    return s.model_copy(update={"decisions": decisions})


@_apply.register
def _(e: ev.RecommendationApproved, s: TeamState) -> TeamState:
    return _rule(s, e.recommendation_id, "approved", e.reason)


@_apply.register
def _(e: ev.RecommendationRejected, s: TeamState) -> TeamState:
    return _rule(s, e.recommendation_id, "rejected", e.reason)


@_apply.register
def _(e: ev.CycleClosed, s: TeamState) -> TeamState:
    return s.model_copy(update={"cycles_closed": s.cycles_closed + 1, "step": None, "due_on": None})


@_apply.register
def _(e: ev.TeamPaused, s: TeamState) -> TeamState:
    return s.model_copy(update={"paused": Pause(by=e.by, reason=e.reason, at=e.at, on=e.on)})


@_apply.register
def _(e: ev.TeamResumed, s: TeamState) -> TeamState:
    return s.model_copy(update={"paused": None, "due_on": e.due_on})


@_apply.register
def _(e: ev.EscalationRaised, s: TeamState) -> TeamState:
    before = s.escalation.reached if s.escalation else ()
    esc = OpenEscalation(
        id=e.escalation_id,
        cycle=e.cycle,
        step=e.step,
        level=e.level,
        raised_on=e.on,
        raised_at=e.at,
        reason=e.reason,
        reached=merge_reached(before, e.reached),
    )
    return s.model_copy(update={"escalation": esc, "escalations_raised": numbered_through(s.escalations_raised, e.escalation_id)})


@_apply.register
def _(e: ev.EscalationHeld, s: TeamState) -> TeamState:
    return s.model_copy(update={"escalation": s.escalation.held(e.by, e.held_until, e.hold)})


@_apply.register
def _(e: ev.EscalationResolved, s: TeamState) -> TeamState:
    return s.model_copy(update={"escalation": None})


@_apply.register
def _(e: ev.TeamRetired, s: TeamState) -> TeamState:
    retired = Retirement(by=e.by, reason=e.reason, at=e.at, merged_into=e.merged_into)
    return s.model_copy(update={"retired": retired, "step": None, "due_on": None, "escalation": None})


@_apply.register
def _(e: ev.TeamCalendarChanged, s: TeamState) -> TeamState:
    escalation = s.escalation.model_copy(update={"held_until": e.held_until}) if s.escalation else None
    return s.model_copy(update={"calendar": e.calendar, "due_on": e.due_on, "escalation": escalation})


def _roster(s: TeamState, **changes) -> TeamState:
    return s.model_copy(update={"team": s.team.model_copy(update=changes)})


@_apply.register
def _(e: ev.MemberAdded, s: TeamState) -> TeamState:
    return _roster(s, members=(*s.team.members, e.member))


@_apply.register
def _(e: ev.MemberRemoved, s: TeamState) -> TeamState:
    return _roster(s, members=tuple(m for m in s.team.members if m != e.member))


@_apply.register
def _(e: ev.MemberReplaced, s: TeamState) -> TeamState:
    return _roster(s, members=tuple(e.joining if m == e.leaving else m for m in s.team.members))


@_apply.register
def _(e: ev.FacilitatorChanged, s: TeamState) -> TeamState:
    return _roster(s, facilitator=e.facilitator)


@_apply.register
def _(e: ev.PrincipalChanged, s: TeamState) -> TeamState:
    return _roster(s, principal=e.principal)


@_apply.register
def _(e: ev.CoalitionChanged, s: TeamState) -> TeamState:
    return _roster(s, coalition=e.coalition)


@_apply.register
def _(e: ev.EscalationReassigned, s: TeamState) -> TeamState:
    return s.model_copy(update={"escalation": s.escalation.model_copy(update={"reached": e.reached})})


@_apply.register
def _(e: ev.RosterGapFlagged, s: TeamState) -> TeamState:
    return s.model_copy(update={"roster_gaps": (*s.roster_gaps, e.gap)})


@_apply.register
def _(e: ev.RosterGapFilled, s: TeamState) -> TeamState:
    return s.model_copy(update={"roster_gaps": tuple(g for g in s.roster_gaps if g != e.gap)})


@_apply.register
def _(e: ev.TeamAdminsNamed, s: TeamState) -> TeamState:
    return s.model_copy(update={"district_admins": e.admins})
