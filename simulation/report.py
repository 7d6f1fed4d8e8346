"""The what-if report: one self-contained HTML file, charts in inline SVG (issue 12, ``--report``).

No script, no font, no image from anywhere: it opens offline. Every chart has
axes with units, labelled ticks, a legend and, for each plan, the median as a
line over its 10th-90th percentile band.
"""

from html import escape

from . import chart
from .chart import Series, ticks
from .outcome import SUMMARY_LABELS

COLORS = ("#1f5fa8", "#c2561a")  # plan 1, plan 2: distinguishable in greyscale too (dark vs. light)
RUNG_COLORS = {"team": "#7a7a7a", "facilitator": "#2e8b57", "principal": "#1f5fa8", "coalition": "#b22222",
               "district_admin": "#8b6914"}


def line_chart(title: str, weeks: list[str], series: list[tuple[str, str, dict]], y_label: str) -> str:
    """``series``: (name, colour, {"median": [...], "p10": [...], "p90": [...]}) per line, one value per week;
    the second plan's line dashed, so the two tell apart in greyscale too."""
    top = max([max(s[2]["p90"], default=0) for s in series] + [1])
    lines = [Series(name, color, b["median"], band=(b["p10"], b["p90"]), dashed=i % 2 == 1,
                    legend=": median line, 10th-90th percentile band") for i, (name, color, b) in enumerate(series)]
    return chart.line_chart(title, [w[5:] for w in weeks], lines, x_title="week of the school year (Monday, month-day)",
                                y_title=y_label, y_ticks=ticks(top))


def _summary_table(result: dict) -> str:
    plans = result["plans"]
    head = "".join(f"<th>{escape(p['plan'])}</th>" for p in plans) + ("<th>difference</th>" if len(plans) == 2 else "")
    rows = []
    for key, label in SUMMARY_LABELS.items():
        fmt = (lambda v: f"{v:.0%}") if key.startswith("share") else (lambda v: f"{v:g}")
        cells = "".join(f"<td>{fmt(p['summary'][key]['median'])} <small>({fmt(p['summary'][key]['p10'])}-"
                        f"{fmt(p['summary'][key]['p90'])})</small></td>" for p in plans)
        if len(plans) == 2:
            d = result["differences"][key]
            cells += f"<td><b>{'+' if d > 0 else ''}{fmt(d)}</b></td>"
        rows.append(f"<tr><th scope='row'>{escape(label)}</th>{cells}</tr>")
    return f"<table><thead><tr><th>over {escape(result['year'])}</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _load_table(result: dict, key: str, who: str, rows: int = 12) -> str:
    """Each person's busiest week (median over runs), the most loaded first: who would be buried, and when."""
    plans = result["plans"]
    people = plans[-1][key]
    peak = {p: [max(plan[key].get(p, [0]) or [0]) for plan in plans] for p in people}
    ranked = sorted(people, key=lambda p: (-max(peak[p]), p))[:rows]
    head = "".join(f"<th>{escape(p['plan'])}</th>" for p in plans)
    body = "".join(f"<tr><th scope='row'>{escape(p)}</th>{''.join(f'<td>{v:g}</td>' for v in peak[p])}</tr>" for p in ranked)
    more = f"<p><small>{len(people) - rows} more in --json.</small></p>" if len(people) > rows else ""
    return (f"<table><caption>{escape(who)}: open escalations held in their busiest week (median over runs)</caption>"
            f"<thead><tr><th>{escape(who)}</th>{head}</tr></thead><tbody>{body}</tbody></table>{more}")


def findings(result: dict) -> list[str]:
    """Sentences an admin can act on, from the medians (only what the numbers say)."""
    plans = result["plans"]
    out = []
    for p in plans:
        s = p["summary"]
        weeks, busiest = p["weeks"], p["busiest_principal_per_week"]["median"]
        peak = max(range(len(weeks)), key=lambda i: busiest[i]) if weeks else 0
        out.append(f"With {p['plan']}: about {s['raised_principal']['median']:g} escalations reach principals in the year "
                   f"and {s['raised_coalition']['median']:g} the coalition; the busiest principal holds up to "
                   f"{s['peak_principal_load']['median']:g} at once, the worst week starting {weeks[peak] if weeks else '-'}; "
                   f"{s['share_teams_reaching_coalition']['median']:.0%} of teams reach the coalition.")
    if len(plans) == 2:
        d = result["differences"]
        out.append(f"{plans[1]['plan']} against {plans[0]['plan']}: {d['raised_principal']:+g} escalations to principals, "
                   f"{d['raised_coalition']:+g} to the coalition, {d['share_teams_reaching_coalition']:+.0%} of teams reaching "
                   f"the coalition, {d['cycles_closed_per_team']:+g} cycles closed per team.")
    return out


def render(result: dict) -> str:
    plans = result["plans"]
    weeks = plans[0]["weeks"]
    colored = list(zip(plans, COLORS, strict=False))
    charts = [
        line_chart("Escalations reaching principals, per week", weeks,
                   [(p["plan"], c, p["raised_per_week"]["principal"]) for p, c in colored], "escalations raised"),
        line_chart("Escalations reaching the coalition, per week", weeks,
                   [(p["plan"], c, p["raised_per_week"]["coalition"]) for p, c in colored], "escalations raised"),
        line_chart("Load on the busiest principal, per week", weeks,
                   [(p["plan"], c, p["busiest_principal_per_week"]) for p, c in colored], "open escalations held"),
        line_chart("Load on the busiest coalition member, per week", weeks,
                   [(p["plan"], c, p["busiest_coalition_member_per_week"]) for p, c in colored], "open escalations held"),
    ]
    for p in plans:
        charts.append(line_chart(f"Escalations per rung, per week: {p['plan']}", weeks,
                                 [(r, RUNG_COLORS[r], b) for r, b in p["raised_per_week"].items() if any(b["p90"])],
                                 "escalations raised"))
    notes = "".join(f"<li>{escape(f)}</li>" for f in findings(result))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>What-if: {escape(result['district'])}, {escape(result['year'])}</title>
<style>body{{font-family:sans-serif;max-width:820px;margin:24px auto;color:#222}}table{{border-collapse:collapse;margin:12px 0}}
th,td{{border:1px solid #ccc;padding:4px 8px;text-align:left}}small{{color:#555}}svg{{display:block;margin:18px 0}}caption{{text-align:left;font-weight:bold;padding:4px 0}}</style>
</head><body>
<h1>What-if: {escape(result['district'])}, school year {escape(result['year'])}</h1>
<p>{result['runs']} simulated runs per plan (seeds {result['seed']} to {result['seed'] + result['runs'] - 1}) on the district's own
rules; people behave as {escape(result.get('behaviour', 'the defaults'))}. Figures are medians with the 10th-90th percentile.</p>
<h2>What it says</h2><ul>{notes}</ul>
<h2>Summary</h2>{_summary_table(result)}
<h2>Week by week</h2>{''.join(charts)}
<h2>Who carries the load</h2>{_load_table(result, "principal_load", "Principal")}
{_load_table(result, "coalition_load", "Coalition member")}
</body></html>
"""
