"""Sign-in with the district's identity provider: OpenID Connect, authorization-code flow (authlib), and sign-out.

The provider's ``email`` claim names a person of a district this deployment
lets the provider vouch for (``WebSettings.districts``; issue 11). Someone it
names nobody in, or in two districts at once, gets a page that says so; no
session is made. The code travels in the callback's address only once: the
callback redirects at once to a clean address.
"""

from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from activities.read_models import ReadModels
from app.config import WebSettings

from . import session
from .render import page

PROVIDER = "district"


def signin_router(web: WebSettings, reads: ReadModels) -> APIRouter:
    oauth = OAuth()
    oauth.register(PROVIDER, client_id=web.client_id, client_secret=web.client_secret,
                   server_metadata_url=f"{web.issuer}/.well-known/openid-configuration",
                   client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"})
    client = oauth.create_client(PROVIDER)
    router = APIRouter(include_in_schema=False)

    @router.get("/signin", response_class=HTMLResponse)
    async def signin_page(request: Request):
        if session.signed_in(request):
            return RedirectResponse("/", status_code=303)
        return page(request, "signin.html")

    @router.get("/signin/start")
    async def start(request: Request):
        return await client.authorize_redirect(request, f"{web.public_url}/signin/callback")

    @router.get("/signin/callback")
    async def callback(request: Request):
        try:
            token = await client.authorize_access_token(request)
        except OAuthError as err:
            return refused(request, "Sign-in did not finish",
                           f"Your identity provider answered: {err.description or err.error}. Try signing in again.")
        claims = token.get("userinfo") or {}
        email = claims.get("email")
        if not email or claims.get("email_verified") is False:
            return refused(request, "No verified email address",
                           "Your identity provider did not vouch for an email address, and plcflow finds people by it. "
                           "Ask your district's IT team to release the email claim to plcflow.")
        people = await reads.people_by_email(email, web.districts)
        if len(people) != 1:
            return refused(request, "You are not on plcflow's list" if not people else "Your address is in more than one district",
                           nobody(email, people))
        back = request.session.get("next", "/")
        session.sign_in(request, people[0]["district_id"], people[0]["person_id"])
        return RedirectResponse(back if local_path(back) else "/", status_code=303)

    @router.post("/signout", dependencies=[Depends(session.check_csrf)])
    async def signout(request: Request):
        session.sign_out(request)
        return page(request, "signed_out.html")

    return router


def local_path(path: str) -> bool:
    """A path on this site: browsers read "//host" and "/\\host" as another site (an open redirect)."""
    return path.startswith("/") and path[1:2] not in ("/", "\\")


def nobody(email: str, people: list[dict]) -> str:
    if people:
        districts = ", ".join(p["district_id"] for p in people)
        return (f"{email} belongs to a person in each of {districts}, so plcflow cannot tell which one you are. "
                "Ask a district admin to keep your address in one district only.")
    return (f"You signed in as {email}, but no person of your district has that work address in plcflow. "
            "Ask your district admin to add it (district file or roster import), then sign in again.")


def refused(request: Request, title: str, detail: str):
    session.sign_out(request)
    return page(request, "problem.html", 403, title=title, detail=detail)
