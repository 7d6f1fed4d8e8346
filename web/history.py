"""A team's history as a readable audit trail: who did what, when and why, from its event log (issue 11).

Each event becomes one sentence; evidence is summed up, never its numbers
(a small group's counts are suppressed everywhere; DESIGN: student privacy).
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from activities.event_store import StoredEvent
from domain.steps import Step


@dataclass(frozen=True)
class Entry:
    at: datetime  # in the district's time zone
    who: str | None
    what: str
    why: str | None = None


def _step(value: str) -> str:
    return Step(value).label


def _evidence(e: dict) -> str:
    names = {"results": "aggregate result", "links": "link", "notes": "note"}
    parts = [f"{len(e[k])} {names[k]}{'' if len(e[k]) == 1 else 's'}" for k in names if e.get(k)]
    said = [k for k in ("focus", "question", "measure") if e.get(k)]
    return ", ".join([*(f"its {k}" for k in said), *parts]) or "no evidence"


SENTENCES = {
    "TeamRegistered": lambda d: (d["by"], f"registered {d['team']['name']}", None),
    "TeamAdminsNamed": lambda d: (None, f"District admins who may publish its calendar: {', '.join(d['admins'])}", None),
    "CycleStarted": lambda d: (None, f"Cycle {d['cycle']} began", None),
    "StepOpened": lambda d: (None, f"Step “{_step(d['step'])}” opened" + (f", due {d['due_on']}" if d.get("due_on") else ""), None),
    "StepCompleted": lambda d: (d["by"], f"completed “{_step(d['step'])}” with {_evidence(d['evidence'])}", None),
    "StepRevisited": lambda d: (d["by"], f"went back from “{_step(d['from_step'])}” to “{_step(d['to_step'])}”", d["reason"]),
    "DecisionRecorded": lambda d: (d["by"], f"recorded a decision: {d['summary']}", None),
    "RecommendationProposed": lambda d: (d["by"], f"recommended to the principal: {d['summary']}", None),
    "RecommendationApproved": lambda d: (d["by"], f"approved recommendation {d['recommendation_id']}", d["reason"]),
    "RecommendationRejected": lambda d: (d["by"], f"rejected recommendation {d['recommendation_id']}", d["reason"]),
    "CycleClosed": lambda d: (None, f"Cycle {d['cycle']} closed", None),
    "TeamPaused": lambda d: (d["by"], "paused the team", d["reason"]),
    "TeamResumed": lambda d: (d["by"], "resumed the team", d["reason"]),
    "EscalationRaised": lambda d: (None, f"“{_step(d['step'])}” was overdue: escalated to the {d['level'].replace('_', ' ')}",
                                   d["reason"]),
    "EscalationHeld": lambda d: (d["by"], f"{d['hold']} the escalation until {d['held_until']}", d["reason"]),
    "EscalationResolved": lambda d: (None, "The escalation was resolved", d["why"]),
    "TeamRetired": lambda d: (d["by"], "retired the team" + (f" into {d['merged_into']}" if d.get("merged_into") else ""),
                              d["reason"]),
    "MemberAdded": lambda d: (d["by"], f"added {d['member']} to the team", None),
    "MemberRemoved": lambda d: (d["by"], f"removed {d['member']} from the team", None),
    "MemberReplaced": lambda d: (d["by"], f"replaced {d['leaving']} with {d['joining']}", None),
    "FacilitatorChanged": lambda d: (d["by"], f"made {d['facilitator'] or 'nobody yet'} the facilitator", None),
    "PrincipalChanged": lambda d: (d["by"], f"made {d['principal']} the principal", None),
    "TeamCalendarChanged": lambda d: (d["by"], "changed the school calendar", None),
}


def entry(event: StoredEvent, tz: ZoneInfo) -> Entry:
    """One event as a sentence; an event without one is named, never hidden (an audit trail shows everything)."""
    data = {"type": event.type, **event.data}
    if event.type in ("EscalationAcknowledged", "EscalationSnoozed"):  # an old row's hold (domain.team.events.upcast)
        data["hold"] = event.type.removeprefix("Escalation").lower()
        event = event.model_copy(update={"type": "EscalationHeld"})
    sentence = SENTENCES.get(event.type)
    who, what, why = sentence(data) if sentence else (data.get("by"), event.type, data.get("reason"))
    return Entry(at=event.occurred_at.astimezone(tz), who=who, what=what, why=why)


def trail(events: list[StoredEvent], tz: ZoneInfo) -> list[Entry]:
    """Newest first: what a reader opening the page wants to see first."""
    return [entry(e, tz) for e in reversed(events)]
