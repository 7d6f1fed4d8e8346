"""Settings from the environment: Temporal TLS / mTLS / API key options and their errors (issue 8).

Given an environment, when plcflow reads it, then the client options that
``Client.connect`` gets are exactly what the operator asked for, and a setting
that cannot work stops start-up with a sentence naming it.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from temporalio.service import TLSConfig

from app.config import ConfigError, Settings
from app.wiring import temporal_connect_options

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pem(tmp_path):
    def write(name: str, body: str) -> str:
        path = tmp_path / name
        path.write_text(body)
        return str(path)

    return write


def test_by_default_the_client_speaks_plain_grpc_without_a_key():
    options = temporal_connect_options(Settings.from_env({}))
    assert options["tls"] is False and options["api_key"] is None and options["namespace"] == "default"


def test_an_api_key_turns_tls_on_and_is_sent_but_never_printed():
    settings = Settings.from_env({"PLCFLOW_TEMPORAL_API_KEY": "secret-key-123", "PLCFLOW_TEMPORAL_NAMESPACE": "d.acct"})
    options = temporal_connect_options(settings)
    assert options["tls"] is True and options["api_key"] == "secret-key-123" and options["namespace"] == "d.acct"
    assert "secret-key-123" not in repr(settings)


def test_tls_alone_uses_the_system_roots():
    assert temporal_connect_options(Settings.from_env({"PLCFLOW_TEMPORAL_TLS": "true"}))["tls"] is True


def test_mtls_reads_the_ca_the_client_pair_and_the_server_name(pem):
    env = {
        "PLCFLOW_TEMPORAL_TLS_CA": pem("ca.pem", "CA"),
        "PLCFLOW_TEMPORAL_TLS_CERT": pem("client.pem", "CERT"),
        "PLCFLOW_TEMPORAL_TLS_KEY": pem("client.key", "KEY"),
        "PLCFLOW_TEMPORAL_TLS_SERVER_NAME": "temporal.district.example",
    }
    tls = temporal_connect_options(Settings.from_env(env))["tls"]
    assert tls == TLSConfig(server_root_ca_cert=b"CA", client_cert=b"CERT", client_private_key=b"KEY",
                            domain="temporal.district.example")


def test_a_ca_alone_verifies_the_server_without_a_client_certificate(pem):
    tls = temporal_connect_options(Settings.from_env({"PLCFLOW_TEMPORAL_TLS_CA": pem("ca.pem", "CA")}))["tls"]
    assert tls == TLSConfig(server_root_ca_cert=b"CA")


@pytest.mark.parametrize("name", ["PLCFLOW_TEMPORAL_TLS_CA", "PLCFLOW_TEMPORAL_TLS_CERT", "PLCFLOW_TEMPORAL_TLS_KEY"])
def test_a_certificate_file_that_does_not_exist_is_a_start_up_error(name, tmp_path):
    missing = tmp_path / "nowhere.pem"
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({name: str(missing)})
    assert str(refused.value) == f"configuration: {name}={missing}: no such file."


def test_a_client_certificate_without_its_key_is_refused(pem):
    with pytest.raises(ConfigError, match="PLCFLOW_TEMPORAL_TLS_CERT and PLCFLOW_TEMPORAL_TLS_KEY go together"):
        Settings.from_env({"PLCFLOW_TEMPORAL_TLS_CERT": pem("client.pem", "CERT")})


def test_an_api_key_over_plain_text_is_refused():
    with pytest.raises(ConfigError, match="must not travel in clear text"):
        Settings.from_env({"PLCFLOW_TEMPORAL_TLS": "false", "PLCFLOW_TEMPORAL_API_KEY": "k"})


def test_a_flag_that_is_neither_true_nor_false_is_refused():
    with pytest.raises(ConfigError, match="PLCFLOW_TEMPORAL_TLS='maybe' is neither true nor false"):
        Settings.from_env({"PLCFLOW_TEMPORAL_TLS": "maybe"})


def test_the_worker_stops_at_start_up_with_that_sentence_not_a_traceback(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x",
           "PLCFLOW_TEMPORAL_TLS_CA": str(tmp_path / "ca.pem")}
    done = subprocess.run([sys.executable, "worker.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == f"configuration: PLCFLOW_TEMPORAL_TLS_CA={tmp_path / 'ca.pem'}: no such file."
    assert "Traceback" not in done.stderr


def test_the_database_password_is_url_encoded_into_database_url():
    password = "p@ss:w/rd#50%?x"
    settings = Settings.from_env({"DATABASE_URL": "postgresql://plcflow@postgresql:5432/plcflow",
                                  "PLCFLOW_DATABASE_PASSWORD": password})
    url = urlsplit(settings.database_url)
    assert (url.username, unquote(url.password), url.hostname, url.port, url.path) == (
        "plcflow", password, "postgresql", 5432, "/plcflow")


def test_a_url_that_already_has_a_password_and_a_second_password_is_refused():
    with pytest.raises(ConfigError, match="already holds a password"):
        Settings.from_env({"DATABASE_URL": "postgresql://u:a@h/db", "PLCFLOW_DATABASE_PASSWORD": "b"})


def test_a_password_without_a_url_is_refused():
    with pytest.raises(ConfigError, match="PLCFLOW_DATABASE_PASSWORD is set but DATABASE_URL is not"):
        Settings.from_env({"PLCFLOW_DATABASE_PASSWORD": "b"})
