"""Turning domain events into event-store rows and outbox notifications.

Pure functions shared by the workflow (which builds the batch) and tests
(which fold stored rows back into state): one encoding both ways.
"""

from collections.abc import Iterable, Sequence

from pydantic import TypeAdapter

from activities.event_store import NewEvent, Notification, StoredEvent
from domain.team.events import EscalationRaised, EscalationReassigned, Event, RosterGapFlagged, TeamEvent
from domain.team.state import TeamState, fold

from .contracts import team_workflow_id

_EVENT = TypeAdapter(TeamEvent)


def stream_id(team_id: str) -> str:
    """One stream per team, named like its workflow, across all of its runs."""
    return team_workflow_id(team_id)


def to_rows(first_version: int, events: Sequence[Event]) -> list[NewEvent]:
    return [
        NewEvent(version=first_version + i, type=e.type, data=e.model_dump(mode="json"), occurred_at=e.at)
        for i, e in enumerate(events)
    ]


def notifications(state: TeamState, first_version: int, events: Sequence[Event]) -> list[Notification]:
    """Every person an escalation reached gets one outbox message, written with the event."""
    team = state.team
    out = []
    for i, e in enumerate(events):
        if isinstance(e, EscalationRaised):
            payload = {
                "escalation_id": e.escalation_id,
                "team_id": team.team_id,
                "team_name": team.name,
                "school_id": team.school_id,
                "step": e.step.value,
                "level": e.level.value,
                "reason": e.reason,
            }
            out += [
                Notification(version=first_version + i, recipient=r, kind="escalation", payload=payload)
                for r in e.reached
            ]
        elif isinstance(e, (EscalationReassigned, RosterGapFlagged)):
            out += _roster_notifications(team, first_version + i, e)
    return out


def _roster_notifications(team, version: int, e: EscalationReassigned | RosterGapFlagged) -> list[Notification]:
    """Issue 9: whoever an open escalation now reaches is told, and so is a principal whose team lost its people."""
    base = {"team_id": team.team_id, "team_name": team.name, "school_id": team.school_id}
    if isinstance(e, EscalationReassigned):
        payload = {**base, "escalation_id": e.escalation_id, "level": e.level.value, "reason": e.why}
        return [Notification(version=version, recipient=r, kind="escalation", payload=payload) for r in e.newly_reached]
    payload = {**base, "gap": e.gap, "reason": e.reason}
    return [Notification(version=version, recipient=r, kind="roster_gap", payload=payload) for r in e.reached]


def from_rows(rows: Iterable[StoredEvent]) -> list[Event]:
    return [_EVENT.validate_python(r.data) for r in rows]


def fold_rows(rows: Iterable[StoredEvent]) -> TeamState:
    return fold(from_rows(rows))
