"""Old histories must replay with the current workflow code (determinism).

``histories/*.json`` are real histories recorded from this suite's scenario
(``make record-histories TAG=vN`` adds new ones beside the old, which it never
replaces; record after a deliberate, patched change). A change to workflow logic that
breaks one of them needs ``workflow.patched``.
"""

from datetime import time
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from domain.team import commands as cmd
from domain.steps import STEPS, Step
from app.wiring import SANDBOX, WORKFLOWS
from tests.support.histories import HISTORIES, RECORDING, record



@pytest.mark.skipif(not RECORDING, reason="records only on purpose: make record-histories TAG=vN")
async def test_record_a_history_covering_every_handler(harness):
    layout = await harness.layout()
    cal = layout.calendar
    team = await harness.start(layout)
    first_run = await harness.run_id(team)
    due = (await harness.status(team)).state.due_on
    await harness.sleep_until(layout, cal.add_school_days(due, 1), time(12))
    esc = (await harness.status(team)).state.escalation
    await harness.send(team, cmd.AcknowledgeEscalation(actor="t.nelson", escalation_id=esc.id, reason="Seen it"))
    await harness.sleep_until(layout, cal.add_school_days(due, 8), time(12))
    esc = (await harness.status(team)).state.escalation
    await harness.send(team, cmd.SnoozeEscalation(actor="p.rivera", escalation_id=esc.id, until=cal.add_school_days(due, 10), reason="Data comes Friday"))
    await harness.send(team, cmd.PauseTeam(actor="a.kennedy", reason="Testing window"))
    await harness.send(team, cmd.ResumeTeam(actor="a.kennedy", reason="Testing done"))
    for step in STEPS[:4]:
        await harness.advance(team, step)
    await harness.send(team, cmd.RevisitStep(actor="t.nelson", step=Step.PLAN_ACTION, reason="Measure was vague"))
    await harness.advance(team, Step.PLAN_ACTION)
    await harness.advance(team, Step.IMPLEMENT)
    await harness.send(team, cmd.RecordDecision(actor="d.slavit", kind="recommendation", summary="Restructure classes"))
    await harness.send(team, cmd.RecordDecision(actor="d.slavit", kind="recommendation", summary="Add a section"))
    await harness.send(team, cmd.ApproveRecommendation(actor="p.rivera", recommendation_id="c1-1", reason="Staffing allows"))
    await harness.send(team, cmd.RejectRecommendation(actor="p.rivera", recommendation_id="c1-2", reason="No room"))
    for step in STEPS[4:]:
        await harness.advance(team, step)
    await harness.next_run(team, first_run)  # the recorded run ends in continue-as-new
    await harness.assert_log_matches(team)
    record("team_cycle", await harness.teams.handle(team, run_id=first_run).fetch_history())


async def test_recorded_histories_replay_with_current_code():
    files = sorted(HISTORIES.glob("*.json"))
    assert {f.stem for f in files} >= {"team_cycle_v1", "district_rollout_v1", "school_adoption_v1"}
    replayer = Replayer(workflows=list(WORKFLOWS), data_converter=pydantic_data_converter, workflow_runner=SANDBOX)
    for path in files:
        history = WorkflowHistory.from_json(path.stem, path.read_text())
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        assert result.replay_failure is None, f"{path.name} no longer replays: {result.replay_failure}"
