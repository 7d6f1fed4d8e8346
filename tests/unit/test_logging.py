"""Library log records come out as our JSON lines (issue 8, defect 12).

The Temporal SDK logs its retry and task-failure warnings through the
standard ``logging`` module, with multi-line text and tracebacks; a log
shipper must see them as one JSON object per line, like ours.
"""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import structlog

from app.logging import configure

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


WORKER_PROCESS = """
import logging
from app.logging import configure
configure("json")
try:
    raise ConnectionError("connection refused:\\nthe database is away")
except ConnectionError:
    logging.getLogger("temporalio.worker").warning(
        "Completing activity as failed\\n(attempt 3)", exc_info=True, extra={"temporal_activity": {"attempt": 3}}
    )
"""


def test_a_temporal_warning_with_a_traceback_is_one_json_line():
    # A process of its own: logging starts unconfigured there, as in the worker (pytest installs its own handlers).
    run = subprocess.run([sys.executable, "-c", WORKER_PROCESS], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    (line,) = json_lines(run.stderr)
    assert line["event"] == "Completing activity as failed\n(attempt 3)"
    assert line["level"] == "warning" and line["logger"] == "temporalio.worker"
    assert line["temporal_activity"] == {"attempt": 3}
    assert "ConnectionError: connection refused:" in line["exception"] and "Traceback" in line["exception"]
    assert line["timestamp"].endswith("Z")


def test_configuring_twice_does_not_print_library_lines_twice(capsys, restore_logging):
    configure("json")
    configure("json")
    logging.getLogger("temporalio.activity").error("Activity failed")
    assert [line["event"] for line in json_lines(capsys.readouterr().err)] == ["Activity failed"]


def test_our_own_lines_keep_their_shape(capsys, restore_logging):
    configure("json")
    structlog.get_logger("plcflow.test").warning("domain_events", version=3)
    (line,) = json_lines(capsys.readouterr().err)
    assert (line["event"], line["version"], line["level"]) == ("domain_events", 3, "warning")


def test_library_info_chatter_stays_out(capsys, restore_logging):
    configure("json", "info")
    logging.getLogger("temporalio.worker").info("Beginning worker shutdown")
    assert capsys.readouterr().err == ""
