"""Reading docker-compose.yml as compose would, for tests/integration/test_compose.py."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
# What an operator sets (.env); a password a URL cannot hold as it is.
OPERATOR_ENV = {"POSTGRES_PASSWORD": "p@ss/w:rd#1%", "PLCFLOW_DOMAIN": "plc.district.example",
                "PLCFLOW_SMTP_HOST": "smtp.district.example", "PLCFLOW_SMTP_FROM": "plcflow@district.example"}


def env_of(service: dict) -> dict:
    env = service.get("environment", {})
    return env if isinstance(env, dict) else dict(item.split("=", 1) for item in env)


def resolve(value: str, env: dict[str, str] = OPERATOR_ENV) -> str:
    """Apply compose's ${VAR:-default} and ${VAR:?error} as compose would with ``env``."""

    def one(m: re.Match) -> str:
        name, op, arg = m.groups()
        if env.get(name):
            return env[name]
        if op == ":?":
            raise LookupError(f"{name}: {arg}")
        return arg

    return re.sub(r"\$\{(\w+)(:[-?])([^}]*)\}", one, str(value))


def depends_on(service: dict) -> dict:
    deps = service.get("depends_on", {})
    return {name: {"condition": "service_started"} for name in deps} if isinstance(deps, list) else deps


def script_of(service: dict) -> str:
    """A one-shot's shell script as the container gets it (compose turns $$ into $)."""
    command = service["command"]
    return (command if isinstance(command, str) else " ".join(command)).replace("$$", "$")


def published(service: dict) -> list[tuple[str, str, str]]:
    """(host ip, host port, container port) of each short-syntax port."""
    out = []
    for port in service.get("ports", []):
        *host, container = str(port).split(":")
        ip, host_port = (host if len(host) == 2 else ["", *host]) if host else ("", "")
        out.append((ip, host_port, container))
    return out


def metrics_port(service: dict) -> str:
    return env_of(service)["PLCFLOW_METRICS_ADDRESS"].rsplit(":", 1)[1]


def probe(service: dict) -> str:
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1:3] == ["python", "-c"], "the slim image has python, not curl"
    return test[3]


def serve_port(api: dict) -> str:
    command = api["command"]
    assert command[:2] == ["plcflow", "serve"] and command[command.index("--host") + 1] == "0.0.0.0"
    return command[command.index("--port") + 1]
