"""Stable read views of a team for people and for ``--json`` (documented in README).

Built from the workflow's state and today's date; a field is only ever added,
never renamed, so scripts that read ``--json`` keep working.
"""

from datetime import date

from pydantic import BaseModel, ConfigDict

from domain.rubric import trend
from domain.team.state import TeamState
from domain.steps import REQUIREMENTS

VIEW_VERSION = 1


class EscalationView(BaseModel):
    model_config = ConfigDict(frozen=True)

    escalation_id: str
    team_id: str
    school_id: str
    step: str
    level: str
    reached: list[str]
    reason: str
    raised_on: date
    held: str | None
    held_until: date | None


class TeamView(BaseModel):
    model_config = ConfigDict(frozen=True)

    view_version: int = VIEW_VERSION
    team_id: str
    school_id: str
    district_id: str
    name: str
    facilitator: str
    members: list[str]
    principal: str
    cycle: int
    cycles_closed: int
    step: str | None
    step_needs: list[str]
    step_opened_at: str | None
    due_on: date | None
    school_days_overdue: int
    paused: bool
    paused_reason: str | None
    pending_recommendations: list[dict]
    decisions: list[dict]
    escalation: EscalationView | None
    version: int
    retired: dict | None = None  # {on, reason, merged_into} once its school retired it (issue 9)


def team_view(state: TeamState, today: date) -> TeamView:
    t, cal = state.team, state.calendar
    overdue = cal.school_days_between(state.due_on, today) if state.due_on else 0
    return TeamView(
        team_id=t.team_id,
        school_id=t.school_id,
        district_id=t.district_id,
        name=t.name,
        facilitator=t.facilitator,
        members=list(t.members),
        principal=t.principal,
        cycle=state.cycle,
        cycles_closed=state.cycles_closed,
        step=state.step.value if state.step else None,
        step_needs=[r.description for r in REQUIREMENTS[state.step]] if state.step else [],
        step_opened_at=state.step_opened_at.isoformat() if state.step_opened_at else None,
        due_on=state.due_on,
        school_days_overdue=overdue,
        paused=state.paused is not None,
        paused_reason=state.paused.reason if state.paused else None,
        pending_recommendations=[d.model_dump(mode="json") for d in state.pending_recommendations],
        decisions=[d.model_dump(mode="json") for d in state.decisions],
        escalation=escalation_view(state),
        version=state.version,
        retired={"on": cal.local_date(state.retired.at).isoformat(), "reason": state.retired.reason,
                 "merged_into": state.retired.merged_into} if state.retired else None,
    )


def escalation_view(state: TeamState) -> EscalationView | None:
    esc = state.escalation
    if esc is None:
        return None
    return EscalationView(
        escalation_id=esc.id,
        team_id=state.team.team_id,
        school_id=state.team.school_id,
        step=esc.step.value,
        level=esc.level.value,
        reached=list(esc.reached),
        reason=esc.reason,
        raised_on=esc.raised_on,
        held=esc.hold,
        held_until=esc.held_until,
    )


def district_view(state, schools_started: dict[str, str]) -> dict:
    """``plcflow district show --json``: where a rollout stands (fields are only ever added)."""
    d = state.district
    esc = state.escalation
    return {
        "view_version": VIEW_VERSION,
        "district_id": d.district_id,
        "name": d.name,
        "phase": state.phase.value if state.phase else None,
        "completed_phases": [p.value for p in state.completed],
        "due_on": state.due_on.isoformat() if state.due_on else None,
        "school_year": state.school_year,
        "coalition": list(state.coalition),
        "waves": [w.model_dump(mode="json") for w in state.waves],
        "schools": [{"school_id": s.school_id, "name": s.name, "level": s.level.value, "area": s.area,
                     "launched": schools_started.get(s.school_id)} for s in d.schools],
        "escalation": esc.model_dump(mode="json") if esc else None,
        "rolled_up_escalations": [r.model_dump(mode="json") for r in state.rolled_up.values()],
        "calendar_end_escalation": state.calendar_end.model_dump(mode="json") if state.calendar_end else None,  # issue 9
        "last_school_day": state.calendar.school_days[-1].isoformat() if state.calendar.school_days else None,
        "reviews": {year: list(ids) for year, ids in state.reviews.items()},
        "version": state.version,
    }


def school_view(state, started_teams) -> dict:
    """``plcflow school show --json``: a school's teams, norms, self-assessments and trend, escalations."""
    s = state.school
    return {
        "view_version": VIEW_VERSION,
        "school_id": s.school_id,
        "name": s.name,
        "district_id": state.district_id,
        "mode": state.mode,
        "term": state.term,
        "school_year": state.school_year,
        "teams": [{"team_id": i, "name": t.spec.name, "kind": t.spec.kind, "pilot": t.pilot,
                   "launched_on": t.launched_on.isoformat(), "running": i in started_teams,
                   "procedural_norms": list(t.procedural_norms), "conversational_norms": list(t.conversational_norms),
                   "norms_reviewed_term": t.norms_reviewed_term} for i, t in sorted(state.teams.items())],
        "assessments": [a.model_dump(mode="json") for a in state.assessments],
        "trend": trend(state.rubric, state.assessments),
        "escalations": [e.model_dump(mode="json") for e in state.escalations.values()],
        "rolled_up_escalations": [r.model_dump(mode="json") for r in state.rolled_up.values()],
        "version": state.version,
    }
