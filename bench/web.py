"""Web app benchmark (issue 11): "My work" through the whole app with 10,000 teams in the read models.

    .venv/bin/python -m bench.web                  # 10,000 teams in 50 schools
    .venv/bin/python -m bench.web --teams 2000 --rounds 200

Loads each team's real domain events (registered, first cycle open, every tenth
escalated to its principal, every twentieth with a recommendation waiting) into
the event log and replays them through the projector, as ``bench.supervisor``
does. Then asks ``GET /my-work`` through the FastAPI app (session cookie, the
read models, the template) as a teacher (on ~10 teams), a facilitator (~40)
and a principal (a school's 200 teams), and the principal's school page
(``GET /schools/s07``: the 200 teams × steps and what is stalled), and the district
dashboard (``GET /supervise``) as a supervisor of s00 and as a district admin (the
whole district) and the supervisor's school (``GET /supervise/schools/s00``), and
prints p50/p99 for each.

The team page also asks the team's workflow for its live state (a Temporal
query) and reads its history from the event log, so it is measured against
live workflows: ``--live`` real team workflows (default 50) run on a worker of
this run's own Temporal dev server, beside the 10,000 loaded teams, one step
each completed through the real workflow; a member opens them round-robin.
The raw query of the same workflows is timed in the same run, as the floor.
"""

import argparse
import asyncio
import base64
import gc
import json
import time
from datetime import date
from datetime import time as time_of_day

import httpx
from itsdangerous import TimestampSigner

from activities.projector import Projector
from activities.read_models import ReadModels
from activities.tokens import TokenStore
from api.app import create_app
from api.runtime import Runtime
from app.config import WebSettings
from app.logging import configure
from app.districts import DistrictClient
from app.teams import TeamClient
from app.wiring import build_worker
from domain.team import commands as cmd
from domain.team.commands import RegisterTeam
from domain.steps import STEPS
from domain.team.profile import TeamProfile
from workflows.persistence import to_rows

from .advance import line, pct, timed
from .fixtures import EVIDENCE, Fold, calendar_around
from .stack import embedded_stack

SCHOOLS, TEACHERS, LEADS = 50, 60, 5
SECRET = "bench-" + "s" * 40


def profile(i: int) -> TeamProfile:
    school = f"s{i % SCHOOLS:02d}"
    return TeamProfile(team_id=f"t{i:05d}", school_id=school, district_id="bench", name=f"Team {i}",
                       facilitator=f"{school}.lead{i % LEADS}", principal=f"{school}.principal", coalition=("c.hill",),
                       members=tuple(f"{school}.t{(i // SCHOOLS * 3 + j) % TEACHERS}" for j in range(3)))


def team_events(i: int, calendar, start) -> tuple[str, list]:
    p, s = profile(i), Fold()
    s.run(RegisterTeam(actor="district.admin", team=p, calendar=calendar), start)
    s.run(cmd.StartCycle(actor=p.facilitator), start)
    if i % 20 == 0:
        s.run(cmd.RecordDecision(actor=p.members[0], kind="recommendation", summary="Two mixed classes"), start)
    if i % 10 == 0:
        due = s.state.due_on
        for n in (1, 3, 6):
            s.run(cmd.RaiseDueEscalations(), calendar.at_local(calendar.add_school_days(due, n), time_of_day(12)))
    return p.team_id, s.log


async def load(store, n: int) -> float:
    calendar = calendar_around(date.today())
    start = calendar.at_local(calendar.next_school_day_on_or_after(date.today()), time_of_day(9))
    records, people = [], set()
    for i in range(n):
        team_id, events = team_events(i, calendar, start)
        people |= {*profile(i).members, profile(i).facilitator, profile(i).principal}
        records += [(f"team-{team_id}", r.version, r.type, r.data, r.occurred_at) for r in to_rows(1, events)]
    async with store.pool.acquire() as conn:
        await conn.executemany("INSERT INTO events (stream_id, version, type, data, occurred_at) VALUES ($1, $2, $3, $4, $5)",
                               records)
        # Who may sign in: in a district these rows come from its people (RolloutStarted, roster imports).
        await conn.executemany("INSERT INTO person_emails (district_id, person_id, email) VALUES ('bench', $1, $2)",
                               [(p, f"{p}@bench.example.org") for p in people])
        # Issue 11: who reads the district dashboard (/supervise): a supervisor of one school (s00: every team of it
        # escalated, half with a recommendation waiting), a district admin (the whole district).
        overseers = {"s00.supervisor": (["supervisor"], ["s00"]), "district.admin": (["district_admin"], [])}
        await conn.executemany("INSERT INTO person_emails (district_id, person_id, email) VALUES ('bench', $1, $2)",
                               [(p, f"{p}@bench.example.org") for p in overseers])
        await conn.executemany("INSERT INTO person_roles (district_id, person_id, roles, supervises) VALUES ('bench', $1, $2, $3)",
                               [(p, roles, schools) for p, (roles, schools) in overseers.items()])
    t0 = time.perf_counter()
    await Projector(store.pool).catch_up(batch=5_000)
    took = time.perf_counter() - t0
    # A district's read models fill over months and autovacuum keeps their statistics; right after a bulk load its
    # first pass (seconds of I/O) would land in the measured rounds instead.
    await store.pool.execute("VACUUM ANALYZE")
    return took


def session_cookie(person: str) -> str:
    """The cookie Starlette's SessionMiddleware would have set after this person signed in."""
    data = base64.b64encode(json.dumps({"district_id": "bench", "person_id": person, "csrf": "x"}).encode())
    return TimestampSigner(SECRET).sign(data).decode()


async def time_page(app, person: str, path: str, rounds: int) -> tuple[list[float], int]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000",
                                 cookies={"plcflow_session": session_cookie(person)}) as client:
        for _ in range(5):  # the first answers compile the templates and warm the pool: not what a person waits for
            await client.get(path)
        out, size = [], 0
        for _ in range(rounds):
            t0 = time.perf_counter()
            response = await client.get(path)
            out.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.text[:300]
            size = response.text.count('class="card') + response.text.count('<tr')
    return out, size


def live_profile(i: int) -> TeamProfile:
    """A live team of school s07, run by the real workflow; its people are the loaded teams' people."""
    return profile(7).model_copy(update={"team_id": f"live{i:03d}", "name": f"Live team {i}"})


async def start_live(rt: Runtime, store, live: int) -> list[str]:
    calendar = calendar_around(date.today())
    ids = []
    for i in range(live):
        p = live_profile(i)
        await rt.teams.start(RegisterTeam(actor="district.admin", team=p, calendar=calendar))
        first = STEPS[0]
        await rt.teams.send(p.team_id, cmd.AdvanceStep(actor=p.members[0], step=first, evidence=EVIDENCE[first]))
        ids.append(p.team_id)
    # Each workflow appends its events just after it answers: project until every live team has its step's row.
    projector = Projector(store.pool)
    while True:
        await projector.catch_up(batch=5_000)
        rows = [await rt.reads.team(t) for t in ids]
        if all(r and r["version"] >= 5 for r in rows):
            return ids
        await asyncio.sleep(0.1)


async def time_team_pages(app, rt: Runtime, person: str, team_ids: list[str], rounds: int):
    """The team page for ``person`` over the live teams round-robin, and the bare status query as the floor."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000",
                                 cookies={"plcflow_session": session_cookie(person)}) as client:
        for team_id in team_ids:  # warm: templates compiled, each workflow in the worker's cache
            warm = await client.get(f"/teams/{team_id}")
            assert warm.status_code == 200, (warm.status_code, warm.text[-600:])
        pages, queries = [], []
        for r in range(rounds):
            team_id = team_ids[r % len(team_ids)]
            queries.append(await timed(rt.teams.status(team_id)))
            t0 = time.perf_counter()
            response = await client.get(f"/teams/{team_id}")
            pages.append(time.perf_counter() - t0)
            assert response.status_code == 200 and "Live team" in response.text, response.text[:300]
    return pages, queries


async def main(n: int, rounds: int, live: int) -> None:
    async with embedded_stack() as (env, store):
        tq = "bench-web"
        async with build_worker(env.client, store, task_queue=tq):
            print(f"bench.web: {n} teams in {SCHOOLS} schools; projected in {await load(store, n):.1f} s")
            # What loading left in this process (the loader's objects, not a server's) must not be walked by every
            # full garbage collection during the measured rounds: it added ~80 ms to one request in a hundred.
            gc.collect()
            gc.freeze()
            web = WebSettings(issuer="http://localhost:9", client_id="bench", client_secret="-", session_secret=SECRET,
                              public_url="http://localhost:8000")
            rt = Runtime(TeamClient(env.client, tq), DistrictClient(env.client, tq), ReadModels(store.pool),
                         TokenStore(store.pool), events=store)
            app = create_app(rt, web)
            team_ids = await start_live(rt, store, live)
            for who, person in (("teacher", "s07.t4"), ("facilitator", "s07.lead2"), ("principal", "s07.principal")):
                lat, cards = await time_page(app, person, "/my-work", rounds)
                print(line(f"my work, {who} ({cards} cards)", lat))
            lat, rows = await time_page(app, "s07.principal", "/schools/s07", rounds)
            print(line(f"school page, principal ({rows} cards and table rows)", lat))
            for what, person, path in (("district dashboard, a supervisor of s00", "s00.supervisor", "/supervise"),
                                       ("district dashboard, a district admin", "district.admin", "/supervise"),
                                       ("supervised school s00", "s00.supervisor", "/supervise/schools/s00")):
                lat, rows = await time_page(app, person, path, rounds)
                print(line(f"{what} ({rows} cards and table rows)", lat))
            pages, queries = await time_team_pages(app, rt, live_profile(0).members[0], team_ids, rounds)
            print(line(f"team page, member ({live} live)", pages))
            print(line("  floor: its status query", queries))
            print(f"team_page_p99_ms = {pct(pages, .99) * 1000:.1f}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--teams", type=int, default=10_000)
    p.add_argument("--rounds", type=int, default=300)
    p.add_argument("--live", type=int, default=50, help="real team workflows whose team page is measured")
    a = p.parse_args()
    configure("json", "warning")  # the live workflows' info lines would bury the figures
    asyncio.run(main(a.teams, a.rounds, a.live))
