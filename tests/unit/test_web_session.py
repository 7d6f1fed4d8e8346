"""The web app's session cookie and form protection (issue 11), on the app itself (no browser, no stores):
Secure outside localhost, HttpOnly, SameSite=Lax, an expiry; a post without its CSRF token is refused."""

import httpx
import pytest

from activities.read_models import ReadModels
from activities.tokens import TokenStore
from api.app import create_app
from api.runtime import Runtime
from app.config import WebSettings
from app.districts import DistrictClient
from app.teams import TeamClient


def app_at(public_url: str, hours: int = 8):
    web = WebSettings(issuer="https://idp.example.org", client_id="plcflow", client_secret="secret",
                      session_secret="k" * 40, public_url=public_url, session_hours=hours)
    # Nothing here reaches Temporal or PostgreSQL: the sign-in page and a refused form touch no store.
    return create_app(Runtime(TeamClient(None, "q"), DistrictClient(None, "q"), ReadModels(None), TokenStore(None)), web)


async def get(app, path: str, **kw) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        return await client.get(path, **kw)


@pytest.mark.parametrize("url, secure", [("https://plc.silver-valley.example.org", True), ("http://localhost:8000", False)])
async def test_the_session_cookie_is_signed_httponly_lax_expiring_and_secure_outside_localhost(url, secure):
    response = await get(app_at(url, hours=3), "/signin")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
    assert cookie.startswith("plcflow_session=") and "httponly" in attributes and "samesite=lax" in cookie.lower()
    assert f"Max-Age={3 * 3600}" in cookie
    assert ("secure" in attributes) is secure


async def test_every_page_forbids_framing_and_foreign_scripts():
    response = await get(app_at("https://plc.example.org"), "/signin")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "same-origin"


async def test_a_form_posted_without_its_token_is_refused_with_a_page():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_at("http://localhost:8000")),
                                 base_url="http://testserver") as client:
        await client.get("/signin")  # a session with a token exists
        for form in ({}, {"csrf": "guessed"}):
            response = await client.post("/signout", data=form)
            assert response.status_code == 403 and "text/html" in response.headers["content-type"]
            assert "Form expired or forged" in response.text


async def test_a_page_asked_for_without_a_session_leads_to_sign_in():
    response = await get(app_at("http://localhost:8000"), "/my-work")
    assert response.status_code == 303 and response.headers["location"] == "/signin"


@pytest.mark.parametrize("path, ours", [("/teams/g7-math", True), ("/", True), ("//evil.example.org/x", False),
                                        ("/\\evil.example.org", False), ("https://evil.example.org", False)])
def test_after_sign_in_only_a_path_of_ours_is_followed(path, ours):
    from web.signin import local_path

    assert local_path(path) is ours
