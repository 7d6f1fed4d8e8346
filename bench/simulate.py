"""``make bench-simulate``: one simulated school year of a 1,000-team district, then 20 runs on every core (issue 12).

The district is the ``cobb-like`` example with its schools repeated and each
school's teams multiplied (100 schools of 10 teams); staff ids only. Targets:
one run under 10 s, 20 runs under a minute on this 2-core machine.
"""

import os
import resource
import time
from pathlib import Path

from app.files import load_district_file
from app.simulations import run_many, run_one
from domain.district import District, Person
from domain.rollout.commands import StartRollout
from simulation.behaviour import Behaviour
from simulation.plan import Plan, school_year

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "districts" / "cobb-like.yaml"


def multiplied(start: StartRollout, schools: int = 100, teams_per_school: int = 10) -> StartRollout:
    """``schools`` schools cycling through the example's, each with ``teams_per_school`` teams copied from its own."""
    d = start.district
    people = [p for p in d.people if p.school is None]
    out = []
    for i in range(schools):
        base, k = d.schools[i % len(d.schools)], i // len(d.schools)
        sid, sfx = f"{base.school_id}-{k}", lambda who, k=k: f"{who}-{k}"
        people += [Person(id=sfx(p.id), roles=p.roles, school=sid) for p in d.people if p.school == base.school_id]
        teams = tuple(
            t.model_copy(update={"team_id": f"{sid}-t{j}", "facilitator": sfx(t.facilitator),
                                 "members": tuple(sfx(m) for m in t.members), "pilot": t.pilot and k == 0 and j < len(base.teams)})
            for j, t in ((j, base.teams[j % len(base.teams)]) for j in range(teams_per_school)))
        out.append(base.model_copy(update={"school_id": sid, "principal": sfx(base.principal),
                                           "teacher_leaders": tuple(sfx(x) for x in base.teacher_leaders), "teams": teams}))
    district = District.model_validate({**d.model_dump(), "schools": [s.model_dump() for s in out],
                                        "people": [p.model_dump() for p in people]})
    return start.model_copy(update={"district": district})


def main() -> None:
    start = multiplied(load_district_file(EXAMPLE))
    year = school_year(start, None)
    teams = sum(len(s.teams) for s in start.district.schools)
    began, cpu = time.perf_counter(), time.process_time()
    metrics = run_one((start, year, Plan(), Behaviour(), 1))
    one, one_cpu = time.perf_counter() - began, time.process_time() - cpu
    events = metrics.events
    assert metrics.teams == teams, f"{metrics.teams} of {teams} teams launched"
    workers = os.cpu_count() or 1
    began, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    run_many([(start, year, Plan(), Behaviour(), seed) for seed in range(1, 21)], workers)
    twenty = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    twenty_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    print(f"simulate benchmark: {teams} teams in {len(start.district.schools)} schools, school year {year.name}, "
          f"{events:,} domain events in one run")
    # CPU seconds beside wall seconds: on a shared machine the wall clock also measures the neighbours.
    print(f"load average when done: {os.getloadavg()[0]:.1f} on {workers} cores")
    for k, v in {"simulate_1000_teams_year_s": one, "simulate_1000_teams_year_cpu_s": one_cpu,
                 "simulate_events_per_s": events / one, f"simulate_20_runs_{workers}_cores_s": twenty,
                 "simulate_20_runs_cpu_s": twenty_cpu}.items():
        print(f"{k} = {v:.2f}")


if __name__ == "__main__":
    main()
