"""``make run``'s local SMTP sink (issue 10): a free port unless PLCFLOW_MAIL_SINK_PORT names one it can use."""

import pytest

from app.config import ConfigError, Settings


def test_given_nothing_when_read_then_the_sink_takes_a_free_port():
    assert Settings.from_env({}).mail_sink_port is None


def test_given_a_port_when_read_then_the_sink_listens_there():
    assert Settings.from_env({"PLCFLOW_MAIL_SINK_PORT": " 2525 "}).mail_sink_port == 2525


@pytest.mark.parametrize("value", ["smtp", "0", "70000", "-1"])
def test_given_no_port_number_when_read_then_one_sentence_names_it(value):
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"PLCFLOW_MAIL_SINK_PORT": value})
    assert str(err.value) == f"configuration: PLCFLOW_MAIL_SINK_PORT={value!r} is not a port number (1 to 65535)."
