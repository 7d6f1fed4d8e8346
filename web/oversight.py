"""Reading what one does not work on (issue 11, "Supervisor: the existing dashboard, reached from the same
sign-in, read-only, scoped to their schools"): the district dashboard and read-only team pages.

Who oversees: a district admin and a member of the district's guiding coalition (the whole district), and a
supervisor (``domain.district.Role.SUPERVISOR``: the schools in ``supervises``, none meaning the whole
district), from ``person_roles``. Overseeing is reading only: the pages are server-rendered from the same read
models as the token-based ``/dashboard`` (which stays, for scripts), so no token is ever in the browser, and
they have no form. What an overseer may *do* on a team is what the domain lets them do there (``web.pages``).

``/supervise`` is the district at a glance in a few grouped queries whatever its size (teams per step by
school, what is stalled, recommendations waiting, latest rubric levels); ``/supervise/schools/{school}`` is
one school's teams, linked to their pages, and its rubric levels term by term.
"""

from collections import defaultdict
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


def school_rows(district: dict | None, counts: list[dict], file_names: dict[str, str] | None = None) -> list[dict]:
    """Each school in reach with its active teams per step: the launched schools (``school_status``), and a
    school known only from a team registered on its own, so every team is counted somewhere (named as the
    district's file names it, or by its id when no rollout knows it)."""
    names = {**(file_names or {}), **{s["school_id"]: s["name"] for s in (district or {}).get("schools", [])}}
    by_school: dict[str, dict] = defaultdict(dict)
    escalated: dict[str, int] = defaultdict(int)
    for c in counts:
        by_school[c["school_id"]][c["step"]] = c["teams"]
        escalated[c["school_id"]] += c["escalated"]
    rows = [{"school_id": s, "name": names.get(s, s), "per_step": [by_school[s].get(step, 0) for step in STEP_VALUES],
             "between": by_school[s].get(None, 0), "escalated": escalated[s]}
            for s in {*(x["school_id"] for x in (district or {}).get("schools", [])), *by_school}]
    return sorted(rows, key=lambda r: r["name"])


def rubric_table(latest: list[dict], names: dict[str, str]) -> dict | None:
    """Schools × dimensions, the latest level in each cell; None before a school's first self-assessment."""
    if not latest:
        return None
    dimensions = sorted({r["dimension"] for r in latest})
    level = {(r["school_id"], r["dimension"]): r["level"] for r in latest}
    schools = sorted({r["school_id"] for r in latest}, key=lambda s: names.get(s, s))
    return {"dimensions": dimensions,
            "rows": [{"name": names.get(s, s), "levels": [level.get((s, d), "") for d in dimensions]} for s in schools]}


def rubric_trend(summary: dict | None) -> dict | None:
    """One school's level per dimension and term (the trend), or None before its first self-assessment."""
    if not summary or not summary["rubric_levels"]:
        return None
    terms = list(dict.fromkeys(r["term"] for r in summary["rubric_history"]))
    by = {(r["dimension"], r["term"]): r["level"] for r in summary["rubric_history"]}
    return {"terms": terms, "rows": [{"dimension": d["dimension"], "levels": [by.get((d["dimension"], t), "") for t in terms]}
                                     for d in summary["rubric_levels"]]}


def oversight_router(rt, who) -> APIRouter:
    """``who``: the signed-in person (``session.person``)."""
    router = APIRouter(include_in_schema=False)

    async def reach_of(me: Principal) -> Oversight:
        reach = await oversight_of(rt.reads, me)
        if reach is None:
            raise session.PageRefused(403, "Not a supervisor", "Only the district's supervisors, district admins and "
                                      "guiding coalition can open the district dashboard.")
        return reach

    async def named(escalations: list[dict]) -> list[dict]:
        names = await rt.reads.team_names([e["team_id"] for e in escalations])
        return [{**e, "team_name": names.get(e["team_id"])} for e in escalations]

    @router.get("/supervise")
    async def supervise(request: Request, me: Principal = Depends(who)):
        reach = await reach_of(me)
        district = await rt.reads.district_summary(me.district_id, reach.schools)
        schools = school_rows(district, await rt.reads.steps_by_school(me.district_id, reach.schools),
                              await rt.reads.school_names(me.district_id))
        names = {s["school_id"]: s["name"] for s in schools}
        return page(request, "supervise.html", reach=reach, district=district, schools=schools, steps=STEPS,
                    stalled=await named(await rt.reads.stalled(me.district_id, reach.schools)),
                    waiting=await rt.reads.recommendations_pending(me.district_id, reach.schools),
                    rubric=rubric_table(await rt.reads.rubric_latest(me.district_id, reach.schools), names))

    @router.get("/supervise/schools/{school_id}")
    async def supervised_school(request: Request, school_id: str, me: Principal = Depends(who)):
        reach = await reach_of(me)
        if not reach.reaches(school_id):
            raise session.PageRefused(403, "Not your school", f"You do not supervise {school_id}: your dashboard "
                                      "shows the schools you do.")
        summary = await rt.reads.school_summary(school_id)
        if summary is not None and summary["district_id"] != me.district_id:
            summary = None
        teams = [t for t in await rt.reads.teams(me.district_id, (school_id,)) if not t["retired_at"]]
        if summary is None and not teams:
            raise session.PageRefused(404, "No such school", f"There is no school {school_id} in your district.")
        return page(request, "supervise_school.html", reach=reach, school_id=school_id,
                    name=summary["name"] if summary else (await rt.reads.school_names(me.district_id)).get(school_id, school_id),
                    teams=sorted(teams, key=lambda t: t["name"]),
                    stalled=await named(await rt.reads.stalled(me.district_id, (school_id,))),
                    waiting=await rt.reads.recommendations_pending(me.district_id, (school_id,)),
                    rubric=rubric_trend(summary))

    return router
