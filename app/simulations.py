"""Running a plan's simulated years: many seeds spread over processes (both cores), then bands (issue 12).

The simulation itself is pure (``simulation/``); only the process pool lives here.
"""

import gc
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from domain.calendar import SchoolYear
from domain.rollout.commands import StartRollout
from simulation.behaviour import Behaviour
from simulation.metrics import Metrics
from simulation.outcome import differences, outcome
from simulation.plan import Plan, apply_plan
from simulation.run import simulate


@contextmanager
def collector_paused() -> Iterator[None]:
    """A simulated year makes about half a million short-lived objects, and the cyclic collector spent a third
    of a run's CPU scanning them (bench-simulate: 4.1 s against 2.7 s); it runs once the year is over instead."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_one(job: tuple) -> Metrics:
    start, year, plan, behaviour, seed = job
    with collector_paused():
        return simulate(start, year, plan, behaviour, seed).metrics


def run_many(jobs: list[tuple], workers: int | None = None) -> list[Metrics]:
    """Each job's metrics, in order; over ``workers`` processes (default: every core) when there is more than one job."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) == 1:
        return [run_one(j) for j in jobs]
    gc.freeze()  # the forked workers neither scan nor copy what this process already holds
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(run_one, jobs, chunksize=max(1, len(jobs) // (workers * 4))))
    finally:
        gc.unfreeze()


def compare_plans(start: StartRollout, years: SchoolYear | tuple[SchoolYear, ...], plans: list[Plan], behaviour: Behaviour,
                  runs: int, seed: int, workers: int | None = None) -> dict:
    """Every plan run ``runs`` times on the same seeds (so differences come from the plan, not the dice)."""
    for plan in plans:
        apply_plan(start, plan)  # a plan that does not hold together is refused before any process starts
    years = years if isinstance(years, tuple) else (years,)
    jobs = [(start, years, plan, behaviour, seed + i) for plan in plans for i in range(runs)]
    metrics = run_many(jobs, workers)
    outcomes = [outcome(plan.name, metrics[i * runs:(i + 1) * runs]) for i, plan in enumerate(plans)]
    label = years[0].name if len(years) == 1 else f"{years[0].name} to {years[-1].name}"
    result = {"district": start.district.district_id, "year": label, "runs": runs, "seed": seed, "plans": outcomes}
    if len(outcomes) == 2:
        result["differences"] = differences(outcomes[0], outcomes[1])
    return result
