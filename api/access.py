"""Who a request acts as and what it reaches: the bearer token, read scopes, write scopes.

The token names a user and a district (a supervisor's may narrow to schools).
What the user may *do* is the domain's to decide; this only keeps a token
inside its district and a supervisor read-only.
"""

from fastapi import Header, HTTPException

from activities.tokens import Principal
from app.teams import UnknownTeam

from .runtime import Runtime


class Access:
    def __init__(self, rt: Runtime):
        self._rt = rt

    async def principal(self, authorization: str | None = Header(default=None)) -> Principal:
        """A FastAPI dependency: the token's principal, or 401."""
        scheme, _, token = (authorization or "").partition(" ")
        who = await self._rt.tokens.principal(token) if scheme.lower() == "bearer" and token else None
        if who is None:
            raise HTTPException(401, "Send a valid bearer token: Authorization: Bearer <token> (plcflow tokens create).")
        return who

    async def team_scope(self, team_id: str) -> tuple[str, str]:
        row = await self._rt.reads.team(team_id)
        if row:
            return row["district_id"], row["school_id"]
        team = (await self._rt.teams.status(team_id)).state.team  # a team the projector has not reached yet
        return team.district_id, team.school_id

    async def school_scope(self, school_id: str) -> tuple[str, str]:
        row = await self._rt.reads.school(school_id)
        if row:
            return row["district_id"], school_id
        try:
            state = (await self._rt.districts.school_status(school_id)).state
        except UnknownTeam:
            raise HTTPException(404, f"There is no launched school {school_id}.") from None
        return state.district_id, school_id

    async def team_district(self, team_id: str) -> str:
        return (await self.team_scope(team_id))[0]

    async def school_district(self, school_id: str) -> str:
        return (await self.school_scope(school_id))[0]

    @staticmethod
    async def itself(district_id: str) -> str:
        return district_id

    @staticmethod
    def readable(who: Principal, district_id: str, school_id: str | None = None) -> None:
        if not who.may_read(district_id, school_id):
            raise HTTPException(403, f"Your token does not reach {school_id or district_id}.")

    @staticmethod
    def in_district(who: Principal, district_id: str) -> None:
        if district_id != who.district_id:
            raise HTTPException(403, f"Your token does not reach {district_id}.")

    @staticmethod
    def writable(who: Principal, district_id: str) -> None:
        if who.kind == "supervisor":
            raise HTTPException(403, "Supervisors are read-only.")
        if district_id != who.district_id:
            raise HTTPException(403, f"Your token acts in {who.district_id}, not {district_id}.")
