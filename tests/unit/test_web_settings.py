"""Sign-in configuration for the web app (issue 11): all five settings or none, each checked at start-up."""

import pytest

from app.config import ConfigError, Settings

WEB = {"PLCFLOW_OIDC_ISSUER": "https://accounts.google.com", "PLCFLOW_OIDC_CLIENT_ID": "plcflow",
       "PLCFLOW_OIDC_CLIENT_SECRET": "s3cret", "PLCFLOW_SESSION_SECRET": "x" * 32,
       "PLCFLOW_WEB_URL": "https://plc.silver-valley.example.org"}


def test_without_sign_in_settings_there_is_no_web_app():
    assert Settings.from_env({}).web is None


def test_the_five_settings_make_a_web_app_with_secure_cookies():
    web = Settings.from_env({**WEB, "PLCFLOW_OIDC_DISTRICTS": "silver-valley, justice-county"}).web
    assert (web.issuer, web.client_id, web.public_url) == ("https://accounts.google.com", "plcflow",
                                                           "https://plc.silver-valley.example.org")
    assert web.districts == ("silver-valley", "justice-county") and web.session_hours == 8
    assert web.secure_cookies
    assert "s3cret" not in repr(web) and "x" * 32 not in repr(web)


def test_on_this_machine_cookies_may_travel_over_http():
    web = Settings.from_env({**WEB, "PLCFLOW_WEB_URL": "http://127.0.0.1:8000", "PLCFLOW_OIDC_ISSUER": "http://localhost:9400"}).web
    assert not web.secure_cookies


@pytest.mark.parametrize("change, says", [
    ({"PLCFLOW_OIDC_CLIENT_SECRET": ""}, "the web app needs PLCFLOW_OIDC_CLIENT_SECRET as well"),
    ({"PLCFLOW_SESSION_SECRET": "short"}, "PLCFLOW_SESSION_SECRET is shorter than 32 characters"),
    ({"PLCFLOW_WEB_URL": "http://plc.example.org"}, "uses http: outside this machine sign-in needs https"),
    ({"PLCFLOW_OIDC_ISSUER": "accounts.google.com"}, "is not an http(s) address"),
    ({"PLCFLOW_SESSION_HOURS": "0"}, "PLCFLOW_SESSION_HOURS='0' is not a number of hours from 1 to 336"),
])
def test_a_sign_in_setting_that_cannot_work_stops_start_up_with_one_sentence(change, says):
    with pytest.raises(ConfigError) as err:
        Settings.from_env({**WEB, **change})
    assert says in str(err.value)
