"""Errors as ``application/problem+json`` (RFC 9457): a clear title, a detail a person can act on."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from app.teams import CommandRefused, UnknownTeam
from domain.errors import InvalidConfiguration
from domain.validation import describe_errors

TITLES = {401: "Not signed in", 403: "Forbidden", 404: "Not found", 409: "Refused", 422: "Invalid input"}


def problem(status: int, detail: str, **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def _http(request: Request, err: HTTPException):
        return problem(err.status_code, str(err.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError):
        # pydantic's "Value error, " prefix is noise to the reader (as in domain.validation.describe_errors)
        problems = [f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg'].removeprefix('Value error, ')}" for e in err.errors()]
        return problem(422, "; ".join(problems), errors=problems)

    @app.exception_handler(ValidationError)
    async def _invalid_model(request: Request, err: ValidationError):
        problems = describe_errors(err)
        return problem(422, "; ".join(problems), errors=problems)

    @app.exception_handler(InvalidConfiguration)
    async def _invalid_file(request: Request, err: InvalidConfiguration):
        return problem(422, str(err), errors=err.problems)

    @app.exception_handler(CommandRefused)
    async def _refused(request: Request, err: CommandRefused):
        return problem(403 if err.kind == "NotAllowed" else 409, err.reason)

    @app.exception_handler(UnknownTeam)
    async def _unknown(request: Request, err: UnknownTeam):
        return problem(404, str(err))
