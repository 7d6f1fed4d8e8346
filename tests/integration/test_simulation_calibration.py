"""``plcflow simulate --calibrate`` (issue 12): the school days a district's teams took per step, read from its
event log and read models on a real PostgreSQL.

A simulated year's streams are appended to the log as the workflows would, the projector builds the read
models, and the query must find, per step, exactly the school days each completion took.
"""

import asyncio
import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from uuid import uuid4

from activities.calibration import observed_step_days
from activities.projector import Projector
from app.files import load_district_file
from domain.team.events import StepCompleted, StepOpened
from simulation.behaviour import Behaviour
from simulation.plan import Plan, school_year
from simulation.run import simulate
from tests.support.districts import suffixed
from workflows.contracts import district_workflow_id, school_workflow_id
from workflows.persistence import stream_id, to_rows

ROOT = Path(__file__).resolve().parents[2]
DISTRICT = ROOT / "examples" / "districts" / "silver-valley.yaml"


def took(run) -> dict[str, list[int]]:
    """What the simulated teams took, counted on the calendar itself."""
    cal, out = run.engine.district.state.calendar, defaultdict(list)
    for t in run.engine.teams.values():
        opened = {}
        for e in t.events:
            if isinstance(e, StepOpened):
                opened[e.step] = cal.local_date(e.at)
            elif isinstance(e, StepCompleted):
                out[e.step.value].append(cal.school_days_between(opened[e.step], cal.local_date(e.at)))
    return {k: sorted(v) for k, v in out.items()}


async def logged_year(event_store):
    start = suffixed(load_district_file(DISTRICT), uuid4().hex[:8])
    run = simulate(start, school_year(start, None), Plan(), Behaviour(), seed=9)
    ids = {"district": district_workflow_id, "school": school_workflow_id, "team": stream_id}
    for (kind, key), events in run.streams().items():
        await event_store.append(ids[kind](key), to_rows(1, events))
    await Projector(event_store.pool).catch_up()
    return start, run


async def plcflow(pg_url: str, *args: str) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": pg_url, "COLUMNS": "200"}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "cli.main", *args, cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert b"Traceback" not in out + err, (out + err).decode()
    return proc.returncode, out.decode() + err.decode()


async def test_calibration_reads_the_school_days_each_step_took_from_the_log(event_store):
    start, run = await logged_year(event_store)
    observed = await observed_step_days(event_store.pool, start.district.district_id)
    assert observed == took(run)
    assert sum(len(v) for v in observed.values()) > 50  # a year of 8 teams' steps


async def test_simulate_calibrates_from_a_district_log_and_refuses_a_district_without_one(event_store, pg_url):
    start, _ = await logged_year(event_store)
    district = start.district.district_id
    code, out = await plcflow(pg_url, "simulate", str(DISTRICT), "--calibrate", district, "--runs", "2", "--json")
    assert code == 0, out
    assert json.loads(out)["behaviour"].startswith(f"calibrated from {district}'s event log (identify_focus, ")
    code, out = await plcflow(pg_url, "simulate", str(DISTRICT), "--calibrate", "no-such-district", "--runs", "2")
    assert code == 1
    assert "too few completed steps of no-such-district's teams" in " ".join(out.split())
