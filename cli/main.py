"""``plcflow``: each role's verbs on a team, over Temporal Updates and Queries.

Thin: parse, build the domain command (pydantic validates it here first),
send it, print. A refused command exits 1 with the domain's sentence and
changes nothing; bad input exits 2.
"""

import asyncio
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError

from app.config import Settings
from app.files import load_team_file
from app.oneroster import RosterFileError
from app.process import exit_now
from app.teams import CommandRefused, TeamClient, UnknownTeam
from app.views import TeamView
from activities.projector import Projector
from activities.tokens import TokenStore
from app.wiring import connect_clients, open_store
from domain.team import commands as cmd
from domain.errors import InvalidConfiguration
from domain.steps import Step
from domain.validation import describe_errors

from . import output
from .district import district_app, register, school_app
from .roster_sync import register as register_roster_sync, roster_app
from .backend import backend
from .evidence_args import EvidenceSyntax, build_evidence
from .calendar import calendar_app, register_calendar
from .mail import register_mail
from .ops import register_ops
from .roster import register_roster
from .simulate import register_simulate

app = typer.Typer(help="plcflow: Professional Learning Community workflows.", no_args_is_help=True)
team_app = typer.Typer(help="Act on one team's inquiry cycle.", no_args_is_help=True)
escalation_app = typer.Typer(help="Act on an escalation that reached you.", no_args_is_help=True)
app.add_typer(team_app, name="team")
app.add_typer(escalation_app, name="escalation")
app.add_typer(district_app, name="district")
app.add_typer(school_app, name="school")
app.add_typer(roster_app, name="roster")
app.add_typer(calendar_app, name="calendar")

As = Annotated[
    Optional[str], typer.Option("--as", help="Your user id (through the HTTP API, the token says who you are).")
]
Reason = Annotated[str, typer.Option("--reason", help="Why (recorded with the event).")]
Json = Annotated[bool, typer.Option("--json", help="Stable JSON on stdout (see README).")]


def _run(coro):
    try:
        return asyncio.run(coro)
    except CommandRefused as e:
        output.refuse(e.reason)
    except UnknownTeam as e:
        output.refuse(str(e))
    except ValidationError as e:
        output.refuse("; ".join(describe_errors(e)), code=2)
    except (InvalidConfiguration, EvidenceSyntax, RosterFileError) as e:
        output.refuse(str(e), code=2)
    except RuntimeError as e:
        if "connect" in str(e).lower():
            address = Settings.from_env().temporal_address
            output.refuse(f"cannot reach Temporal at {address}; is `make run` running? ({e})", label="Error")
        raise


async def _teams() -> TeamClient:
    return (await connect_clients(Settings.from_env())).teams


def _actor(as_: str | None) -> str:
    if os.environ.get("PLCFLOW_API_URL") and os.environ.get("PLCFLOW_TOKEN"):
        return as_ or "token-holder"  # the API acts as the token's user, whatever is said here
    if not as_:
        output.refuse("--as USER is required (or use the HTTP API with PLCFLOW_API_URL and PLCFLOW_TOKEN)", code=2)
    return as_


async def _send(team: str, make: Callable[[], cmd.Command]) -> None:
    # The command is built inside the run so pydantic's refusal is reported, not raised.
    sent = await backend().send(team, make())
    output.out.print(f"[green]Done[/]: {', '.join(sent.events) or 'nothing new'} (version {sent.version})")


@team_app.command("start")
def team_start(file: Path, as_: Annotated[Optional[str], typer.Option("--as")] = None):
    """Start a team from a team file (YAML: team, calendar, escalation policy)."""

    async def go():
        register = load_team_file(file)
        if as_:
            register = register.model_copy(update={"actor": as_, "district_admins": (as_,)})
        handle = await (await _teams()).start(register)
        output.out.print(f"[green]Started[/] team {register.team.team_id} as workflow {handle.id}")

    _run(go())


@team_app.command("show")
def team_show(team: str, json: Json = False):
    """Where a team stands: cycle, step, due date, decisions, escalation."""

    async def go():
        view = await backend().view(team)
        output.emit_json(view) if json else output.team_panel(TeamView.model_validate(view))

    _run(go())


@app.command("teams")
def teams(json: Json = False):
    """Every running team and where it stands (through the API: the read models)."""

    async def go():
        views = await backend().views()
        output.emit_json(views) if json else output.teams_table(views, datetime.now(UTC).date())

    _run(go())


@app.command("escalations")
def escalations(json: Json = False):
    """Every open escalation: whom it reached, at which rung, why."""

    async def go():
        rows = await backend().escalations()
        output.emit_json(rows) if json else output.escalations_table(rows)

    _run(go())


@team_app.command("advance")
def team_advance(
    team: str,
    as_: As = None,
    step: Annotated[Optional[Step], typer.Option(help="The step you complete (default: the open one).")] = None,
    focus: Optional[str] = None,
    question: Optional[str] = None,
    measure: Optional[str] = None,
    result: Annotated[list[str], typer.Option(help="metric:n:level=count,... (repeatable; levels from the district's scale)")] = [],
    link: Annotated[list[str], typer.Option(help="title|https://... (repeatable)")] = [],
    note: Annotated[list[str], typer.Option(help="A short note (repeatable)")] = [],
    evidence: Annotated[Optional[Path], typer.Option(help="YAML file with the step's evidence")] = None,
):
    """Complete the open step with its evidence; the next step opens."""

    async def go():
        ev = build_evidence(focus=focus, question=question, measure=measure, results=result, links=link, notes=note, file=evidence)
        current = step or (await backend().view(team))["step"]
        await _send(team, lambda: cmd.AdvanceStep(actor=_actor(as_), step=current, evidence=ev))

    _run(go())


@team_app.command("revisit")
def team_revisit(team: str, step: Step, reason: Reason, as_: As = None):
    """Go back to an earlier step (inquiry is iterative), with a reason."""
    _run(_send(team, lambda: cmd.RevisitStep(actor=_actor(as_), step=step, reason=reason)))


@team_app.command("decide")
def team_decide(
    team: str,
    summary: Annotated[str, typer.Option(help="What the team decided or recommends.")],
    recommendation: Annotated[bool, typer.Option(help="Needs the principal's approval.")] = False,
    as_: As = None,
):
    """Record a lateral decision, or a recommendation for the principal."""
    kind = "recommendation" if recommendation else "lateral"
    _run(_send(team, lambda: cmd.RecordDecision(actor=_actor(as_), kind=kind, summary=summary)))


@team_app.command("approve")
def team_approve(team: str, recommendation_id: str, reason: Reason, as_: As = None):
    """Principal: approve a team's recommendation."""
    _run(_send(team, lambda: cmd.ApproveRecommendation(actor=_actor(as_), recommendation_id=recommendation_id, reason=reason)))


@team_app.command("reject")
def team_reject(team: str, recommendation_id: str, reason: Reason, as_: As = None):
    """Principal: reject a team's recommendation, saying why."""
    _run(_send(team, lambda: cmd.RejectRecommendation(actor=_actor(as_), recommendation_id=recommendation_id, reason=reason)))


@team_app.command("pause")
def team_pause(team: str, reason: Reason, as_: As = None):
    """Facilitator or principal: pause the team (no escalations while paused)."""
    _run(_send(team, lambda: cmd.PauseTeam(actor=_actor(as_), reason=reason)))


@team_app.command("resume")
def team_resume(team: str, reason: Reason, as_: As = None):
    """Facilitator or principal: resume; the due date moves by the school days paused."""
    _run(_send(team, lambda: cmd.ResumeTeam(actor=_actor(as_), reason=reason)))


projections_app = typer.Typer(help="The supervisors' read models in PostgreSQL.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")


@projections_app.command("rebuild")
def projections_rebuild():
    """Empty every read model and rebuild it from the event log (same contents as projected live)."""

    async def go():
        url = Settings.from_env().event_store_url()
        if not url:
            output.refuse("no event store: set DATABASE_URL, or start `make run`", code=2, label="Error")
        store = await open_store(url)
        try:
            applied = await Projector(store.pool).rebuild()
        finally:
            await store.close()
        output.out.print(f"[green]Rebuilt[/] the read models from {applied} events")

    _run(go())


tokens_app = typer.Typer(help="Bearer tokens for the HTTP API.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Option(help="The user the token acts as.")],
    district: Annotated[str, typer.Option(help="The district it reaches.")],
    supervisor: Annotated[bool, typer.Option(help="Read-only.")] = False,
    school: Annotated[list[str], typer.Option(help="Narrow a supervisor to schools (repeatable).")] = [],
):
    """Create a token; it is printed once and only its hash is stored."""

    async def go():
        url = Settings.from_env().event_store_url()
        if not url:
            output.refuse("no event store: set DATABASE_URL, or start `make run`", code=2, label="Error")
        store = await open_store(url)
        try:
            token = await TokenStore(store.pool).create(user, "supervisor" if supervisor else "user", district, tuple(school))
        finally:
            await store.close()
        print(token)

    _run(go())


@app.command("serve")
def serve(host: str = "127.0.0.1", port: int = 8000):
    """Serve the HTTP API (OpenAPI at /docs) against the configured Temporal and PostgreSQL."""
    import uvicorn

    from api.server import production_app

    uvicorn.run(production_app(), host=host, port=port)


def _team_of(escalation_id: str) -> str:
    team, _, n = escalation_id.rpartition(".")
    if not team or not n.isdigit():
        output.refuse(f"{escalation_id!r} is not an escalation id (they look like 'g7-math.1').", code=2)
    return team


@escalation_app.command("ack")
def escalation_ack(escalation_id: str, reason: Reason, as_: As = None):
    """Acknowledge an escalation that reached you: holds the climb for a few school days."""
    command = lambda: cmd.AcknowledgeEscalation(actor=_actor(as_), escalation_id=escalation_id, reason=reason)
    _run(_send(_team_of(escalation_id), command))


@escalation_app.command("snooze")
def escalation_snooze(
    escalation_id: str,
    reason: Reason,
    until: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD")],
    as_: As = None,
):
    """Snooze an escalation that reached you until a date (bounded by policy)."""
    command = lambda: cmd.SnoozeEscalation(actor=_actor(as_), escalation_id=escalation_id, until=until.date(), reason=reason)
    _run(_send(_team_of(escalation_id), command))


register(_run)
register_roster_sync(_run)
register_calendar(_run)
register_ops(app, projections_app)
register_mail(app)
register_roster(team_app, _run, _send, _actor, As)
register_simulate(app, _run)


def main() -> None:
    """Console entry point; see ``app.process`` for why it ends with ``exit_now``."""
    code = 0
    try:
        app()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    exit_now(code)


if __name__ == "__main__":
    main()
