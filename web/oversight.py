"""Reading what one does not work on (issue 11, "Supervisor: the existing dashboard, reached from the same
sign-in, read-only, scoped to their schools"): the dashboard at ``/supervise`` and read-only team pages.

Who oversees: a district admin and a member of the district's guiding coalition (the whole district), and a
supervisor (``domain.district.Role.SUPERVISOR``: the schools in ``supervises``, none meaning the whole
district), from ``person_roles``. Overseeing is reading only: the page is server-rendered from the same read
models as the token-based ``/dashboard`` (which stays, for scripts), so no token is ever in the browser, and it
has no form. What an overseer may *do* on a team is what the domain lets them do there (``web.pages``).
"""

from collections import Counter
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request

from activities.tokens import Principal
from domain.district import Role
from domain.steps import STEPS

from . import session
from .render import page

STEP_VALUES = [s.value for s in STEPS]


@dataclass(frozen=True)
class Oversight:
    role: str  # what they read as, in words: "district admin", "coalition member", "supervisor"
    schools: tuple[str, ...] = ()  # none: the whole district

    def reaches(self, school_id: str) -> bool:
        return not self.schools or school_id in self.schools


async def oversight_of(reads, me: Principal) -> Oversight | None:
    """The widest reach a person's standing in the district gives them, or None."""
    standing = await reads.person_access(me.district_id, me.user_id)
    if standing is None:
        return None
    if Role.DISTRICT_ADMIN.value in standing["roles"]:
        return Oversight("district admin")
    if standing["coalition"]:
        return Oversight("coalition member")
    if Role.SUPERVISOR.value in standing["roles"]:
        return Oversight("supervisor", standing["supervises"])
    return None


def school_rows(district: dict | None, teams: list[dict]) -> list[dict]:
    """Each school in reach with its teams per step: the launched schools (``school_status``), and a school known
    only from a team registered on its own (named by its id), so every team in reach is counted somewhere."""
    schools = {s["school_id"]: {"school_id": s["school_id"], "name": s["name"]} for s in (district or {}).get("schools", [])}
    for t in teams:
        schools.setdefault(t["school_id"], {"school_id": t["school_id"], "name": t["school_id"]})
    rows = []
    for school in sorted(schools.values(), key=lambda s: s["name"]):
        own = [t for t in teams if t["school_id"] == school["school_id"]]
        per_step = Counter(t["step"] for t in own)
        rows.append({**school, "teams": own, "per_step": [per_step[s] for s in STEP_VALUES], "between": per_step[None],
                     "escalated": sum(1 for t in own if t["escalation_id"])})
    return rows


def rubric_of(summary: dict | None) -> dict | None:
    """A school's latest level per dimension and each term's levels (the trend), or None before its first."""
    if not summary or not summary["rubric_levels"]:
        return None
    terms = list(dict.fromkeys(r["term"] for r in summary["rubric_history"]))
    by = {(r["dimension"], r["term"]): r["level"] for r in summary["rubric_history"]}
    return {"latest": summary["rubric_levels"], "terms": terms,
            "trend": [{"dimension": l["dimension"], "levels": [by.get((l["dimension"], t), "") for t in terms]}
                      for l in summary["rubric_levels"]]}


def oversight_router(rt, who) -> APIRouter:
    """``who``: the signed-in person (``session.person``)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/supervise")
    async def supervise(request: Request, me: Principal = Depends(who)):
        reach = await oversight_of(rt.reads, me)
        if reach is None:
            raise session.PageRefused(403, "Not a supervisor", "Only the district's supervisors, district admins and "
                                      "guiding coalition can open the district dashboard.")
        district = await rt.reads.district_summary(me.district_id, reach.schools)
        teams = [t for t in await rt.reads.teams(me.district_id, reach.schools) if not t["retired_at"]]
        names = {t["team_id"]: t["name"] for t in teams}
        stalled = await rt.reads.stalled(me.district_id, reach.schools)
        schools = school_rows(district, teams)
        for school in schools:
            school["rubric"] = rubric_of(await rt.reads.school_summary(school["school_id"]))
        return page(request, "supervise.html", reach=reach, district=district, schools=schools, steps=STEPS,
                    stalled=[{**e, "team_name": names.get(e["team_id"])} for e in stalled],
                    waiting=await rt.reads.recommendations_pending(me.district_id, reach.schools))

    return router
