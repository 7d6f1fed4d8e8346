"""The principal's school page (issue 11, "Principal": the school — teams × steps, what is stalled).

Read models only (``team_status``, ``open_escalations``): one page for a
school of any size, no workflow asked. Who may open it: a principal of one of
the school's active teams (``team_people``), as the teams themselves know their
principal (seed 002: the principal leads the school's teams); anyone else gets
the 403 page.
"""

from collections import Counter

from fastapi import APIRouter, Depends, Request

from activities.tokens import Principal
from domain.steps import STEPS

from . import session
from .render import page

STEP_VALUES = [s.value for s in STEPS]


def grid_row(team: dict) -> dict:
    """One team across the cycle's steps: which are behind it, which it is on."""
    at = STEP_VALUES.index(team["step"]) if team["step"] in STEP_VALUES else -1
    return {**team, "at": at}


def school_router(rt, who) -> APIRouter:
    """``who``: the signed-in person (``session.person``)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/schools/{school_id}")
    async def school(request: Request, school_id: str, me: Principal = Depends(who)):
        led = {s["school_id"]: s for s in await rt.reads.schools_led(me.district_id, me.user_id)}
        if school_id not in led:
            raise session.PageRefused(403, "Not your school", f"You are not the principal of a team at {school_id}: "
                                      "only its principal can open its page.")
        teams = sorted((t for t in await rt.reads.teams(me.district_id, (school_id,)) if not t["retired_at"]),
                       key=lambda t: t["name"])
        names = {t["team_id"]: t["name"] for t in teams}
        stalled = await rt.reads.stalled(me.district_id, (school_id,))
        per_step = Counter(t["step"] for t in teams)
        return page(request, "school.html", school=led[school_id], rows=[grid_row(t) for t in teams], steps=STEPS,
                    per_step=[per_step[s.value] for s in STEPS], between=per_step[None],
                    stalled=[{**e, "team_name": names.get(e["team_id"])} for e in stalled])

    return router
