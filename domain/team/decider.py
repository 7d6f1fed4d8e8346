"""``decide(state, command, now) -> events``: the rules of a team's inquiry cycle.

Pure: the instant comes in as an argument, ids derive from state, and a
refused command raises a ``DomainError`` whose message a teacher can read.
Nothing is recorded for a refused command because nothing is returned.
"""

from collections.abc import Callable
from datetime import datetime

from ..calendar_change import published, rebase
from ..errors import InvalidTransition, MissingEvidence, NotAllowed
from ..escalation import reached_by, rung_due
from ..ladder import acknowledgement_ends, check_holdable, fresh_escalation_ids, held, snooze_ends
from ..steps import FIRST_STEP, Step, missing_evidence, next_step
from . import commands as cmd
from . import events as ev
from . import roster
from .profile import require_leader, require_participant, require_principal
from .state import TeamState


def decide(state: TeamState, command: cmd.Command, now: datetime) -> list[ev.Event]:
    if now.tzinfo is None:
        raise ValueError("decide needs an aware instant")
    if state.team is None and not isinstance(command, cmd.RegisterTeam):
        raise InvalidTransition("This team has not been registered yet.")
    if state.retired is not None and not isinstance(command, cmd.RaiseDueEscalations):
        raise InvalidTransition(f"{state.team.name} was retired on {state.calendar.local_date(state.retired.at)} "
                                f"({state.retired.reason}); it takes no more commands.")
    return _HANDLERS[type(command)](state, command, now)


def _open_step(s: TeamState, cycle: int, step: Step, now: datetime) -> ev.StepOpened:
    due = s.calendar.add_school_days(s.calendar.local_date(now), s.policy.due_days(step))
    return ev.StepOpened(at=now, cycle=cycle, step=step, due_on=due)


def _require_running(s: TeamState) -> None:
    if s.paused:
        raise InvalidTransition(f"{s.team.name} is paused ({s.paused.reason}); resume it first.")
    if s.step is None:
        raise InvalidTransition(f"{s.team.name} has no open cycle; start one first.")


def _resolve(s: TeamState, now: datetime, why: str) -> list[ev.Event]:
    return [ev.EscalationResolved(at=now, escalation_id=s.escalation.id, why=why)] if s.escalation else []


def _register(s: TeamState, c: cmd.RegisterTeam, now: datetime) -> list[ev.Event]:
    if s.team is not None:
        raise InvalidTransition(f"{s.team.name} is already registered.")
    admins = [ev.TeamAdminsNamed(at=now, admins=c.district_admins)] if c.district_admins else []
    return [ev.TeamRegistered(at=now, by=c.actor, team=c.team, calendar=c.calendar, policy=c.policy), *admins]


def _start_cycle(s: TeamState, c: cmd.StartCycle, now: datetime) -> list[ev.Event]:
    require_participant(s.team, c.actor, "start its inquiry cycle")
    if s.step is not None:
        raise InvalidTransition(f"Cycle {s.cycle} of {s.team.name} is still open at {s.step.label}.")
    if s.paused:
        raise InvalidTransition(f"{s.team.name} is paused ({s.paused.reason}); resume it first.")
    cycle = s.cycle + 1
    # _open_step reads the calendar from state, which the registration just set.
    return [ev.CycleStarted(at=now, cycle=cycle), _open_step(s, cycle, FIRST_STEP, now)]


def _advance(s: TeamState, c: cmd.AdvanceStep, now: datetime) -> list[ev.Event]:
    require_participant(s.team, c.actor, "advance its cycle")
    _require_running(s)
    if c.step != s.step:
        raise InvalidTransition(f"{s.team.name} is at {s.step.label}, not {c.step.label}.")
    missing = missing_evidence(c.step, c.evidence, len(s.decisions))
    if missing:
        raise MissingEvidence(f"{c.step.label.capitalize()} needs {' and '.join(missing)} before it can be completed.")
    following = next_step(c.step)
    if following is None and s.pending_recommendations:
        ids = ", ".join(d.id for d in s.pending_recommendations)
        raise InvalidTransition(f"Cycle {s.cycle} cannot close while recommendation {ids} awaits the principal.")
    evidence = s.policy.result_scale.on_scale(c.evidence)
    done = [ev.StepCompleted(at=now, cycle=s.cycle, step=c.step, by=c.actor, evidence=evidence)]
    done += _resolve(s, now, f"{c.step.label} was completed")
    if following is not None:
        return done + [_open_step(s, s.cycle, following, now)]
    nxt = s.cycle + 1
    return done + [
        ev.CycleClosed(at=now, cycle=s.cycle),
        ev.CycleStarted(at=now, cycle=nxt),
        _open_step(s, nxt, FIRST_STEP, now),
    ]


def _revisit(s: TeamState, c: cmd.RevisitStep, now: datetime) -> list[ev.Event]:
    require_participant(s.team, c.actor, "revisit a step")
    _require_running(s)
    if c.step.index >= s.step.index:
        raise InvalidTransition(f"Only an earlier step can be revisited; {s.team.name} is at {s.step.label}.")
    revisited = ev.StepRevisited(at=now, cycle=s.cycle, from_step=s.step, to_step=c.step, by=c.actor, reason=c.reason)
    return [revisited, *_resolve(s, now, f"the team went back to {c.step.label}"), _open_step(s, s.cycle, c.step, now)]


def _record_decision(s: TeamState, c: cmd.RecordDecision, now: datetime) -> list[ev.Event]:
    require_participant(s.team, c.actor, "record a decision")
    _require_running(s)
    new_id = f"c{s.cycle}-{len(s.decisions) + 1}"
    if c.kind == "lateral":
        return [ev.DecisionRecorded(at=now, cycle=s.cycle, decision_id=new_id, by=c.actor, summary=c.summary)]
    return [ev.RecommendationProposed(at=now, cycle=s.cycle, recommendation_id=new_id, by=c.actor, summary=c.summary)]


def _pending_recommendation(s: TeamState, rec_id: str) -> None:
    d = s.decision(rec_id)
    if d is None or d.kind != "recommendation":
        raise InvalidTransition(f"{s.team.name} has no recommendation {rec_id} in its current cycle.")
    if d.status != "pending":
        raise InvalidTransition(f"Recommendation {rec_id} was already {d.status}.")


def _approve(s: TeamState, c: cmd.ApproveRecommendation, now: datetime) -> list[ev.Event]:
    require_principal(s.team, c.actor, "approve a recommendation")
    _pending_recommendation(s, c.recommendation_id)
    return [ev.RecommendationApproved(at=now, recommendation_id=c.recommendation_id, by=c.actor, reason=c.reason)]


def _reject(s: TeamState, c: cmd.RejectRecommendation, now: datetime) -> list[ev.Event]:
    require_principal(s.team, c.actor, "reject a recommendation")
    _pending_recommendation(s, c.recommendation_id)
    return [ev.RecommendationRejected(at=now, recommendation_id=c.recommendation_id, by=c.actor, reason=c.reason)]


def _pause(s: TeamState, c: cmd.PauseTeam, now: datetime) -> list[ev.Event]:
    require_leader(s.team, c.actor, "pause the team")
    if s.paused:
        raise InvalidTransition(f"{s.team.name} is already paused since {s.paused.on}.")
    return [ev.TeamPaused(at=now, by=c.actor, reason=c.reason, on=s.calendar.local_date(now))]


def _resume(s: TeamState, c: cmd.ResumeTeam, now: datetime) -> list[ev.Event]:
    require_leader(s.team, c.actor, "resume the team")
    if not s.paused:
        raise InvalidTransition(f"{s.team.name} is not paused.")
    # The step's clock stops while paused: push the due date by the school days lost.
    lost = s.calendar.school_days_between(s.paused.on, s.calendar.local_date(now))
    due = s.calendar.add_school_days(s.due_on, lost) if s.due_on and lost else s.due_on
    return [ev.TeamResumed(at=now, by=c.actor, reason=c.reason, due_on=due)]


def _acknowledge(s: TeamState, c: cmd.AcknowledgeEscalation, now: datetime) -> list[ev.Event]:
    check_holdable(s.escalation, c.escalation_id, c.actor, s.team.name)
    until = acknowledgement_ends(s.calendar, s.policy, now)
    return [held(ev.EscalationHeld, c, now, "acknowledged", until)]


def _snooze(s: TeamState, c: cmd.SnoozeEscalation, now: datetime) -> list[ev.Event]:
    check_holdable(s.escalation, c.escalation_id, c.actor, s.team.name)
    until = snooze_ends(s.calendar, s.policy, now, c.until)
    return [held(ev.EscalationHeld, c, now, "snoozed", until)]


def _raise_due(s: TeamState, c: cmd.RaiseDueEscalations, now: datetime) -> list[ev.Event]:
    rung = rung_due(s, now)
    if rung is None:
        return []
    today = s.calendar.local_date(now)
    esc_id = s.escalation.id if s.escalation else next(fresh_escalation_ids(s.team.team_id, s.escalations_raised))
    late = s.calendar.school_days_between(s.due_on, today)
    overdue = f"is {late} school day(s) overdue" if late else "is due today"
    reason = f"{s.step.label} in cycle {s.cycle} was due {s.due_on} and {overdue}"
    reached = reached_by(rung, s.team)
    return [
        ev.EscalationRaised(
            at=now, escalation_id=esc_id, cycle=s.cycle, step=s.step, level=rung, reached=reached, reason=reason, on=today
        )
    ]


def _retire(s: TeamState, c: cmd.RetireTeam, now: datetime) -> list[ev.Event]:
    require_principal(s.team, c.actor, "retire it")
    if c.merged_into == s.team.team_id:
        raise InvalidTransition(f"{s.team.name} cannot be merged into itself.")
    resolved = [ev.EscalationResolved(at=now, escalation_id=s.escalation.id, why="the team retired")] if s.escalation else []
    return [*resolved, ev.TeamRetired(at=now, by=c.actor, reason=c.reason, merged_into=c.merged_into)]

def _change_calendar(s: TeamState, c: cmd.ChangeCalendar, now: datetime) -> list[ev.Event]:
    """Issue 9: the district decided the change; the team carries what remains of its step's clock across."""
    if c.calendar == s.calendar:
        return []  # a repeated signal
    old, new, today = s.calendar, c.calendar, s.calendar.local_date(now)
    held_until = s.escalation.held_until if s.escalation else None
    due = rebase(old, new, today, s.due_on)
    if s.due_on is None and s.step is not None and s.step_opened_at is not None:
        # A clock stopped at the end of the calendar resumes: its due date is counted on the new one (issue 9).
        due = new.add_school_days(new.local_date(s.step_opened_at), s.policy.due_days(s.step))
    return [ev.TeamCalendarChanged(at=now, by=c.actor, calendar=new, due_on=due, held_until=rebase(old, new, today, held_until))]


def _publish_calendar(s: TeamState, c: cmd.PublishTeamCalendar, now: datetime) -> list[ev.Event]:
    """A standalone team's calendar is its district admins' to change, by the district's rule (issue 9)."""
    if c.actor not in s.district_admins:
        raise NotAllowed(
            f"Only a district admin of {s.team.name} can publish its calendar; {c.actor} is not one "
            "(a team launched by its school receives the district's calendar from it)."
        )
    published(s.calendar, c.calendar, s.calendar.local_date(now))
    return _change_calendar(s, cmd.ChangeCalendar(actor=c.actor, calendar=c.calendar), now)


_HANDLERS: dict[type, Callable[[TeamState, cmd.Command, datetime], list[ev.Event]]] = {
    cmd.RegisterTeam: _register,
    cmd.StartCycle: _start_cycle,
    cmd.AdvanceStep: _advance,
    cmd.RevisitStep: _revisit,
    cmd.RecordDecision: _record_decision,
    cmd.ApproveRecommendation: _approve,
    cmd.RejectRecommendation: _reject,
    cmd.PauseTeam: _pause,
    cmd.ResumeTeam: _resume,
    cmd.AcknowledgeEscalation: _acknowledge,
    cmd.SnoozeEscalation: _snooze,
    cmd.RaiseDueEscalations: _raise_due,
    cmd.RetireTeam: _retire,
    cmd.ChangeCalendar: _change_calendar,
    cmd.AddMember: roster.add_member,
    cmd.RemoveMember: roster.remove_member,
    cmd.ReplaceMember: roster.replace_member,
    cmd.ChangeFacilitator: roster.change_facilitator,
    cmd.ApplySchoolRoster: roster.apply_school_roster,
    cmd.PublishTeamCalendar: _publish_calendar,
}
