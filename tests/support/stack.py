"""`make run`'s stack as a subprocess, the way a user starts and stops it (tests/integration)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from app.local_postgres import die_with_parent

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return port if port < 64000 else free_port()  # the Web UI sits 1000 above the frontend


@contextmanager
def data_folder() -> Iterator[Path]:
    """A fresh data folder outside pytest's tmp tree.

    Run as root, PostgreSQL runs as another user who must reach its folder,
    and every pytest session resets /tmp/pytest-of-<user> to 0700: a stack
    starting while another session does that failed with "Permission denied".
    """
    folder = Path(tempfile.mkdtemp(prefix="plcs-", dir="/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def stack_env(data: Path, task_queue: str = "plcflow-e2e") -> dict[str, str]:
    """The environment of a stack on its own data folder and free ports."""
    env = {
        **os.environ,
        "PLCFLOW_DATA_DIR": str(data),
        "PLCFLOW_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        # the web app and its identity provider: never 8000/9400, which a `make run` beside the tests may hold
        "PLCFLOW_WEB_PORT": str(free_port()),
        "PLCFLOW_OIDC_PORT": str(free_port()),
        "PLCFLOW_TASK_QUEUE": task_queue,
        "PLCFLOW_LOG_FORMAT": "json",
    }
    env.pop("DATABASE_URL", None)
    return env


def start_stack(env, timeout: float = 90) -> subprocess.Popen:
    """``make run`` as a user starts it; return once its banner is printed (kept in ``proc.banner``), bounded even
    when it prints nothing, and drain its later output so it never blocks. It dies with the test process, however that dies."""
    errors = Path(env["PLCFLOW_DATA_DIR"]) / "stack.stderr"
    with errors.open("ab") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "app.stack"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=stderr, text=True, preexec_fn=die_with_parent(signal.SIGKILL))
    up = threading.Event()
    proc.banner = []  # what it printed up to its banner, for the tests that read the banner

    def read() -> None:
        for line in proc.stdout:
            if not up.is_set():
                proc.banner.append(line)
            if "Ctrl-C stops everything" in line:
                up.set()

    threading.Thread(target=read, daemon=True).start()
    if not up.wait(timeout):
        if proc.poll() is None:
            proc.kill()
        raise AssertionError(f"make run did not print its banner in {timeout:.0f} s (exit code {proc.wait(30)}): "
                             f"{errors.read_text()[-2000:]}")
    return proc


def processes_of(proc: subprocess.Popen, env) -> list[psutil.Process]:
    """Everything the stack runs: its descendants and any process on its data folder, with their descendants."""
    data = env["PLCFLOW_DATA_DIR"]
    try:
        found = {p.pid: p for p in psutil.Process(proc.pid).children(recursive=True)}
    except psutil.NoSuchProcess:  # the stack is gone: what it left behind is still on its data folder
        found = {}
    for p in psutil.process_iter(["cmdline"]):
        if p.pid != proc.pid and data in " ".join(p.info["cmdline"] or ()):
            found[p.pid] = p
            found.update((c.pid, c) for c in p.children(recursive=True))
    return list(found.values())


def assert_all_gone(processes: list[psutil.Process], timeout: float = 20) -> None:
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    assert not alive, f"left running: {[(p.pid, p.name()) for p in alive]}"


def stop_stack(proc: subprocess.Popen, env, sig: int = signal.SIGINT) -> None:
    """Stop the stack as a user would (Ctrl-C, or ``sig``): it exits 0 and leaves nothing running."""
    children = processes_of(proc, env)
    proc.send_signal(sig)
    assert proc.wait(60) == 0
    assert_all_gone(children)
