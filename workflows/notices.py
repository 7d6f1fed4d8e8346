"""Outbox rows for a school's and a district's escalations (issue 10: "An escalation when a rung fires: to
exactly the people it reached"), the counterpart of ``persistence.notifications`` for teams.

Pure, like ``persistence``: the workflow passes its folded state (after the batch) and the batch; the rows go
into the append activity's input, which replay does not compare, so old histories replay unchanged. A payload
names what is escalated, the rung and the reason in the domain's words, and when it was raised: no evidence,
no student data, nothing of another school or team beyond the one escalated.
"""

from collections.abc import Sequence

from activities.event_store import Notification
from domain.rollout import events as rev
from domain.rollout.state import RolloutState
from domain.school import events as sev
from domain.school.state import SchoolState

SCHOOL_RAISED = sev.SchoolEscalationRaised
DISTRICT_RAISED = (rev.RolloutEscalationRaised, rev.CalendarEndEscalationRaised, rev.CoalitionGapRaised)


def _rows(version: int, recipients: Sequence[str], payload: dict) -> list[Notification]:
    return [Notification(version=version, recipient=r, kind="escalation", payload=payload) for r in dict.fromkeys(recipients)]


def school_notifications(state: SchoolState, first_version: int, events: Sequence) -> list[Notification]:
    """Each person a school escalation (norms review, self-assessment, team roster) reached, or newly reaches."""
    school = state.school
    if school is None:
        return []
    base = {"scope": "school", "school_id": school.school_id, "school_name": school.name, "district_id": state.district_id}
    subjects = {e.id: e.subject for e in state.escalations.values()}
    out = []
    for i, e in enumerate(events):
        if isinstance(e, SCHOOL_RAISED):
            payload = {**base, **_subject(state, e.subject), "escalation_id": e.escalation_id, "level": e.level.value,
                       "reason": e.reason, "raised_on": e.on.isoformat()}
            out += _rows(first_version + i, e.reached, payload)
        elif isinstance(e, sev.SchoolEscalationReassigned):
            subject = _subject(state, subjects[e.escalation_id]) if e.escalation_id in subjects else {}
            level = next((x.level.value for x in state.escalations.values() if x.id == e.escalation_id), None)
            payload = {**base, **subject, "escalation_id": e.escalation_id, "level": level, "reason": e.why}
            out += _rows(first_version + i, e.newly_reached, payload)
    return out


def _subject(state: SchoolState, subject: str) -> dict:
    """What the school's clock waits for; a norms review names its own team (only that one)."""
    if subject.startswith("norms:"):
        team_id = subject.removeprefix("norms:")
        team = state.teams.get(team_id)
        return {"subject": "norms_review", "team_id": team_id, "team_name": team.spec.name if team else team_id}
    if subject.startswith("teams:"):
        return {"subject": "team_roster", "school_year": subject.removeprefix("teams:")}
    return {"subject": subject}


def rollout_notifications(state: RolloutState, first_version: int, events: Sequence) -> list[Notification]:
    """Each person a district escalation (a phase overdue, the calendar's end, a coalition gap) reached."""
    district = state.district
    if district is None:
        return []
    base = {"scope": "district", "district_id": district.district_id, "district_name": district.name}
    out = []
    for i, e in enumerate(events):
        if isinstance(e, DISTRICT_RAISED):
            payload = {**base, **_district_subject(e), "escalation_id": e.escalation_id, "level": e.level.value,
                       "reason": e.reason, "raised_on": e.on.isoformat()}
            out += _rows(first_version + i, e.reached, payload)
        elif isinstance(e, rev.RolloutEscalationReassigned):
            record = next((r for r in (state.escalation, state.calendar_end, state.coalition_gap)
                           if r is not None and r.id == e.escalation_id), None)
            payload = {**base, "escalation_id": e.escalation_id, "level": record.level.value if record else None,
                       "reason": e.why}
            if record is state.escalation and record is not None:
                payload |= {"subject": "phase", "phase": record.phase.value}
            out += _rows(first_version + i, e.newly_reached, payload)
    return out


def _district_subject(e) -> dict:
    if isinstance(e, rev.RolloutEscalationRaised):
        return {"subject": "phase", "phase": e.phase.value}
    if isinstance(e, rev.CalendarEndEscalationRaised):
        return {"subject": "calendar_end", "last_day": e.last_day.isoformat()}
    return {"subject": "coalition_gap", "missing": list(e.missing)}
