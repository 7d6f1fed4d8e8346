"""``make run``'s web app (issue 11): its ports, its session secret kept in the data folder, its demo users."""

import socket
import stat

import pytest

from app.config import ConfigError, Settings
from app.web_stack import demo_users, pick_port, session_secret


def test_given_nothing_when_read_then_make_run_picks_the_web_and_provider_ports():
    settings = Settings.from_env({})
    assert (settings.web_port, settings.oidc_port) == (None, None)


def test_given_ports_when_read_then_the_web_app_and_provider_listen_there():
    settings = Settings.from_env({"PLCFLOW_WEB_PORT": "8080", "PLCFLOW_OIDC_PORT": " 9500 "})
    assert (settings.web_port, settings.oidc_port) == (8080, 9500)


@pytest.mark.parametrize("name", ["PLCFLOW_WEB_PORT", "PLCFLOW_OIDC_PORT"])
def test_given_no_port_number_when_read_then_one_sentence_names_it(name):
    with pytest.raises(ConfigError) as err:
        Settings.from_env({name: "web"})
    assert str(err.value) == f"configuration: {name}='web' is not a port number (1 to 65535)."


def test_given_the_default_port_taken_when_picking_then_another_free_port_is_used():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        taken = held.getsockname()[1]
        picked = pick_port(None, taken)
    assert picked != taken and picked > 0
    assert pick_port(4321, taken) == 4321  # a configured port is used as it is


def test_given_a_data_folder_when_asked_twice_then_the_session_secret_is_the_same_and_private(tmp_path):
    first = session_secret(tmp_path)
    assert len(first) >= 32 and session_secret(tmp_path) == first
    assert stat.S_IMODE((tmp_path / "session-secret").stat().st_mode) == 0o600


def test_the_demo_users_are_one_per_role_with_their_work_email():
    assert [(u.role, u.person, u.email) for u in demo_users()] == [
        ("teacher", "t.nelson", "t.nelson@demo.example.org"),
        ("facilitator", "a.kennedy", "a.kennedy@demo.example.org"),
        ("principal", "p.rivera", "p.rivera@demo.example.org"),
        ("district admin", "district.admin", "district.admin@demo.example.org"),
        ("supervisor", "s.okafor", "s.okafor@demo.example.org"),
    ]
