"""A school's state is the fold of its events."""

from functools import singledispatch

from ..ladder import merge_reached, numbered_through
from . import model as m


def evolve(state: m.SchoolState, event: m.SchoolEvent) -> m.SchoolState:
    return _apply(event, state).model_copy(update={"version": state.version + 1})


def fold(events, state: m.SchoolState | None = None) -> m.SchoolState:
    state = state or m.SchoolState()
    for e in events:
        state = evolve(state, e)
    return state


@singledispatch
def _apply(event, s: m.SchoolState) -> m.SchoolState:
    raise TypeError(f"no fold for {type(event).__name__}")


@_apply.register
def _(e: m.SchoolOpened, s):
    return s.model_copy(update={
        "district_id": e.district_id, "school": e.school, "calendar": e.calendar, "rubric": e.rubric,
        "policy": e.policy, "team_policy": e.team_policy, "coalition": e.coalition,
    })


@_apply.register
def _(e: m.TeamsLaunched, s):
    today = s.calendar.local_date(e.at)
    specs = {t.team_id: t for t in s.school.teams}
    added = {i: m.LaunchedTeam(spec=specs[i], launched_on=today, pilot=e.mode == "pilot") for i in e.team_ids}
    return s.model_copy(update={"mode": e.mode, "teams": {**s.teams, **added}})


@_apply.register
def _(e: m.TermBegan, s):
    return s.model_copy(update={"term": e.term, "school_year": e.school_year, "norms_due_on": e.norms_due_on,
                                "assessment_due_on": e.assessment_due_on})


def _team(s, team_id: str, **changes):
    return s.model_copy(update={"teams": {**s.teams, team_id: s.teams[team_id].model_copy(update=changes)}})


@_apply.register
def _(e: m.NormsRecorded, s):
    return _team(s, e.team_id, procedural_norms=e.procedural, conversational_norms=e.conversational, norms_reviewed_term=e.term)


@_apply.register
def _(e: m.NormsReviewed, s):
    return _team(s, e.team_id, norms_reviewed_term=e.term)


@_apply.register
def _(e: m.SelfAssessed, s):
    return s.model_copy(update={"assessments": (*s.assessments, e.assessment)})


@_apply.register
def _(e: m.SchoolEscalationRaised, s):
    before = s.escalations.get(e.subject)
    esc = m.SchoolEscalation(id=e.escalation_id, subject=e.subject, level=e.level, raised_on=e.on, raised_at=e.at,
                             reason=e.reason, reached=merge_reached(before.reached if before else (), e.reached))
    return s.model_copy(update={"escalations": {**s.escalations, e.subject: esc},
                                "escalations_raised": numbered_through(s.escalations_raised, e.escalation_id)})


def _by_id(s, escalation_id: str) -> m.SchoolEscalation:
    return next(x for x in s.escalations.values() if x.id == escalation_id)


@_apply.register
def _(e: m.SchoolEscalationHeld, s):
    esc = _by_id(s, e.escalation_id)
    held = esc.held(e.by, e.held_until, e.hold)
    return s.model_copy(update={"escalations": {**s.escalations, esc.subject: held}})


@_apply.register
def _(e: m.SchoolEscalationResolved, s):
    esc = _by_id(s, e.escalation_id)
    return s.model_copy(update={"escalations": {k: v for k, v in s.escalations.items() if k != esc.subject}})


@_apply.register
def _(e: m.TeamEscalationRolledUp, s):
    up = m.RolledUp(team_id=e.team_id, escalation_id=e.escalation_id, level=e.level, reason=e.reason, since=e.at)
    return s.model_copy(update={"rolled_up": {**s.rolled_up, e.escalation_id: up}})


@_apply.register
def _(e: m.TeamEscalationCleared, s):
    return s.model_copy(update={"rolled_up": {k: v for k, v in s.rolled_up.items() if k != e.escalation_id}})
