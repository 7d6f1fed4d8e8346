"""A worker upgrade under running workflows: started by the released code, commanded by the new code.

Issue 9 ("Long life and replay"): workflows started before a change must
accept the new commands after a worker upgrade. The released code is the
repository's own history (``git archive`` of the commit before issue 9): its
worker starts a team and a school on a real dev server, then stops; a worker
of the current code takes over the same task queue and the new commands
(retire a team, form a team) are accepted and acted on. The recorded-history
replay test (tests/workflows/test_replay.py) covers the other half.
"""

import asyncio
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from uuid import uuid4

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from app.districts import DistrictClient
from app.readiness import register_search_attributes
from app.teams import TeamClient
from app.wiring import build_worker
from domain.district import TeamSpec
from domain.school import commands as m
from domain.team import commands as cmd
from tests.support.harness import eventually

ROOT = Path(__file__).resolve().parents[2]
RELEASED = "a902d04685ba4c07eef0c5142244883a20e9abd9"  # main before issue 9: people, calendars and teams over time

# Run by the released code: start a team and a school, advance the team one step, print the ids.
OLD_CLIENT = """
import asyncio, sys
from datetime import date
from pathlib import Path
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from app.teams import TeamClient
from app.files import load_district_file
from domain.school import commands as m
from domain.steps import Step
from domain.team import commands as cmd
from tests.support.builders import EVIDENCE, profile
from tests.support.calendars import years_around
from workflows.contracts import SCHOOL_WORKFLOW, school_workflow_id
from workflows.school_adoption import SchoolWorkflowInput

async def main(address, queue, suffix):
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    cal = years_around(date.today()).calendar
    teams = TeamClient(client, queue)
    team_id = f"up-{suffix}"
    await teams.start(cmd.RegisterTeam(actor="district.admin", team=profile(team_id), calendar=cal))
    await teams.send(team_id, cmd.AdvanceStep(actor="t.nelson", step=Step.IDENTIFY_FOCUS, evidence=EVIDENCE[Step.IDENTIFY_FOCUS]))
    start = load_district_file(Path("examples/districts/justice-county.yaml"))
    spec = start.district.school("jc-middle")
    spec = spec.model_copy(update={"school_id": f"jc-up-{suffix}",
                                   "teams": tuple(t.model_copy(update={"team_id": f"{t.team_id}-up-{suffix}"}) for t in spec.teams)})
    opening = m.OpenSchool(actor="k.admin", district_id="justice-county", school=spec, calendar=cal, rubric=start.rubric,
                           coalition=("k.admin",))
    await client.start_workflow(SCHOOL_WORKFLOW, SchoolWorkflowInput(opening=opening), id=school_workflow_id(spec.school_id),
                                task_queue=queue)
    print(team_id, spec.school_id, spec.principal, spec.teacher_leaders[0], flush=True)

asyncio.run(main(*sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    if subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{RELEASED}^{{commit}}"], capture_output=True).returncode:
        pytest.skip(f"the released commit {RELEASED[:7]} is not in this clone's history (a shallow clone)")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", RELEASED], capture_output=True, check=True).stdout
    folder = tmp_path_factory.mktemp("released")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def _old(folder: Path, args: list[str], env: dict[str, str], **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], cwd=folder, env={**os.environ, **env, "PYTHONPATH": str(folder)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


async def test_workflows_started_by_the_released_worker_take_the_new_commands_after_the_upgrade(released, event_store, pg_url):
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter, dev_server_existing_path=str(Path(sys.executable).parent / "temporal"))
    try:
        await register_search_attributes(env.client)
        address, queue, suffix = env.client.service_client.config.target_host, f"upgrade-{uuid4()}", uuid4().hex[:6]
        settings = {"DATABASE_URL": pg_url, "PLCFLOW_TEMPORAL_ADDRESS": address, "PLCFLOW_TASK_QUEUE": queue,
                    "PLCFLOW_LOG_FORMAT": "json"}
        old_worker = _old(released, ["worker.py"], settings)
        try:
            client = _old(released, ["-c", OLD_CLIENT, address, queue, suffix], settings)
            out, _ = await asyncio.to_thread(client.communicate, timeout=120)
            assert client.returncode == 0, out
            team_id, school_id, principal, leader = out.split()[-4:]
        finally:
            old_worker.terminate()
            await asyncio.to_thread(old_worker.wait, 30)

        async with build_worker(env.client, event_store, task_queue=queue):  # the upgrade: the current code
            teams, schools = TeamClient(env.client, queue), DistrictClient(env.client, queue)
            status = await teams.status(team_id)
            assert status.state.version >= 4 and status.state.step.value == "pose_question"  # the released work is kept
            await teams.send(team_id, cmd.RetireTeam(actor=status.state.team.principal, reason="Upgrade test"))

            async def completed():
                return (await teams.handle(team_id).describe()).status == WorkflowExecutionStatus.COMPLETED

            await eventually(completed, "the team retired by the new command ended")
            new = TeamSpec(team_id=f"new-{suffix}", name="Formed after the upgrade", kind="content_area",
                           facilitator=leader, members=(leader,))
            await schools.send_school(school_id, m.FormTeam(actor=principal, team=new))

            async def started():
                return new.team_id in (await schools.school_status(school_id)).started_teams

            await eventually(started, "the school started the team formed by the new command")
            for handle in (schools.school(school_id), teams.handle(new.team_id)):
                await handle.terminate("test finished")
    finally:
        await env.shutdown()
