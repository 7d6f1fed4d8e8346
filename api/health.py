"""``GET /healthz``: the same checks as ``plcflow doctor`` (app/health.py), for load balancers and compose.

200 with the report when healthy, 503 with the problems when not; no token,
because it shows no district data (ids of failing workflows and parked
streams only, which are ids, never names).
"""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from app.health import Report

Check = Callable[[bool], Awaitable[Report]]


def health_router(check: Check) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", summary="Temporal, PostgreSQL, migrations, projector, parked events, failing workflows")
    async def healthz(quick: bool = Query(False, description="Skip the checks that walk running workflows.")):
        report = await check(quick)
        return JSONResponse(report.as_json(), status_code=200 if report.ok else 503)

    return router
