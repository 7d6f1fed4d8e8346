"""The HTTP API: every role's commands as Updates, supervisors' reads from the projections.

Bearer tokens name a user and a district (a supervisor's may narrow to
schools). A user's commands act as that user, and the domain decides what
they may do; a supervisor is read-only. Errors are problem+json; nothing a
refused request sends reaches a workflow's history or the event log.
"""

import json
from dataclasses import dataclass
from collections.abc import Awaitable, Callable
from pathlib import Path
from datetime import UTC, datetime

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, create_model

from activities.read_models import ReadModels
from activities.tokens import Principal, TokenStore
from app.districts import DistrictClient
from app.files import parse_district
from app.teams import TeamClient, UnknownTeam
from app.views import team_view
from workflows.contracts import DISTRICT_UPDATES, SCHOOL_UPDATES, TEAM_UPDATES

from domain.steps import STEPS

from . import problems
from .health import health_router

DASHBOARD = (Path(__file__).parent / "dashboard.html").read_text(encoding="utf-8")


@dataclass
class Runtime:
    teams: TeamClient
    districts: DistrictClient
    reads: ReadModels
    tokens: TokenStore
    health: Callable[[bool], Awaitable] | None = None  # app.health.run_checks bound to this process's clients


def body_model(command_type: type[BaseModel]) -> type[BaseModel]:
    """The request body of a command: its fields without the actor (the token names the actor)."""
    fields = {n: (f.annotation, f) for n, f in command_type.model_fields.items() if n != "actor"}
    return create_model(f"{command_type.__name__}Body", __config__=ConfigDict(extra="forbid"), **fields)


def create_app(rt: Runtime) -> FastAPI:
    app = FastAPI(title="plcflow", version="1", description=__doc__)
    problems.install(app)
    if rt.health:
        app.include_router(health_router(rt.health))

    async def principal(authorization: str | None = Header(default=None)) -> Principal:
        scheme, _, token = (authorization or "").partition(" ")
        who = await rt.tokens.principal(token) if scheme.lower() == "bearer" and token else None
        if who is None:
            raise HTTPException(401, "Send a valid bearer token: Authorization: Bearer <token> (plcflow tokens create).")
        return who

    def writer(who: Principal) -> None:
        if who.kind == "supervisor":
            raise HTTPException(403, "Supervisors are read-only.")

    async def team_scope(team_id: str) -> tuple[str, str]:
        row = await rt.reads.team(team_id)
        if row:
            return row["district_id"], row["school_id"]
        team = (await rt.teams.status(team_id)).state.team  # a team the projector has not reached yet
        return team.district_id, team.school_id

    async def school_scope(school_id: str) -> tuple[str, str]:
        row = await rt.reads.school(school_id)
        if row:
            return row["district_id"], school_id
        try:
            state = (await rt.districts.school_status(school_id)).state
        except UnknownTeam:
            raise HTTPException(404, f"There is no launched school {school_id}.") from None
        return state.district_id, school_id

    def readable(who: Principal, district_id: str, school_id: str | None = None) -> None:
        if not who.may_read(district_id, school_id):
            raise HTTPException(403, f"Your token does not reach {school_id or district_id}.")

    def writable(who: Principal, district_id: str) -> None:
        writer(who)
        if district_id != who.district_id:
            raise HTTPException(403, f"Your token acts in {who.district_id}, not {district_id}.")

    async def team_district(team_id: str) -> str:
        return (await team_scope(team_id))[0]

    async def school_district(school_id: str) -> str:
        return (await school_scope(school_id))[0]

    async def itself(district_id: str) -> str:
        return district_id

    for table, path, scope, send in [
        (TEAM_UPDATES, "/v1/teams", team_district, rt.teams.send),
        (DISTRICT_UPDATES, "/v1/districts", itself, rt.districts.send),
        (SCHOOL_UPDATES, "/v1/schools", school_district, rt.districts.send_school),
    ]:
        for command_type, name in table.items():
            _command_route(app, path, name, command_type, principal, scope, writable, send)

    @app.post("/v1/districts", status_code=201, summary="A district admin starts the rollout from a district file")
    async def start_district(file: dict, who: Principal = Depends(principal)) -> dict:
        start = parse_district(file).model_copy(update={"actor": who.user_id})
        writable(who, start.district.district_id)
        if who.user_id not in start.district.admins:
            raise HTTPException(403, f"Only a district admin of {start.district.name} can start its rollout.")
        handle = await rt.districts.start(start)
        return {"district_id": start.district.district_id, "workflow_id": handle.id}

    @app.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
    async def dashboard() -> str:
        # The page holds no data: it asks the API with the token the visitor gives it.
        return DASHBOARD.replace("__STEPS__", json.dumps([s.value for s in STEPS] + ["between cycles"]))

    @app.get("/v1/me", summary="Who this token acts as, and what it reaches")
    async def me(who: Principal = Depends(principal)) -> dict:
        return {"user_id": who.user_id, "kind": who.kind, "district_id": who.district_id, "school_ids": list(who.school_ids)}

    @app.get("/v1/teams", summary="Every team the token reaches (projection)")
    async def list_teams(who: Principal = Depends(principal)) -> list[dict]:
        return await rt.reads.teams(who.district_id, who.school_ids)

    @app.get("/v1/teams/{team_id}", summary="A team's status (projection), or its live state with ?live=true")
    async def get_team(team_id: str, live: bool = Query(False), who: Principal = Depends(principal)) -> dict:
        district_id, school_id = await team_scope(team_id)
        readable(who, district_id, school_id)
        if live:
            state = (await rt.teams.status(team_id)).state
            return team_view(state, state.calendar.local_date(datetime.now(UTC))).model_dump(mode="json")
        row = await rt.reads.team(team_id)
        if row is None:
            raise HTTPException(404, f"Team {team_id} is not in the read models yet; ask with ?live=true.")
        return row

    @app.get("/v1/schools/{school_id}/summary", summary="Teams per step, escalations, latest rubric levels")
    async def get_school(school_id: str, who: Principal = Depends(principal)) -> dict:
        district_id, _ = await school_scope(school_id)
        readable(who, district_id, school_id)
        summary = await rt.reads.school_summary(school_id)
        if summary is None:
            raise HTTPException(404, f"School {school_id} is not in the read models yet.")
        return summary

    @app.get("/v1/districts/{district_id}/summary", summary="The district at a glance")
    async def get_district(district_id: str, who: Principal = Depends(principal)) -> dict:
        if district_id != who.district_id:
            raise HTTPException(403, f"Your token does not reach {district_id}.")
        summary = await rt.reads.district_summary(district_id, who.school_ids)
        if summary is None:
            raise HTTPException(404, f"There is no rollout for district {district_id}.")
        return summary

    @app.get("/v1/districts/{district_id}/stalled", summary="What is stalled, where, at which rung, since when")
    async def get_stalled(district_id: str, who: Principal = Depends(principal)) -> list[dict]:
        if district_id != who.district_id:
            raise HTTPException(403, f"Your token does not reach {district_id}.")
        return await rt.reads.stalled(district_id, who.school_ids)

    return app


def _command_route(app, path: str, name: str, command_type, principal, scope, writable, send) -> None:
    """POST {path}/{id}/{name}: the body is the command without its actor; the token's user acts."""
    Body = body_model(command_type)
    id_name = {"/v1/teams": "team_id", "/v1/districts": "district_id", "/v1/schools": "school_id"}[path]

    async def handler(body: Body, target: str = PathParam(alias=id_name), who: Principal = Depends(principal)) -> dict:  # type: ignore[valid-type]
        writable(who, await scope(target))
        command = command_type.model_validate({**body.model_dump(), "actor": who.user_id})
        return (await send(target, command)).model_dump(mode="json")

    summary = (command_type.__doc__ or name).strip().splitlines()[0]
    app.post(f"{path}/{{{id_name}}}/{name}", name=f"{path.strip('/').replace('/', '_')}_{name}", summary=summary)(handler)
