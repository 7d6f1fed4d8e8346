"""The embedded stack behind ``make run``: Temporal dev server, PostgreSQL, the worker, the projector,
the notifier, a local SMTP sink, and the web app with a local identity provider to sign in with
(app/web_stack.py; issue 11).

Everything lives under the data folder (``PLCFLOW_DATA_DIR``, default
``./data``): the Temporal SQLite file, PostgreSQL's cluster and the email the
notifier sent (``mail/``, one ``.eml`` per message: app/mail_sink.py), so a
restart finds the same workflows, events and mail. Ctrl-C, SIGTERM and SIGHUP
(a closed terminal) stop the web app, the worker, the notifier, the projector,
the identity provider, Temporal, PostgreSQL, then the mail sink. Every
child runs in its own session, so a terminal's signals reach only us and we
stop them in order, and dies with us if we are killed (PR_SET_PDEATHSIG),
PostgreSQL included (app/local_postgres.py; issue 8, defect 10): nothing is
orphaned.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import structlog

from app import local_postgres
from app.config import ROOT, Settings
from app.demo import load_demo, until_addresses_known
from app.logging import configure
from app.mail_sink import mail_folder, start_sink
from app.process import exit_now
from app.readiness import register_search_attributes
from app.web_stack import LocalWeb, banner_lines, demo_users, start_web
from app.wiring import build_worker, clients_for, connect_temporal, open_store

BIN = Path(sys.executable).parent
log = structlog.get_logger("plcflow.stack")


# How the embedded dev server runs, here and in the benchmarks: the SQLite
# file in WAL mode (close to in-memory speed, DESIGN) and eager activities,
# so an append activity starts in the worker that scheduled it.
DEV_SERVER_TUNING = [
    "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
    "--dynamic-config-value", "system.enableActivityEagerExecution=true",
]  # fmt: skip


def start_temporal(data: Path, port: int = 7233, ui_port: int = 8233) -> subprocess.Popen:
    args = [
        str(BIN / "temporal"), "server", "start-dev",
        "--ip", "127.0.0.1", "--port", str(port), "--ui-port", str(ui_port),
        "--db-filename", str(data / "temporal.db"), *DEV_SERVER_TUNING, "--log-level", "warn",
    ]  # fmt: skip
    logfile = open(data / "temporal.log", "ab")
    return subprocess.Popen(args, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=local_postgres.die_with_parent())


def start_projector(database_url: str, listen: bool = True) -> subprocess.Popen:
    """The projector in its own process (see projector.py), dying with us like the Temporal server.
    ``listen=False``: polling only (PLCFLOW_PROJECTOR_LISTEN=0; ``bench.projection`` compares the two)."""
    env = {**os.environ, "DATABASE_URL": database_url, "PLCFLOW_PROJECTOR_LISTEN": "1" if listen else "0"}
    return subprocess.Popen([sys.executable, str(ROOT / "projector.py")], env=env, start_new_session=True,
                            preexec_fn=local_postgres.die_with_parent())


def start_notifier(database_url: str, smtp_port: int) -> subprocess.Popen:
    """The notifier (see notifier.py) handing its email to the local sink: nothing leaves this machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLCFLOW_SMTP_")}
    env.update(DATABASE_URL=database_url, PLCFLOW_SMTP_HOST="127.0.0.1", PLCFLOW_SMTP_PORT=str(smtp_port))
    return subprocess.Popen([sys.executable, str(ROOT / "notifier.py")], env=env, start_new_session=True,
                            preexec_fn=local_postgres.die_with_parent())


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def wait_for_temporal(settings: Settings, proc: subprocess.Popen, timeout: float = 60):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"Temporal dev server exited with {proc.returncode}; see its log in the data folder.")
        try:
            return await connect_temporal(settings)
        except RuntimeError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


def ports(settings: Settings) -> tuple[int, int]:
    """The frontend port from PLCFLOW_TEMPORAL_ADDRESS; the Web UI sits 1000 above it (8233 by default)."""
    port = int(settings.temporal_address.rsplit(":", 1)[1])
    return port, port + 1000


def banner(settings: Settings, pg_url: str, demo: str, smtp_port: int, web: LocalWeb) -> str:
    return f"""
plcflow is running.
{banner_lines(web)}
  Temporal      {settings.temporal_address}  (Web UI: http://localhost:{ports(settings)[1]})
  PostgreSQL    {pg_url}
  Data folder   {settings.data_dir}
  Demo team     {demo}
  Mail sink     SMTP on 127.0.0.1:{smtp_port}; every message the notifier sends lands in {mail_folder(settings.data_dir)}

Open {web.url} in a browser and sign in as {demo_users()[0].email}: the demo team's step waits on My work.
Or, in another terminal (source .venv/bin/activate first, or use .venv/bin/plcflow):
  plcflow teams
  plcflow team show demo-g7-math
  plcflow escalations
  plcflow mail list                (the demo's first escalation email, within a minute)
  plcflow team advance demo-g7-math --as t.nelson --focus "Multi-step word problems" --result "Unit 2 quiz:24:below=8,approaching=8,meets=8"

Ctrl-C stops everything.
"""


def hang_up(data: Path, stop: asyncio.Event) -> None:
    """The terminal is gone: a write to it would fail (EIO) mid-shutdown, so the rest goes to stack.log."""
    log_fd = os.open(data / "stack.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    for fd in (sys.stdout.fileno(), sys.stderr.fileno()):
        os.dup2(log_fd, fd)
    os.close(log_fd)
    stop.set()


def stop_on_signals(data: Path) -> asyncio.Event:
    """Ctrl-C, SIGTERM and SIGHUP (a closed terminal) all stop the stack in order."""
    stop, loop = asyncio.Event(), asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, hang_up, data, stop)
    return stop


async def main() -> None:
    settings = Settings.from_env()
    configure(settings.log_format, settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    stop = stop_on_signals(settings.data_dir)
    lock = local_postgres.claim_data_folder(settings.data_dir)
    pg, pg_url = local_postgres.start(settings.data_dir / "pg")
    pg_url = settings.database_url or pg_url
    temporal = start_temporal(settings.data_dir, *ports(settings))
    store = sink = None
    try:
        sink = start_sink(mail_folder(settings.data_dir), port=settings.mail_sink_port)
        client = await wait_for_temporal(settings, temporal)
        # The same search attributes as production, so a worker process started against us finds them.
        await register_search_attributes(client)
        store = await open_store(pg_url)
        (settings.data_dir / "stack.json").write_text(json.dumps({"database_url": pg_url}))
        worker = build_worker(client, store, task_queue=settings.task_queue, workflow_cache=settings.workflow_cache)
        projector = start_projector(pg_url)
        async with worker:
            demo = await load_demo(clients_for(client, settings))
            if not await until_addresses_known(store):
                log.warning("demo_addresses_not_projected", hint="the demo's first email may be parked; see plcflow doctor")
            notifier = start_notifier(pg_url, sink.port)
            web = await asyncio.to_thread(start_web, settings, pg_url)  # the worker keeps working meanwhile
            print(banner(settings, pg_url, demo, sink.port, web), flush=True)
            await stop.wait()
            stop_process(web.server)  # first: it sends its commands to this worker
        stop_process(notifier)
        stop_process(projector)
        stop_process(web.provider)
        print("Stopping: web app, worker, notifier, projector and identity provider stopped; "
              "stopping Temporal and PostgreSQL...", flush=True)
    finally:
        if store:
            await store.close()
        stop_process(temporal)
        local_postgres.stop(pg)
        if sink:
            sink.stop()
        lock.close()
    print("Stopped.", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
    exit_now(0)
