"""What a district admin plans with, measured from the simulated domain events (issue 12, "Output").

Per week of the school year (weeks start on Mondays): escalations raised per
rung, on every ladder (teams' steps, schools' clocks, the rollout's phases);
the load each principal and coalition member carries, counted as the open
escalations they hold at some time in the week (held: reached at the
escalation's current rung, until it is resolved); cycles closed per team; the
share of teams that ever reach the coalition. Bands over runs are the median
and the 10th and 90th percentiles.
"""

from collections import defaultdict
from datetime import date, timedelta
from statistics import median

from pydantic import BaseModel, ConfigDict

from domain.ladder import EscalationRaisedFacts, EscalationResolvedFacts, Rung
from domain.rollout.commands import StartRollout
from domain.team.events import CycleClosed, EscalationRaised

RUNGS = [r.value for r in Rung]


class Metrics(BaseModel):
    model_config = ConfigDict(frozen=True)

    weeks: list[date]
    raised: dict[str, list[int]]  # rung -> escalations raised at it, per week
    principal_load: dict[str, list[int]]  # principal -> escalations held, per week
    coalition_load: dict[str, list[int]]
    cycles_closed: dict[str, int]  # team -> cycles closed in the year
    teams: int
    teams_reaching_coalition: int
    events: int

    @property
    def share_reaching_coalition(self) -> float:
        return self.teams_reaching_coalition / self.teams if self.teams else 0.0


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def measure(engine, start: StartRollout, first_day: date, last_day: date) -> Metrics:
    first = _monday(first_day)
    n = (last_day - first).days // 7 + 1
    week = lambda d: min(max((d - first).days // 7, 0), n - 1)  # noqa: E731
    raised = {r: [0] * n for r in RUNGS}
    held: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    cal = start.calendar
    streams = [engine.district, *engine.schools.values(), *engine.teams.values()]
    for s in streams:
        open_: dict[str, tuple[tuple[str, ...], int]] = {}
        for e in s.events:
            if isinstance(e, EscalationRaisedFacts):
                w = week(e.on)
                raised[e.level.value][w] += 1
                if e.escalation_id in open_:
                    _hold(held, e.escalation_id, *open_[e.escalation_id], w)
                open_[e.escalation_id] = (e.reached, w)
            elif isinstance(e, EscalationResolvedFacts) and e.escalation_id in open_:
                _hold(held, e.escalation_id, *open_.pop(e.escalation_id), week(cal.local_date(e.at)))
        for esc_id, (who, since) in open_.items():
            _hold(held, esc_id, who, since, n - 1)
    principals = sorted({sch.principal for sch in start.district.schools})
    coalition = sorted(engine.district.state.coalition)
    load = lambda people: {p: [len(held[p][w]) for w in range(n)] for p in people}  # noqa: E731
    teams = engine.teams.values()
    return Metrics(
        weeks=[first + timedelta(weeks=w) for w in range(n)], raised=raised,
        principal_load=load(principals), coalition_load=load(coalition),
        cycles_closed={t.key: sum(isinstance(e, CycleClosed) for e in t.events) for t in teams},
        teams=len(engine.teams),
        teams_reaching_coalition=sum(any(isinstance(e, EscalationRaised) and e.level is Rung.COALITION for e in t.events)
                                     for t in teams),
        events=sum(len(s.events) for s in streams),
    )


def _hold(held, esc_id: str, who: tuple[str, ...], since: int, until: int) -> None:
    for person in who:
        for w in range(since, until + 1):
            held[person][w].add(esc_id)


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation between the closest ranks."""
    xs = sorted(values)
    if not xs:
        return 0.0
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def band(values: list[float]) -> dict[str, float]:
    return {"p10": percentile(values, 0.1), "median": percentile(values, 0.5), "p90": percentile(values, 0.9)}


def summary(m: Metrics) -> dict[str, float]:
    """One run's headline numbers (each becomes a band over runs)."""
    weekly_principal_max = [max((v[w] for v in m.principal_load.values()), default=0) for w in range(len(m.weeks))]
    weekly_coalition_max = [max((v[w] for v in m.coalition_load.values()), default=0) for w in range(len(m.weeks))]
    cycles = list(m.cycles_closed.values())
    return {
        **{f"raised_{r}": float(sum(m.raised[r])) for r in RUNGS},
        "peak_principal_load": float(max(weekly_principal_max, default=0)),
        "peak_coalition_member_load": float(max(weekly_coalition_max, default=0)),
        "cycles_closed_per_team": float(median(cycles)) if cycles else 0.0,
        "share_teams_reaching_coalition": m.share_reaching_coalition,
    }
