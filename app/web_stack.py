"""``make run``'s web app with sign-in (issue 11, "On one laptop"): a local OpenID Connect provider and the
API/web server, both children of the stack that die with it.

The provider is ``oidc-provider-mock`` (real authorization-code flow, PKCE,
id token): whoever signs in there is the email they pick or type, and the
web app matches it to a person of the demo district, as it would a district's
Google or Entra account. The session secret is made once and kept in the data
folder, so a restart keeps everyone signed in.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from app import local_postgres
from app.config import Settings
from app.demo import DEMO_DISTRICT, DEMO_TEAM
from app.files import load_district_file, load_team_file

# Where a person expects them (`plcflow serve`'s port, the provider's own default); a free port when taken.
DEFAULT_WEB_PORT, DEFAULT_OIDC_PORT = 8000, 9400
CLIENT_ID = "plcflow-local"


@dataclass(frozen=True)
class DemoUser:
    role: str
    person: str
    email: str


@dataclass(frozen=True)
class LocalWeb:
    """The two processes and where a browser reaches them."""

    provider: subprocess.Popen
    server: subprocess.Popen
    url: str
    issuer: str


def demo_users() -> list[DemoUser]:
    """One person per role of the demo team and district, with the work email they sign in with
    (examples/districts/demo.yaml)."""
    team, district = load_team_file(DEMO_TEAM), load_district_file(DEMO_DISTRICT).district
    emails = {p.id: p.email for p in district.people}
    admin = next(p.id for p in district.people if "district_admin" in p.roles)
    supervisor = next(p.id for p in district.people if "supervisor" in p.roles)  # issue 11: reads /supervise
    roles = (("teacher", team.team.members[0]), ("facilitator", team.team.facilitator),
             ("principal", team.team.principal), ("district admin", admin), ("supervisor", supervisor))
    return [DemoUser(role, person, emails[person]) for role, person in roles]


def session_secret(data: Path) -> str:
    """Made once per data folder (only its owner may read it), so sessions survive a restart."""
    path = data / "session-secret"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def pick_port(wanted: int | None, default: int) -> int:
    """The configured port as it is; else the default if it is free, else any free port."""
    if wanted:
        return wanted
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", default))
            return default
        except OSError:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


def child(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A child in its own session (a terminal's Ctrl-C reaches only the stack), dying with the stack."""
    with log.open("ab") as out:
        return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=local_postgres.die_with_parent())


def start_provider(settings: Settings, port: int) -> subprocess.Popen:
    users = [arg for u in demo_users() for arg in ("--user", u.email)]  # one button each on its sign-in page
    return child([sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port), *users],
                 dict(os.environ), settings.data_dir / "oidc.log")


def start_server(settings: Settings, database_url: str, port: int, issuer: str) -> subprocess.Popen:
    """``plcflow serve`` with the sign-in settings of the local provider (README: Web app)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLCFLOW_OIDC_", "PLCFLOW_SESSION_"))}
    env.update(DATABASE_URL=database_url, PLCFLOW_OIDC_ISSUER=issuer, PLCFLOW_OIDC_CLIENT_ID=CLIENT_ID,
               PLCFLOW_OIDC_CLIENT_SECRET=secrets.token_urlsafe(24),  # the mock accepts any client's secret
               PLCFLOW_SESSION_SECRET=session_secret(settings.data_dir), PLCFLOW_WEB_URL=f"http://localhost:{port}")
    return child([sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
                 env, settings.data_dir / "web.log")


def wait_answering(proc: subprocess.Popen, url: str, name: str, log: Path, timeout: float = 60) -> None:
    """Until ``url`` answers; a child that exits first stops the stack with one line naming its log."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited with {proc.returncode}; see {log}.")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise SystemExit(f"{name} did not answer at {url} in {timeout:.0f} s; see {log}.") from None
            time.sleep(0.2)


def start_web(settings: Settings, database_url: str) -> LocalWeb:
    """The provider first (the server reads its configuration at the first sign-in), then the server."""
    oidc_port = pick_port(settings.oidc_port, DEFAULT_OIDC_PORT)
    issuer = f"http://localhost:{oidc_port}"
    provider = start_provider(settings, oidc_port)
    web_port = pick_port(settings.web_port, DEFAULT_WEB_PORT)
    server = start_server(settings, database_url, web_port, issuer)
    web = LocalWeb(provider, server, f"http://localhost:{web_port}", issuer)
    wait_answering(provider, f"http://127.0.0.1:{oidc_port}/.well-known/openid-configuration", "The identity provider",
                   settings.data_dir / "oidc.log")
    wait_answering(server, f"http://127.0.0.1:{web_port}/signin", "The web app", settings.data_dir / "web.log")
    return web


def banner_lines(web: LocalWeb) -> str:
    users = "\n".join(f"    {u.role:<15} {u.email}" for u in demo_users())
    return f"""  Web app       {web.url}  (API docs: {web.url}/docs)
  Sign-in       the local identity provider at {web.issuer}: on its page press a demo user's button
                (or type their email in the box and press Authorize); these have work to do:
{users}"""
