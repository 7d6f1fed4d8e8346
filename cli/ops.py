"""Operators' verbs: ``plcflow doctor``, ``plcflow projections retry`` (issue 8) and ``plcflow notices retry`` (issue 10)."""

import asyncio
import json as jsonlib
from typing import Annotated, Optional

import typer

from activities.event_store import EventStore
from activities.notifier import retry_parked
from activities.projector import Projector
from activities.webhooks import retry_parked_posts
from app.config import Settings
from app.health import Limits, run_checks

from . import output


def doctor(
    quick: Annotated[bool, typer.Option(help="Skip the checks that walk running workflows (for healthchecks).")] = False,
    json: Annotated[bool, typer.Option("--json", help="The report as JSON on stdout.")] = False,
    lag: Annotated[float, typer.Option(help="Seconds of projector lag that count as a problem.")] = Limits.lag,
):
    """Check Temporal, PostgreSQL, migrations, the projector, parked events, failing workflows; exit 1 on a problem."""
    report = asyncio.run(run_checks(Settings.from_env(), limits=Limits(lag=lag), quick=quick))
    if json:
        print(jsonlib.dumps(report.as_json(), indent=2, default=str))
    else:
        for name, seen in report.checks.items():
            print(f"{name}: {jsonlib.dumps(seen, default=str)}")
        for problem in report.problems:
            print(f"PROBLEM {problem}")
        print("healthy" if report.ok else f"{len(report.problems)} problem(s)")
    raise typer.Exit(0 if report.ok else 1)


async def _with_store(work):
    """Run ``work(pool)`` against the event store the settings name (DATABASE_URL, or ``make run``'s)."""
    url = Settings.from_env().event_store_url()
    if not url:
        output.refuse("no event store: set DATABASE_URL, or start `make run`", code=2, label="Error")
    store = await EventStore.connect(url, min_size=1, max_size=2)
    try:
        return await work(store.pool)
    finally:
        await store.close()


def projections_retry(
    stream: Annotated[Optional[str], typer.Option(help="Only this stream (e.g. team-g7-math); default: every parked one.")] = None,
):
    """Re-project parked events in order once their cause is fixed; what fails again stays parked."""
    done = asyncio.run(_with_store(lambda pool: Projector(pool).retry_parked(stream)))
    output.out.print(f"[green]Re-projected[/] {done.applied} parked events; {len(done.parked)} still parked")
    for stream_id, version, error in done.parked[:10]:
        output.out.print(f"  {stream_id} version {version}: {error}")
    raise typer.Exit(0 if not done.parked else 1)


def notices_retry(
    recipient: Annotated[Optional[str], typer.Option(help="Only this person's notices (a user id); default: every parked one.")] = None,
    hook: Annotated[Optional[str], typer.Option(help="Only this webhook's posts (its name in PLCFLOW_WEBHOOKS_FILE).")] = None,
):
    """Make parked notices (and webhook posts) due again once their cause is fixed; email keeps its Message-ID."""
    if recipient is not None and hook is not None:
        output.refuse("--recipient is for email notices and --hook for webhook posts: give one, or neither for all.",
                      code=2, label="Error")

    async def work(pool):
        notices = await retry_parked(pool, recipient) if hook is None else None
        posts = await retry_parked_posts(pool, hook) if recipient is None else None
        return notices, posts

    notices, posts = asyncio.run(_with_store(work))
    said = [] if notices is None else [f"{notices} parked notice(s)"]
    if hook is not None or posts:  # silent about webhooks where there are none, as before they existed
        said.append(f"{posts} parked webhook post(s)")
    output.out.print(f"[green]Due again[/]: {', '.join(said)}")


def register_ops(app: typer.Typer, projections_app: typer.Typer) -> None:
    app.command("doctor")(doctor)
    projections_app.command("retry")(projections_retry)
    notices_app = typer.Typer(help="Notices the notifier could not deliver.", no_args_is_help=True)
    notices_app.command("retry")(notices_retry)
    app.add_typer(notices_app, name="notices")
