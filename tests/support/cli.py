"""The plcflow CLI as a user runs it: a real subprocess against a test's Temporal server and task queue."""

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


async def plcflow(h, *args: str) -> tuple[int, str]:
    """Run ``plcflow ARGS`` against harness ``h``; return its exit code and its output on one line (never a traceback).

    A module that runs it should have a time-skipping server of its own (``private_env``): after these
    subprocess clients a server's clock has been seen to stay held, which would stall every later test."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLCFLOW_TEMPORAL_ADDRESS": h.env.client.service_client.config.target_host,
           "PLCFLOW_TASK_QUEUE": h.teams._task_queue, "COLUMNS": "200"}
    env.pop("PLCFLOW_API_URL", None)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "cli.main", *args, cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 90)
    text = out.decode()
    assert "Traceback" not in text, text
    return proc.returncode, " ".join(text.split())
