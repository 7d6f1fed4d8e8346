"""Printing for people (rich) and for scripts (stable JSON on stdout)."""

import json
import sys
from datetime import date

from rich.console import Console
from rich.table import Table

from app.views import TeamView

out = Console()
err = Console(stderr=True)


def emit_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def refuse(message: str, code: int = 1, label: str = "Refused"):
    err.print(f"[bold red]{label}:[/] ", end="")
    err.print(message, markup=False, highlight=False, soft_wrap=True)
    raise SystemExit(code)


def team_panel(v: TeamView) -> None:
    out.print(f"[bold]{v.name}[/] ({v.team_id}) at {v.school_id}, cycle {v.cycle}", highlight=False)
    out.print(f"  facilitator {v.facilitator}; principal {v.principal}; members {', '.join(v.members)}", highlight=False)
    if v.step:
        due = f"due {v.due_on}" if v.due_on else "no due date (beyond the calendar)"
        late = f", [red]{v.school_days_overdue} school day(s) overdue[/]" if v.school_days_overdue else ""
        out.print(f"  step [cyan]{v.step}[/], {due}{late}", highlight=False)
        out.print(f"  to complete it: {'; '.join(v.step_needs)}", highlight=False)
    if v.paused:
        out.print(f"  [yellow]paused[/]: {v.paused_reason}", highlight=False)
    if v.retired:
        into = f", merged into {v.retired['merged_into']}" if v.retired["merged_into"] else ""
        out.print(f"  [dim]retired on {v.retired['on']}{into}: {v.retired['reason']}[/]", highlight=False)
    for d in v.decisions:
        out.print(f"  decision {d['id']} ({d['kind']}, {d['status']}): {d['summary']}", highlight=False)
    if v.escalation:
        e = v.escalation
        held = f", {e.held} until {e.held_until}" if e.held else ""
        out.print(f"  [red]escalation {e.escalation_id}[/] at {e.level}{held}: {e.reason}", highlight=False)
        out.print(f"    reached {', '.join(e.reached)}", highlight=False)


def teams_table(views: list[dict], today: date) -> None:
    t = Table(title=f"Teams ({today})")
    for col in ("team", "school", "cycle", "step", "due", "escalation"):
        t.add_column(col)
    for v in views:
        esc = v.get("escalation") or {}
        level = esc.get("level") or v.get("escalation_level") or ""
        ident = esc.get("escalation_id") or v.get("escalation_id") or ""
        step = f"{v.get('step') or ''} (paused)" if v.get("paused") else (v.get("step") or "")
        t.add_row(v["team_id"], v["school_id"], str(v["cycle"]), step, str(v.get("due_on") or ""), f"{level} {ident}".strip())
    out.print(t)


def escalations_table(rows: list[dict]) -> None:
    t = Table(title="Open escalations")
    for col in ("id", "where", "about", "level", "reached", "held", "reason"):
        t.add_column(col)
    for e in rows:
        held = f"{e.get('held') or e.get('hold')} until {e['held_until']}" if e.get("held_until") else ""
        where = e.get("team_id") or e.get("school_id") or e.get("district_id") or ""
        t.add_row(e["escalation_id"], where, str(e.get("step") or e.get("subject") or ""), e["level"], ", ".join(e["reached"]), held, e["reason"])
    out.print(t)
