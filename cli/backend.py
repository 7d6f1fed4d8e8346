"""Where the CLI's role verbs go: straight to Temporal (operators, ``make run``), or through the
HTTP API with a token (``PLCFLOW_API_URL`` + ``PLCFLOW_TOKEN``), so a district never hands
Temporal access to its users."""

import os
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from app.config import Settings
from app.teams import CommandRefused, TeamClient, UnknownTeam
from app.views import team_view
from app.wiring import connect_clients
from domain.team.commands import Command
from workflows.contracts import TEAM_UPDATES


@dataclass
class Sent:
    events: list[str]
    version: int


class TemporalBackend:
    async def _teams(self) -> TeamClient:
        return (await connect_clients(Settings.from_env())).teams

    async def send(self, team_id: str, command: Command) -> Sent:
        result = await (await self._teams()).send(team_id, command)
        return Sent([e.type for e in result.events], result.version)

    async def view(self, team_id: str) -> dict:
        state = (await (await self._teams()).status(team_id)).state
        return team_view(state, state.calendar.local_date(datetime.now(UTC))).model_dump(mode="json")

    async def views(self) -> list[dict]:
        client = await self._teams()
        out = []
        async for team_id in client.team_ids():
            state = (await client.status(team_id)).state
            out.append(team_view(state, state.calendar.local_date(datetime.now(UTC))).model_dump(mode="json"))
        return sorted(out, key=lambda v: (v["school_id"], v["team_id"]))

    async def escalations(self) -> list[dict]:
        return [v["escalation"] for v in await self.views() if v["escalation"]]


class ApiBackend:
    def __init__(self, url: str, token: str):
        self._http = httpx.AsyncClient(base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, timeout=30)

    async def _call(self, method: str, path: str, **kw):
        r = await self._http.request(method, path, **kw)
        if r.status_code >= 400:
            detail = r.json().get("detail", r.text) if r.headers.get("content-type", "").endswith("json") else r.text
            if r.status_code == 404:
                raise UnknownTeam(detail)
            raise CommandRefused(detail, "NotAllowed" if r.status_code == 403 else None)
        return r.json()

    async def send(self, team_id: str, command: Command) -> Sent:
        body = command.model_dump(mode="json", exclude={"actor"})
        result = await self._call("POST", f"/v1/teams/{team_id}/{TEAM_UPDATES[type(command)]}", json=body)
        return Sent([e["type"] for e in result["events"]], result["version"])

    async def view(self, team_id: str) -> dict:
        return await self._call("GET", f"/v1/teams/{team_id}", params={"live": "true"})

    async def views(self) -> list[dict]:
        return await self._call("GET", "/v1/teams")

    async def escalations(self) -> list[dict]:
        me = await self._call("GET", "/v1/me")
        return await self._call("GET", f"/v1/districts/{me['district_id']}/stalled")


def backend():
    url, token = os.environ.get("PLCFLOW_API_URL"), os.environ.get("PLCFLOW_TOKEN")
    return ApiBackend(url, token) if url and token else TemporalBackend()
