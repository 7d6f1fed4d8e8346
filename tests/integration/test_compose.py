"""docker-compose.yml describes a stack that holds together (no Docker engine runs here,
so the wiring is checked by reading the file)."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_of(service: dict) -> dict:
    env = service.get("environment", {})
    return env if isinstance(env, dict) else dict(item.split("=", 1) for item in env)


def resolve(value: str) -> str:
    """Apply compose's ${VAR:-default} with an empty environment."""
    return re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: m.group(2), value)


def test_the_stack_has_its_four_services(compose):
    assert set(compose["services"]) == {"postgresql", "temporal", "temporal-ui", "worker"}


def test_every_dependency_and_volume_is_declared(compose):
    services = compose["services"]
    for name, service in services.items():
        for dep in service.get("depends_on", {}):
            assert dep in services, f"{name} depends on unknown {dep}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in compose.get("volumes", {}), f"{name} uses undeclared volume {source}"


def test_temporal_runs_on_postgresql_once_it_is_healthy(compose):
    temporal = compose["services"]["temporal"]
    env = env_of(temporal)
    assert env["DB"].startswith("postgres") and env["POSTGRES_SEEDS"] == "postgresql"
    assert temporal["depends_on"]["postgresql"]["condition"] == "service_healthy"
    dynamic = env["DYNAMIC_CONFIG_FILE_PATH"].removeprefix("config/dynamicconfig/")
    assert (ROOT / "deploy" / "temporal" / dynamic).exists()
    assert "healthcheck" in temporal and "healthcheck" in compose["services"]["postgresql"]


def test_the_worker_talks_to_temporal_and_the_plcflow_database(compose):
    worker = compose["services"]["worker"]
    env = env_of(worker)
    assert worker["build"] == "." and worker["command"] == ["python", "worker.py"]
    assert env["PLCFLOW_TEMPORAL_ADDRESS"] == "temporal:7233"
    url = urlsplit(resolve(env["DATABASE_URL"]))
    assert (url.hostname, url.port, url.path) == ("postgresql", 5432, "/plcflow")
    assert env["PLCFLOW_LOG_FORMAT"] == "json"
    assert set(worker["depends_on"]) == {"temporal", "postgresql"}
    assert "container_name" not in worker  # workers scale out


def test_the_ui_points_at_temporal(compose):
    assert env_of(compose["services"]["temporal-ui"])["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_the_database_and_temporal_share_credentials(compose):
    pg, temporal = (env_of(compose["services"][s]) for s in ("postgresql", "temporal"))
    assert resolve(pg["POSTGRES_USER"]) == resolve(temporal["POSTGRES_USER"])
    assert resolve(pg["POSTGRES_PASSWORD"]) == resolve(temporal["POSTGRES_PWD"])
    url = urlsplit(resolve(env_of(compose["services"]["worker"])["DATABASE_URL"]))
    assert (url.username, url.password) == (resolve(pg["POSTGRES_USER"]), resolve(pg["POSTGRES_PASSWORD"]))


def test_the_init_script_creates_the_plcflow_database():
    assert re.search(r"CREATE DATABASE plcflow", (ROOT / "deploy/postgres/init-plcflow.sql").read_text())


def test_the_worker_image_copies_what_exists_and_runs_the_worker():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    assert 'CMD ["python", "worker.py"]' in dockerfile
    packages = re.search(r'packages = \[(.*?)\]', (ROOT / "pyproject.toml").read_text()).group(1)
    for package in re.findall(r'"(\w+)"', packages):
        assert f"COPY {package} ./{package}" in dockerfile, f"image lacks package {package}"
