"""The notifier's settings and schedule (issue 10, core): PLCFLOW_SMTP_* read as asked, a combination that
cannot work refused with a sentence naming it, and a temporary failure's backoff capped."""

import pytest
from hypothesis import given, strategies as st

from activities.notifier import Retry, message_id
from app.config import ConfigError, Settings


def test_given_nothing_when_read_then_a_local_plain_smtp_server():
    s = Settings.from_env({})
    assert (s.smtp_host, s.smtp_port, s.smtp_starttls, s.smtp_tls, s.smtp_user, s.smtp_password) == (
        "localhost", 25, False, False, None, None)


def test_given_starttls_and_a_login_when_read_then_port_587_and_the_password_is_never_printed():
    s = Settings.from_env({"PLCFLOW_SMTP_HOST": "smtp.sv.example.org", "PLCFLOW_SMTP_STARTTLS": "yes",
                           "PLCFLOW_SMTP_USER": "plcflow", "PLCFLOW_SMTP_PASSWORD": "s3cret!",
                           "PLCFLOW_SMTP_FROM": "plcflow@sv.example.org"})
    assert (s.smtp_host, s.smtp_port, s.smtp_starttls, s.smtp_user, s.smtp_password, s.smtp_from) == (
        "smtp.sv.example.org", 587, True, "plcflow", "s3cret!", "plcflow@sv.example.org")
    assert "s3cret!" not in repr(s)


def test_given_implicit_tls_when_read_then_port_465_unless_one_is_named():
    assert Settings.from_env({"PLCFLOW_SMTP_TLS": "1"}).smtp_port == 465
    assert Settings.from_env({"PLCFLOW_SMTP_TLS": "1", "PLCFLOW_SMTP_PORT": "2465"}).smtp_port == 2465


@pytest.mark.parametrize("env, sentence", [
    ({"PLCFLOW_SMTP_STARTTLS": "1", "PLCFLOW_SMTP_TLS": "1"},
     "PLCFLOW_SMTP_STARTTLS and PLCFLOW_SMTP_TLS are both on: a server speaks one (587: STARTTLS, 465: TLS)."),
    ({"PLCFLOW_SMTP_PASSWORD": "x", "PLCFLOW_SMTP_TLS": "1"},
     "PLCFLOW_SMTP_PASSWORD is set but PLCFLOW_SMTP_USER is not: set both or neither."),
    ({"PLCFLOW_SMTP_USER": "u", "PLCFLOW_SMTP_PASSWORD": "x"},
     "PLCFLOW_SMTP_PASSWORD is set with neither PLCFLOW_SMTP_STARTTLS nor PLCFLOW_SMTP_TLS: "
     "a password must not travel in clear text."),
    ({"PLCFLOW_SMTP_PORT": "smtp"}, "PLCFLOW_SMTP_PORT='smtp' is not a port number (1 to 65535)."),
])
def test_given_settings_that_cannot_work_when_read_then_one_sentence_names_them(env, sentence):
    with pytest.raises(ConfigError) as err:
        Settings.from_env(env)
    assert str(err.value) == f"configuration: {sentence}"


def test_a_temporary_failure_waits_longer_each_time_until_the_cap():
    assert [Retry(first_s=30, cap_s=300).delay(n) for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=40, unique=True))
def test_the_message_id_depends_on_the_rows_only(ids):
    """A resend after a crash names the same rows, in whatever order they were read back."""
    assert message_id(ids, "plcflow") == message_id(list(reversed(ids)), "plcflow")
    assert message_id(ids, "plcflow") != message_id(ids + [max(ids) + 1], "plcflow")


def test_an_smtp_reply_quoting_an_address_is_logged_without_it():
    from activities.notifier import redacted

    assert redacted("recipient refused: 550 5.1.1 <p.rivera@sv.example.org>: Recipient address rejected") == (
        "recipient refused: 550 5.1.1 <<address>>: Recipient address rejected")
    assert redacted("451 4.3.0 try later") == "451 4.3.0 try later"


def test_given_nothing_when_read_then_a_thirty_second_send_window_and_no_link():
    s = Settings.from_env({})
    assert (s.notify_window_s, s.public_url) == (30.0, None)
    s = Settings.from_env({"PLCFLOW_NOTIFY_WINDOW_S": "5", "PLCFLOW_PUBLIC_URL": "https://plc.sv.example.org/"})
    assert (s.notify_window_s, s.public_url) == (5.0, "https://plc.sv.example.org")


@pytest.mark.parametrize(("env", "sentence"), [
    ({"PLCFLOW_NOTIFY_WINDOW_S": "soon"}, "configuration: PLCFLOW_NOTIFY_WINDOW_S='soon' is not a number of seconds from 0 to 3600."),
    ({"PLCFLOW_NOTIFY_WINDOW_S": "-1"}, "configuration: PLCFLOW_NOTIFY_WINDOW_S='-1' is not a number of seconds from 0 to 3600."),
    ({"PLCFLOW_PUBLIC_URL": "plc.sv.example.org"},
     "configuration: PLCFLOW_PUBLIC_URL='plc.sv.example.org' is not an http(s) URL (e.g. https://plc.example.org)."),
])
def test_given_a_window_or_url_that_cannot_work_when_read_then_one_sentence_names_it(env, sentence):
    with pytest.raises(ConfigError) as refused:
        Settings.from_env(env)
    assert str(refused.value) == sentence
