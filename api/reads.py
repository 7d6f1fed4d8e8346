"""Supervisors' (and everyone's) reads: from the projections, a team's live state on request, the dashboard page."""

import json
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import HTMLResponse

from activities.tokens import Principal
from app.views import team_view
from domain.steps import STEPS

from .access import Access
from .runtime import Runtime

DASHBOARD = (Path(__file__).parent / "dashboard.html").read_text(encoding="utf-8")


def read_router(rt: Runtime, access: Access) -> APIRouter:
    router = APIRouter()
    principal = access.principal

    @router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
    async def dashboard() -> str:
        # The page holds no data: it asks the API with the token the visitor gives it.
        return DASHBOARD.replace("__STEPS__", json.dumps([s.value for s in STEPS] + ["between cycles"]))

    @router.get("/v1/me", summary="Who this token acts as, and what it reaches")
    async def me(who: Principal = Depends(principal)) -> dict:
        return {"user_id": who.user_id, "kind": who.kind, "district_id": who.district_id, "school_ids": list(who.school_ids)}

    @router.get("/v1/teams", summary="Every team the token reaches (projection)")
    async def list_teams(who: Principal = Depends(principal)) -> list[dict]:
        return await rt.reads.teams(who.district_id, who.school_ids)

    @router.get("/v1/teams/{team_id}", summary="A team's status (projection), or its live state with ?live=true")
    async def get_team(team_id: str, live: bool = Query(False), who: Principal = Depends(principal)) -> dict:
        district_id, school_id = await access.team_scope(team_id)
        access.readable(who, district_id, school_id)
        if live:
            state = (await rt.teams.status(team_id)).state
            return team_view(state, state.calendar.local_date(datetime.now(UTC))).model_dump(mode="json")
        row = await rt.reads.team(team_id)
        if row is None:
            raise HTTPException(404, f"Team {team_id} is not in the read models yet; ask with ?live=true.")
        return row

    @router.get("/v1/schools/{school_id}/summary", summary="Teams per step, escalations, latest rubric levels")
    async def get_school(school_id: str, who: Principal = Depends(principal)) -> dict:
        district_id, _ = await access.school_scope(school_id)
        access.readable(who, district_id, school_id)
        summary = await rt.reads.school_summary(school_id)
        if summary is None:
            raise HTTPException(404, f"School {school_id} is not in the read models yet.")
        return summary

    @router.get("/v1/districts/{district_id}/summary", summary="The district at a glance")
    async def get_district(district_id: str, who: Principal = Depends(principal)) -> dict:
        access.in_district(who, district_id)
        summary = await rt.reads.district_summary(district_id, who.school_ids)
        if summary is None:
            raise HTTPException(404, f"There is no rollout for district {district_id}.")
        return summary

    @router.get("/v1/districts/{district_id}/stalled", summary="What is stalled, where, at which rung, since when")
    async def get_stalled(district_id: str, who: Principal = Depends(principal)) -> list[dict]:
        access.in_district(who, district_id)
        return await rt.reads.stalled(district_id, who.school_ids)

    return router
