"""One escalation shape for the three aggregates (issue 8, Structure), and old team rows still read.

Before, a team wrote ``EscalationAcknowledged`` / ``EscalationSnoozed`` while schools
and rollouts wrote one ``…EscalationHeld`` with a ``hold`` kind. Now every aggregate
writes raised/held/resolved events with the same facts; rows a team wrote the old
way are upcast when read, so the log of a district that ran before folds unchanged.
"""

import base64
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from domain.ladder import EscalationHeldFacts, EscalationRaisedFacts, EscalationResolvedFacts
from domain.rollout import events as rollout
from domain.school import events as school
from domain.team import events as team
from domain.team.state import TeamState, fold

HISTORY = Path(__file__).resolve().parents[1] / "workflows" / "histories" / "team_cycle_v1.json"
TEAM_EVENT = TypeAdapter(team.TeamEvent)
AT = datetime(2026, 1, 5, 12, tzinfo=timezone.utc)


def _facts(model: type) -> set[str]:
    return set(model.model_fields)


@pytest.mark.parametrize(
    ("raised", "held", "resolved"),
    [
        (team.EscalationRaised, team.EscalationHeld, team.EscalationResolved),
        (school.SchoolEscalationRaised, school.SchoolEscalationHeld, school.SchoolEscalationResolved),
        (rollout.RolloutEscalationRaised, rollout.RolloutEscalationHeld, rollout.RolloutEscalationResolved),
    ],
)
def test_every_aggregate_records_an_escalation_with_the_same_facts(raised, held, resolved):
    assert _facts(EscalationRaisedFacts) <= _facts(raised)
    assert _facts(held) - {"type", "at"} == _facts(EscalationHeldFacts)
    assert _facts(resolved) - {"type", "at"} == _facts(EscalationResolvedFacts)


@pytest.mark.parametrize(("legacy", "hold"), [("EscalationAcknowledged", "acknowledged"), ("EscalationSnoozed", "snoozed")])
def test_a_row_written_before_the_one_shape_reads_as_the_hold_it_meant(legacy, hold):
    row = {"type": legacy, "at": AT.isoformat(), "escalation_id": "t-1.1", "by": "p.rivera", "reason": "Seen",
           "held_until": "2026-01-08"}
    event = TEAM_EVENT.validate_python(row)
    assert event == team.EscalationHeld(at=AT, escalation_id="t-1.1", hold=hold, by="p.rivera", reason="Seen",
                                        held_until=date(2026, 1, 8))
    assert TEAM_EVENT.validate_json(TEAM_EVENT.dump_json(event)) == event  # and is written the new way


def _decode(payload: dict) -> dict:
    return json.loads(base64.b64decode(payload["data"]))


def test_the_rows_a_recorded_team_wrote_the_old_way_fold_to_the_state_it_carried_into_its_next_run():
    """The recorded history holds the rows the old code appended (``append_events`` inputs) and, at
    its end, the state it handed to continue-as-new: the upcast fold must reach exactly that state."""
    events = json.loads(HISTORY.read_text())["events"]
    rows = [
        row
        for e in events
        if (a := e.get("activityTaskScheduledEventAttributes")) and a["activityType"]["name"] == "append_events"
        for row in _decode(a["input"]["payloads"][0])["events"]
    ]
    assert {"EscalationAcknowledged", "EscalationSnoozed"} <= {r["type"] for r in rows}
    assert [r["version"] for r in rows] == list(range(1, len(rows) + 1))
    carried = _decode(events[-1]["workflowExecutionContinuedAsNewEventAttributes"]["input"]["payloads"][0])["state"]
    folded = fold(TEAM_EVENT.validate_python(r["data"]) for r in rows)
    # registered_by came after this recording (issue 9): a state carried from then takes its default.
    assert folded.model_copy(update={"registered_by": None}) == TeamState.model_validate(carried)
