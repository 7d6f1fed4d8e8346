"""Templates, error pages and the headers every page carries."""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app.teams import CommandRefused
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


async def sent_or_again(request: Request, command, errors: dict, values: dict, send, again, refusal_key: str,
                        done: str, to: str):
    """Every form's ending (issue 11): its command sent and on to ``to`` with ``done`` said there, or the page
    ``again`` with what was typed — 422 with each mistake by its field, or the domain's refusal (403 when it is not
    theirs to do, 409 otherwise) under ``refusal_key``. ``send``: a coroutine function that sends ``command``."""
    if command is None:
        return await again(422, errors=errors, values=values)
    try:
        await send()
    except CommandRefused as refused:
        return await again(403 if refused.kind == "NotAllowed" else 409, errors={refusal_key: [refused.reason]},
                           values=values)
    request.session["done"] = done
    return RedirectResponse(to, status_code=303)


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
