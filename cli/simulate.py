"""``plcflow simulate``: a district's school year, simulated on its own rules, before it is lived (issue 12).

Reads files (and, with ``--calibrate``, the event log), writes only the report
asked for: nothing reaches the district's workflows or its log.
"""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from app.config import Settings
from app.files import load_district_file, read_yaml
from app.simulations import compare_plans
from app.wiring import open_store
from activities.calibration import observed_step_days
from domain.validation import parse_model
from simulation.behaviour import Behaviour, calibrated
from simulation.outcome import SUMMARY_LABELS
from simulation.plan import Plan, parse_plan, school_years
from simulation.report import render

from . import output


def _plan(path: Path | None) -> Plan:
    if path is None:
        return Plan()
    plan = parse_plan(read_yaml(path, f"policy file {path}"), f"policy file {path}")
    return plan if "name" in plan.model_fields_set else plan.model_copy(update={"name": path.stem})


async def _behaviour(path: Path | None, district: str | None) -> tuple[Behaviour, str]:
    if path is not None:
        return parse_model(Behaviour, read_yaml(path, f"behaviour file {path}") or {}, f"behaviour file {path}"), str(path)
    if district is None:
        return Behaviour(), "the documented defaults (assumptions)"
    url = Settings.from_env().event_store_url()
    if not url:
        output.refuse("no event store to calibrate from: set DATABASE_URL, or start `make run`", code=2, label="Error")

    store = await open_store(url)
    try:
        observed = await observed_step_days(store.pool, district)
    finally:
        await store.close()
    model, steps = calibrated(Behaviour(), observed)
    if not steps:
        output.refuse(f"the event log holds too few completed steps of {district}'s teams to calibrate from "
                      "(at least 3 of a step); simulate with the defaults or a --behaviour file")
    return model, f"calibrated from {district}'s event log ({', '.join(s.value for s in steps)})"


def _cell(b: dict, share: bool) -> str:
    f = (lambda x: f"{x:.0%}") if share else (lambda x: f"{x:g}")
    return f"{f(b['median'])} ({f(b['p10'])}-{f(b['p90'])})"


def _table(result: dict) -> None:
    from rich.table import Table

    t = Table(title=f"{result['district']}, {result['year']}: {result['runs']} runs, median (p10-p90)")
    t.add_column("over " + result["year"])
    for p in result["plans"]:
        t.add_column(p["plan"])
    if "differences" in result:
        t.add_column("difference")
    for key, label in SUMMARY_LABELS.items():
        share = key.startswith("share")
        row = [label, *(_cell(p["summary"][key], share) for p in result["plans"])]
        if "differences" in result:
            d = result["differences"][key]
            row.append(f"{d:+.0%}" if share else f"{d:+g}")
        t.add_row(*row)
    output.out.print(t)


def register_simulate(app: typer.Typer, run) -> None:
    @app.command("simulate")
    def simulate(
        district_file: Path,
        year: Annotated[Optional[str], typer.Option("--year", help="School year to simulate (its name in the calendar); default: the one in progress, or the next.")] = None,
        years: Annotated[int, typer.Option("--years", min=1, max=10, help="School years in a row, from --year.")] = 1,
        policy: Annotated[Optional[Path], typer.Option("--policy", help="Policy changes and wave days to try (YAML).")] = None,
        compare: Annotated[Optional[Path], typer.Option("--compare", help="A second policy file, side by side.")] = None,
        behaviour: Annotated[Optional[Path], typer.Option("--behaviour", help="How people behave (YAML).")] = None,
        calibrate: Annotated[Optional[str], typer.Option("--calibrate", help="District id: people behave as its log says.")] = None,
        runs: Annotated[int, typer.Option("--runs", min=1, max=1000)] = 20,
        seed: Annotated[int, typer.Option("--seed")] = 1,
        report: Annotated[Optional[Path], typer.Option("--report", help="Write a self-contained HTML report here.")] = None,
        json_: Annotated[bool, typer.Option("--json", help="Stable JSON on stdout.")] = False,
    ):
        """Simulate a school year of a district on its real rules: escalations per week, load, cycles (issue 12)."""

        async def go():
            if behaviour and calibrate:
                output.refuse("--behaviour and --calibrate both say how people behave; give one", code=2)
            start = load_district_file(district_file)
            chosen = school_years(start, year, start.calendar.local_date(datetime.now(UTC)), years)
            plans = [_plan(policy)] + ([_plan(compare)] if compare else [])
            if len(plans) == 2 and plans[0].name == plans[1].name:
                plans[1] = plans[1].model_copy(update={"name": f"{plans[1].name} (compared)"})
            model, source = await _behaviour(behaviour, calibrate)
            # In this thread, no other running: the process pool forks a quiet process.
            result = compare_plans(start, chosen, plans, model, runs, seed)
            result["behaviour"] = source
            if report:
                report.write_text(render(result), encoding="utf-8")
            if json_:
                output.emit_json(result)
                return
            _table(result)
            if report:
                output.out.print(f"Report written to {report}", highlight=False)

        run(go())
