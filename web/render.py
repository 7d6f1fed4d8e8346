"""Templates, error pages and the headers every page carries."""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from domain.steps import Step

from . import session

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["step_label"] = lambda value: Step(value).label if value else "between cycles"

# No page is framed, sends its address elsewhere, or runs a script it did not ship (issue 11: no secret in a URL).
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    who = session.signed_in(request)
    response = templates.TemplateResponse(
        request, template, {"who": who, "csrf": session.csrf_token(request), **context}, status_code=status)
    response.headers.update(HEADERS)
    return response


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(session.PageRefused)
    async def _refused(request: Request, err: session.PageRefused):
        return page(request, "problem.html", err.status, title=err.title, detail=err.detail)

    @app.exception_handler(session.SignInNeeded)
    async def _sign_in(request: Request, err: session.SignInNeeded):
        if request.method == "GET":  # back to this page once signed in (a path of ours, never an address from outside)
            request.session["next"] = request.url.path
        return RedirectResponse("/signin", status_code=303)
