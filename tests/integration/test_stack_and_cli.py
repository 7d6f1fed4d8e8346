"""End to end, as a user would: `make run`'s stack in a subprocess, `plcflow` in another.

Checks the run command (demo loaded once, restart finds the same workflow,
its first escalation emailed to exactly the people it reached, Ctrl-C stops
everything) and each CLI verb's exit codes and --json output, including that a
refused command changes nothing.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.demo import DEMO_DISTRICT
from app.files import load_district_file
from tests.support.stack import data_folder, free_port, start_stack, stop_stack
from tests.support.stack import stack_env as make_stack_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def stack_env():
    with data_folder() as data:
        yield make_stack_env(data)


def plcflow(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "plcflow"), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def show(env, team) -> dict:
    done = plcflow(env, "team", "show", team, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def mail_within(env, count: int, seconds: float = 60) -> list[dict]:
    """The notices of ``plcflow mail list --json`` once there are ``count`` (issue 10: the demo's email within a
    minute). The principal's weekly digest may come too (the demo's every day is a school day): left out."""
    deadline = time.monotonic() + seconds
    while True:
        listed = plcflow(env, "mail", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        mail = [m for m in json.loads(listed.stdout) if " digest: " not in m["subject"]]
        if len(mail) >= count or time.monotonic() > deadline:
            return mail
        time.sleep(1)


def assert_the_demo_escalation_was_emailed_to_exactly_whom_it_reached(env, escalation: dict) -> None:
    addresses = {p.id: p.email for p in load_district_file(DEMO_DISTRICT).district.people}
    reached = escalation["reached"]
    assert reached == ["t.nelson", "d.slavit", "a.deuel"]  # the team rung: its members, not the facilitator or above
    mail = mail_within(env, len(reached))
    assert sorted(m["to"] for m in mail) == sorted([addresses[r]] for r in reached)
    shown = plcflow(env, "mail", "show", mail[0]["id"])
    assert shown.returncode == 0 and "Grade 7 Math (demo)" in shown.stdout, shown.stderr


def test_the_stack_and_every_role_verb(stack_env):
    env = stack_env
    proc = start_stack(env)
    try:
        demo = show(env, "demo-g7-math")
        assert demo["step"] == "identify_focus" and demo["escalation"]["level"] == "team"
        assert_the_demo_escalation_was_emailed_to_exactly_whom_it_reached(env, demo["escalation"])
        escalations = json.loads(plcflow(env, "escalations", "--json").stdout)
        assert [e["escalation_id"] for e in escalations] == ["demo-g7-math.1"]

        started = plcflow(env, "team", "start", "examples/team-g7-math.yaml")
        assert started.returncode == 0, started.stderr
        again = plcflow(env, "team", "start", "examples/team-g7-math.yaml")
        assert again.returncode == 1 and "already exists" in again.stderr

        refused = plcflow(env, "team", "advance", "g7-math", "--as", "p.rivera", "--focus", "x", "--result", "q:10:a=10")
        assert refused.returncode == 1
        assert "Only members of Grade 7 Math can advance its cycle; p.rivera is not one." in refused.stderr
        assert show(env, "g7-math")["version"] == 4  # registered, its admin named, a cycle and step opened: nothing more written
        missing = plcflow(env, "team", "advance", "g7-math", "--as", "t.nelson", "--focus", "Word problems")
        assert missing.returncode == 1 and "needs a data summary" in missing.stderr
        bad = plcflow(env, "team", "advance", "g7-math", "--as", "t.nelson", "--result", "garbage")
        assert bad.returncode == 2 and "metric:n:level=count" in bad.stderr
        private = plcflow(env, "team", "advance", "g7-math", "--as", "t.nelson", "--note", "call 20231187 home")
        assert private.returncode == 2 and "student ID" in private.stderr

        ok = plcflow(env, "team", "advance", "g7-math", "--as", "t.nelson", "--focus", "Word problems",
                     "--result", "Unit 2 quiz:24:below=8,approaching=8,meets=8")
        assert ok.returncode == 0, ok.stderr
        assert show(env, "g7-math")["step"] == "pose_question"
        assert plcflow(env, "team", "revisit", "g7-math", "identify_focus", "--as", "d.slavit",
                       "--reason", "Data was thin").returncode == 0
        assert plcflow(env, "team", "decide", "g7-math", "--as", "d.slavit", "--summary", "Restructure classes",
                       "--recommendation").returncode == 0
        denied = plcflow(env, "team", "approve", "g7-math", "c1-1", "--as", "a.kennedy", "--reason", "Looks good")
        assert denied.returncode == 1 and "Only p.rivera" in denied.stderr
        assert plcflow(env, "team", "approve", "g7-math", "c1-1", "--as", "p.rivera", "--reason", "Staffing allows").returncode == 0
        assert plcflow(env, "team", "pause", "g7-math", "--as", "a.kennedy", "--reason", "Testing window").returncode == 0
        assert show(env, "g7-math")["paused"] is True
        assert plcflow(env, "team", "resume", "g7-math", "--as", "p.rivera", "--reason", "Testing done").returncode == 0
        ack = plcflow(env, "escalation", "ack", "demo-g7-math.1", "--as", "t.nelson", "--reason", "Meeting Thursday")
        assert ack.returncode == 0, ack.stderr
        snooze = plcflow(env, "escalation", "snooze", "demo-g7-math.1", "--as", "t.nelson", "--until", "2026-01-01",
                         "--reason", "Later")
        assert snooze.returncode == 1 and "already acknowledged" in snooze.stderr
        # a district admin starts and steers a rollout
        bad = plcflow(env, "district", "start", "examples/districts/rubric.yaml")
        assert bad.returncode == 2 and "district: Field required" in bad.stderr
        assert plcflow(env, "district", "start", "examples/districts/justice-county.yaml").returncode == 0
        gate = plcflow(env, "district", "act", "justice-county", "complete_phase", "--as", "k.admin", "--set", "phase=form_coalition")
        assert gate.returncode == 1 and "still missing: a seated guiding coalition" in gate.stderr
        seat = plcflow(env, "district", "act", "justice-county", "seat_coalition", "--as", "k.admin", "--set",
                       "members=[k.admin, elementary.principal, middle.principal, high.principal, r.curriculum, s.services, middle.leader1]")
        assert seat.returncode == 0, seat.stderr
        assert plcflow(env, "district", "act", "justice-county", "complete_phase", "--as", "k.admin",
                       "--set", "phase=form_coalition").returncode == 0
        district = json.loads(plcflow(env, "district", "show", "justice-county", "--json").stdout)
        assert district["phase"] == "build_shared_knowledge" and district["completed_phases"] == ["form_coalition"]
        rebuilt = plcflow(env, "projections", "rebuild")
        assert rebuilt.returncode == 0 and "Rebuilt the read models from" in rebuilt.stdout, rebuilt.stderr
        # the HTTP API, with a token from the CLI
        token = plcflow(env, "tokens", "create", "--user", "s.visor", "--district", "silver-valley", "--supervisor")
        assert token.returncode == 0 and token.stdout.startswith("plc_"), token.stderr
        port = free_port()
        server = subprocess.Popen([str(BIN / "plcflow"), "serve", "--port", str(port)], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            auth = {"Authorization": f"Bearer {token.stdout.strip()}"}
            for _ in range(100):
                try:
                    docs = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=2)
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            assert docs.status_code == 200
            live = httpx.get(f"http://127.0.0.1:{port}/v1/teams/g7-math?live=true", headers=auth, timeout=10)
            assert live.status_code == 200 and live.json()["team_id"] == "g7-math"
            denied = httpx.post(f"http://127.0.0.1:{port}/v1/teams/g7-math/pause", json={"reason": "nope"}, headers=auth, timeout=10)
            assert denied.status_code == 403 and denied.json()["detail"] == "Supervisors are read-only."
            # the role verbs through the API: the token says who acts, no Temporal access needed
            member = plcflow(env, "tokens", "create", "--user", "t.nelson", "--district", "silver-valley").stdout.strip()
            api_env = {**env, "PLCFLOW_API_URL": f"http://127.0.0.1:{port}", "PLCFLOW_TOKEN": member,
                       "PLCFLOW_TEMPORAL_ADDRESS": "127.0.0.1:1"}  # would fail if the CLI went to Temporal
            decided = plcflow(api_env, "team", "decide", "g7-math", "--summary", "Meet on Tuesdays")
            assert decided.returncode == 0 and "DecisionRecorded" in decided.stdout, decided.stderr
            approve = plcflow(api_env, "team", "approve", "g7-math", "c1-1", "--reason", "Looks good")
            assert approve.returncode == 1 and "Only p.rivera" in approve.stderr
            assert json.loads(plcflow(api_env, "team", "show", "g7-math", "--json").stdout)["decisions"][-1]["summary"] == "Meet on Tuesdays"
            listed = plcflow(api_env, "teams", "--json")
            assert listed.returncode == 0 and "g7-math" in [t["team_id"] for t in json.loads(listed.stdout)]
        finally:
            server.terminate()
            server.wait(20)
        teams = json.loads(plcflow(env, "teams", "--json").stdout)
        assert sorted(t["team_id"] for t in teams) == ["demo-g7-math", "g7-math"]
        version = show(env, "g7-math")["version"]
    finally:
        stop_stack(proc, env)

    proc = start_stack(env)  # a restart finds the same workflows and data, and loads the demo only once
    try:
        assert show(env, "g7-math")["version"] == version
        assert show(env, "demo-g7-math")["escalation"]["held"] == "acknowledged"
    finally:
        stop_stack(proc, env)
