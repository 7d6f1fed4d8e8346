"""Every role's commands as Updates: POST /v1/{teams,districts,schools}/{id}/{update}, and starting a rollout.

The body is the command without its actor; the token's user acts, and the
domain decides (a refusal is 409 and writes nothing).
"""

from fastapi import APIRouter, Depends, HTTPException
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, create_model

from activities.tokens import Principal
from app.files import parse_district
from workflows.contracts import DISTRICT_UPDATES, SCHOOL_UPDATES, TEAM_UPDATES

from .access import Access
from .runtime import Runtime


def body_model(command_type: type[BaseModel]) -> type[BaseModel]:
    """The request body of a command: its fields without the actor (the token names the actor)."""
    fields = {n: (f.annotation, f) for n, f in command_type.model_fields.items() if n != "actor"}
    return create_model(f"{command_type.__name__}Body", __config__=ConfigDict(extra="forbid"), **fields)


def command_router(rt: Runtime, access: Access) -> APIRouter:
    router = APIRouter()
    for table, path, id_name, scope, send in [
        (TEAM_UPDATES, "/v1/teams", "team_id", access.team_district, rt.teams.send),
        (DISTRICT_UPDATES, "/v1/districts", "district_id", access.itself, rt.districts.send),
        (SCHOOL_UPDATES, "/v1/schools", "school_id", access.school_district, rt.districts.send_school),
    ]:
        for command_type, name in table.items():
            _command_route(router, access, path, id_name, name, command_type, scope, send)

    @router.post("/v1/districts", status_code=201, summary="A district admin starts the rollout from a district file")
    async def start_district(file: dict, who: Principal = Depends(access.principal)) -> dict:
        start = parse_district(file).model_copy(update={"actor": who.user_id})
        access.writable(who, start.district.district_id)
        if who.user_id not in start.district.admins:
            raise HTTPException(403, f"Only a district admin of {start.district.name} can start its rollout.")
        handle = await rt.districts.start(start)
        return {"district_id": start.district.district_id, "workflow_id": handle.id}

    return router


def _command_route(router, access: Access, path: str, id_name: str, name: str, command_type, scope, send) -> None:
    Body = body_model(command_type)

    async def handler(body: Body, target: str = PathParam(alias=id_name), who: Principal = Depends(access.principal)) -> dict:  # type: ignore[valid-type]
        access.writable(who, await scope(target))
        command = command_type.model_validate({**body.model_dump(), "actor": who.user_id})
        return (await send(target, command)).model_dump(mode="json")

    summary = (command_type.__doc__ or name).strip().splitlines()[0]
    router.post(f"{path}/{{{id_name}}}/{name}", name=f"{path.strip('/').replace('/', '_')}_{name}", summary=summary)(handler)
