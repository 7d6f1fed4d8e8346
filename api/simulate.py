"""POST /v1/districts/{district_id}/simulate: next school year, simulated on the district as it stands (issue 12).

It reads the rollout's state (a query) and returns the report; it sends no
Update and writes nothing to the district's log.
"""

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from activities.tokens import Principal
from app.simulations import compare_plans
from domain.validation import parse_model
from simulation.behaviour import Behaviour
from simulation.plan import parse_plan, school_year, start_of
from simulation.report import render

from .access import Access
from .runtime import Runtime


class SimulationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: str | None = None  # the calendar's school year; default: the first not yet over
    policy: dict[str, Any] | None = None  # a policy file's content (README, "Plan next year")
    compare: dict[str, Any] | None = None
    behaviour: dict[str, Any] | None = None
    runs: Annotated[int, Field(ge=1, le=50)] = 20  # one process: a request must not hold a core for minutes
    seed: int = 1
    format: Literal["html", "json"] = "html"


def simulate_router(rt: Runtime, access: Access) -> APIRouter:
    router = APIRouter()

    @router.post("/v1/districts/{district_id}/simulate", summary="Simulate a school year of this district (writes nothing)",
                 response_model=None)
    async def simulate(district_id: str, body: SimulationRequest, who: Principal = Depends(access.principal)):
        access.readable(who, district_id)
        state = (await rt.districts.status(district_id)).state
        start = start_of(state)
        today = state.calendar.local_date(datetime.now(UTC))
        year = school_year(start, body.year, today)
        plans = [parse_plan(body.policy, "policy")] + ([parse_plan(body.compare, "compare")] if body.compare is not None else [])
        if len(plans) == 2 and plans[0].name == plans[1].name:
            plans[1] = plans[1].model_copy(update={"name": f"{plans[1].name} (compared)"})
        behaviour = parse_model(Behaviour, body.behaviour or {}, "behaviour")
        result = await asyncio.to_thread(compare_plans, start, year, plans, behaviour, body.runs, body.seed, 1)
        result["behaviour"] = "the request's model" if body.behaviour else "the documented defaults (assumptions)"
        return HTMLResponse(render(result)) if body.format == "html" else result

    return router
