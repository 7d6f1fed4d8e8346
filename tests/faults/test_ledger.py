"""The fault suite's own checks can fail: a lost, a duplicated and a refused-but-stored command are each caught.

Fast (one PostgreSQL, no stack), so ``make test`` runs it even though the fault scenarios themselves are deselected.
"""

from datetime import date
from uuid import uuid4

import pytest

from domain.team import commands as cmd
from domain.steps import Step
from tests.support.builders import local, register
from tests.support.gwt import given
from workflows.messages import CommandResult
from workflows.persistence import stream_id, to_rows

from .ledger import Ledger, Outcome, Sent, check_answers_match_log, check_exactly_once, letters, marked

MON = date(2026, 9, 14)


def answered(ledger: Ledger, team, team_id: str, step: Step) -> Sent:
    sent = Sent(team_id, letters(), f"u-{uuid4()}")
    events = team.run(marked(step, sent.marker), local(MON))
    sent.result = CommandResult(version=team.state.version, events=events)
    ledger.sent.append(sent)
    return sent


async def test_a_lost_and_a_duplicated_command_are_counted(event_store):
    team_id = f"ledger-{uuid4().hex[:8]}"
    team = given((register(team_id), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))
    ledger = Ledger(teams=None)
    kept = answered(ledger, team, team_id, Step.IDENTIFY_FOCUS)
    stored = len(team.log)
    answered(ledger, team, team_id, Step.POSE_QUESTION)  # answered, but its events never reach the log
    await event_store.append(stream_id(team_id), to_rows(1, team.log[:stored]))
    await event_store.append(stream_id(f"{team_id}-copy"), to_rows(1, kept.result.events))  # kept's, a second time

    assert await check_exactly_once(ledger, event_store) == Outcome(accepted=2, lost=1, duplicated=1)
    with pytest.raises(AssertionError, match="does not hold"):
        await check_answers_match_log(ledger, event_store)


async def test_a_refused_command_found_in_the_log_fails_the_check(event_store):
    team_id = f"ledger-{uuid4().hex[:8]}"
    team = given((register(team_id), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))
    ledger = Ledger(teams=None)
    sent = answered(ledger, team, team_id, Step.IDENTIFY_FOCUS)
    sent.result, sent.refused = None, "Only members of Grade 7 Math can advance its cycle."
    await event_store.append(stream_id(team_id), to_rows(1, team.log))

    with pytest.raises(AssertionError, match="refused but stored"):
        await check_exactly_once(ledger, event_store)
