"""Many runs of one plan, told as bands; two plans, told side by side with their differences (issue 12).

Plain data (JSON-ready dicts of lists and floats): the CLI prints it, ``--json``
emits it, the report draws it.
"""

from statistics import median

from .metrics import RUNGS, Metrics, band, percentile, summary

SUMMARY_LABELS = {
    "raised_team": "escalations to teams",
    "raised_facilitator": "escalations to facilitators",
    "raised_principal": "escalations to principals",
    "raised_coalition": "escalations to the coalition",
    "raised_district_admin": "escalations to district admins",
    "peak_principal_load": "busiest principal, busiest week (open escalations held)",
    "peak_coalition_member_load": "busiest coalition member, busiest week",
    "cycles_closed_per_team": "inquiry cycles closed per team (median team)",
    "share_teams_reaching_coalition": "share of teams that ever reach the coalition",
}


def _series_band(series: list[list[float]]) -> dict[str, list[float]]:
    """Per week, the band over runs."""
    weeks = range(len(series[0])) if series else range(0)
    return {q: [percentile([s[w] for s in series], p) for w in weeks] for q, p in (("p10", 0.1), ("median", 0.5), ("p90", 0.9))}


def _busiest(load: dict[str, list[int]], weeks: int) -> list[int]:
    return [max((v[w] for v in load.values()), default=0) for w in range(weeks)]


def _person_medians(runs: list[Metrics], attr: str) -> dict[str, list[float]]:
    people = getattr(runs[0], attr)
    return {p: [median(getattr(m, attr)[p][w] for m in runs) for w in range(len(runs[0].weeks))] for p in people}


def outcome(name: str, runs: list[Metrics]) -> dict:
    n = len(runs[0].weeks)
    summaries = [summary(m) for m in runs]
    return {
        "plan": name,
        "runs": len(runs),
        "teams": runs[0].teams,
        "events_per_run": median(m.events for m in runs),
        "summary": {k: band([s[k] for s in summaries]) for k in summaries[0]},
        "weeks": [w.isoformat() for w in runs[0].weeks],
        "raised_per_week": {r: _series_band([m.raised[r] for m in runs]) for r in RUNGS},
        "busiest_principal_per_week": _series_band([_busiest(m.principal_load, n) for m in runs]),
        "busiest_coalition_member_per_week": _series_band([_busiest(m.coalition_load, n) for m in runs]),
        "principal_load": _person_medians(runs, "principal_load"),
        "coalition_load": _person_medians(runs, "coalition_load"),
        "cycles_closed": {t: median(m.cycles_closed.get(t, 0) for m in runs) for t in sorted(runs[0].cycles_closed)},
    }


def differences(base: dict, other: dict) -> dict[str, float]:
    """Median of ``other`` minus median of ``base``, per headline number."""
    return {k: other["summary"][k]["median"] - base["summary"][k]["median"] for k in base["summary"]}
