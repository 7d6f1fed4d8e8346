"""One simulated school year (or several in a row): the district's deciders, its people, a seed (issue 12)."""

import random
from dataclasses import dataclass
from datetime import datetime, time

from domain.calendar import SchoolYear
from domain.rollout.commands import StartRollout

from .behaviour import Behaviour
from .engine import Engine
from .metrics import Metrics, measure
from .people import People
from .plan import Plan, apply_plan

STARTS_AT = time(8)  # the admin starts the rollout on the year's first school day, after the ladder's morning
ENDS_AT = time(23)


@dataclass(frozen=True)
class Run:
    engine: Engine
    metrics: Metrics

    def streams(self) -> dict[tuple[str, str], list]:
        """Every stream's domain events: (kind, id) -> events, as the workflows would have recorded them."""
        e = self.engine
        out = {("district", e.district.key): e.district.events}
        out |= {("school", k): s.events for k, s in e.schools.items()}
        out |= {("team", k): t.events for k, t in e.teams.items()}
        return out


def year_bounds(start: StartRollout, year: SchoolYear) -> tuple[datetime, datetime]:
    cal = start.calendar
    first = cal.next_school_day_on_or_after(year.start)
    return cal.at_local(first, STARTS_AT), cal.at_local(year.end, ENDS_AT)


def simulate(start: StartRollout, years: SchoolYear | tuple[SchoolYear, ...], plan: Plan, behaviour: Behaviour, seed: int,
             begin: datetime | None = None, until: datetime | None = None) -> Run:
    """Start the rollout (the plan's policies applied), let the people work the years, and measure them.

    ``begin``/``until`` default to the first year's first school day 08:00 and the last year's last day 23:00, local.
    """
    years = years if isinstance(years, tuple) else (years,)
    planned = apply_plan(start, plan)
    first, last = year_bounds(planned, years[0])[0], year_bounds(planned, years[-1])[1]
    begin, until = begin or first, until or last
    people = People(behaviour, plan, planned, random.Random(seed))
    engine = Engine(on_events=people)
    engine.start_district(planned, begin)
    engine.run(until)
    return Run(engine, measure(engine, planned, years[0].start, years[-1].end))
