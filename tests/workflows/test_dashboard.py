"""The supervisors' dashboard in a real headless Chromium against a running API with real data."""

import asyncio
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from uuid import uuid4

import uvicorn

from activities.projector import Projector
from activities.read_models import ReadModels
from activities.tokens import TokenStore
from api.app import create_app
from api.runtime import Runtime
from app.districts import DistrictClient
from domain.team import commands as cmd
from domain.rollout import commands as rc
from domain.rollout.decider import decide as decide_rollout
from domain.rollout.state import RolloutState, evolve as evolve_rollout
from domain.school import commands as sm
from domain.school.state import SchoolState, evolve as evolve_school
from domain.school.decider import decide as decide_school
from domain.steps import STEPS
from domain.team.profile import TeamProfile
from tests.support.builders import EVIDENCE, local
from tests.support.gwt import given
from tests.support.web import free_port
from tests.unit.test_rollout_rules import SV_COALITION
from tests.unit.test_school_rules import MIDDLE, RATINGS, START
from workflows.persistence import to_rows

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dashboard.png"
MON = date(2026, 9, 14)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--virtual-time-budget=15000"]


def run(decide, evolve, state, steps):
    log = []
    for command, day in steps:
        for e in decide(state, command, local(day)):
            state = evolve(state, e)
            log.append(e)
    return log


async def seed(store, suffix: str) -> dict:
    district_id = f"d-{suffix}"
    schools = [MIDDLE.model_copy(update={"school_id": f"ms-{suffix}", "name": "Silver Valley Middle School"}),
               MIDDLE.model_copy(update={"school_id": f"hs-{suffix}", "name": "Silver Valley High School"})]
    district = START.district.model_copy(update={"district_id": district_id, "name": "Silver Valley School District"})
    await store.append(f"district-{district_id}", to_rows(1, run(decide_rollout, evolve_rollout, RolloutState(), [
        (START.model_copy(update={"district": district}), MON), (rc.SeatCoalition(actor="sv.admin", members=SV_COALITION), MON)])))
    for school in schools:
        opening = sm.OpenSchool(actor="sv.admin", district_id=district_id, school=school, calendar=START.calendar,
                                rubric=START.rubric, coalition=("sv.admin",))
        steps = [(opening, MON), (sm.SelfAssess(actor="svm.principal", ratings=RATINGS), date(2026, 12, 1)),
                 (sm.SchoolTick(), date(2027, 1, 28)),
                 (sm.SelfAssess(actor="svm.principal", ratings={**RATINGS, "collaboration": "Implementing"}), date(2027, 5, 3))]
        await store.append(f"school-{school.school_id}", to_rows(1, run(decide_school, evolve_school, SchoolState(), steps)))
    stalled_id = None
    for i, (school, advanced) in enumerate([(schools[0], 0), (schools[0], 2), (schools[1], 1)]):
        team = TeamProfile(team_id=f"t{i}-{suffix}", school_id=school.school_id, district_id=district_id, name=f"Team {i}",
                           facilitator="a.kennedy", members=("t.nelson",), principal="p.rivera", coalition=("c.hill",))
        s = given((cmd.RegisterTeam(actor="sv.admin", team=team, calendar=START.calendar), local(MON)),
                  (cmd.StartCycle(actor="a.kennedy"), local(MON)))
        for step in STEPS[:advanced]:
            s.run(cmd.AdvanceStep(actor="t.nelson", step=step, evidence=EVIDENCE[step]), local(MON))
        if i == 0:  # the stalled one climbs to the principal
            for day in (date(2026, 9, 22), date(2026, 9, 24), date(2026, 9, 29)):
                s.run(cmd.RaiseDueEscalations(), local(day))
            stalled_id = s.state.escalation.id
        await store.append(f"team-{team.team_id}", to_rows(1, s.log))
    await Projector(store.pool).catch_up()
    return {"district_id": district_id, "stalled": stalled_id}


async def chromium(*args: str) -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary, "Chromium is not installed: make test installs Debian's chromium package"
    with tempfile.TemporaryDirectory() as profile:
        proc = await asyncio.create_subprocess_exec(binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
        out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return out.decode()


async def test_the_dashboard_shows_the_district_at_a_glance(harness):
    store = harness.store
    seeded = await seed(store, uuid4().hex[:8])
    rt = Runtime(harness.teams, DistrictClient(harness.env.client, harness.teams._task_queue), ReadModels(store.pool),
                 TokenStore(store.pool))
    token = await rt.tokens.create("s.visor", "supervisor", seeded["district_id"])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(rt), host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        url = f"http://127.0.0.1:{port}/dashboard#token={token}"
        dom = await chromium("--dump-dom", url)
        assert 'data-ready="true"' in dom, dom[-2000:]
        assert "Silver Valley School District" in dom and "Silver Valley High School" in dom
        assert seeded["stalled"] in dom and "rung-principal" in dom  # the stalled team, at its rung
        assert "identify focus" in dom and "<polyline" in dom  # schools x steps, and the rubric trend chart
        assert "Implementing" in dom
        if os.environ.get("PLCFLOW_SCREENSHOT") == "1" or not SCREENSHOT.exists():
            SCREENSHOT.parent.mkdir(exist_ok=True)
            await chromium(f"--screenshot={SCREENSHOT}", "--window-size=1280,900", "--hide-scrollbars", url)
            assert SCREENSHOT.exists()
    finally:
        server.should_exit = True
        await serving
