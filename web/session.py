"""Who is signed in, from the signed session cookie; CSRF tokens for every form that changes something.

The cookie (Starlette's SessionMiddleware: signed with itsdangerous, HttpOnly)
is SameSite=Lax, Secure outside localhost and expires after the configured
hours (issue 11, "Sessions"). It holds ids only: the district, the person, the
form token. The API never reads it: API requests authenticate with bearer
tokens, which a browser never sends on its own, so the API needs no CSRF token.
"""

import secrets

from fastapi import FastAPI, Form, Request
from starlette.middleware.sessions import SessionMiddleware

from activities.tokens import Principal
from app.config import WebSettings

COOKIE = "plcflow_session"


class SignInNeeded(Exception):
    """No (or no longer a valid) session: the page sends the visitor to sign in."""


class PageRefused(Exception):
    """A page or form the visitor may not have: shown as an HTML page with the status and a sentence."""

    def __init__(self, status: int, title: str, detail: str):
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


def install(app: FastAPI, web: WebSettings) -> None:
    app.add_middleware(SessionMiddleware, secret_key=web.session_secret, session_cookie=COOKIE,
                       max_age=web.session_hours * 3600, same_site="lax", https_only=web.secure_cookies)


def sign_in(request: Request, district_id: str, person_id: str) -> None:
    """A fresh session for this person: whatever the cookie held before (a sign-in's state) is dropped."""
    request.session.clear()
    request.session.update({"district_id": district_id, "person_id": person_id, "csrf": secrets.token_urlsafe(32)})


def sign_out(request: Request) -> None:
    request.session.clear()


def person(reads):
    """The FastAPI dependency every signed-in page uses: the person, or off to sign in.

    A person who left the district (no longer in ``person_emails``) is signed out on their next page.
    """

    async def who(request: Request) -> Principal:
        me = signed_in(request)
        if me is None or not await reads.is_person(me.district_id, me.user_id):
            sign_out(request)
            raise SignInNeeded()
        return me

    return who


def signed_in(request: Request) -> Principal | None:
    s = request.session
    if "person_id" not in s or "district_id" not in s:
        return None
    return Principal(s["person_id"], "user", s["district_id"])


def csrf_token(request: Request) -> str:
    """The session's form token (a signed-out visitor's forms get one too: the sign-out form, a new sign-in)."""
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    return request.session["csrf"]


async def check_csrf(request: Request, csrf: str = Form(default="")) -> None:
    """A FastAPI dependency on every POST: a form without this session's token is refused before anything is sent."""
    expected = request.session.get("csrf")
    if not expected or not csrf or not secrets.compare_digest(expected, csrf):
        raise PageRefused(403, "Form expired or forged",
                          "This form was not sent from a plcflow page of your current session, so nothing was changed. "
                          "Go back, reload the page and send it again.")
