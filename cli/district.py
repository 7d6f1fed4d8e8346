"""``plcflow district ...`` and ``plcflow school ...``: start and steer a rollout, read where it stands.

Actions map one to one onto the workflows' Updates (``plcflow district
actions`` lists them); their fields come as ``--set name=value`` with YAML
values (lists ``[a, b]``, dates ``2027-01-11``, mappings ``{PLC: ...}``).
"""

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
import yaml

from app.config import Settings
from app.districts import DistrictClient
from app.files import load_district_file
from app.views import district_view, school_view
from app.wiring import connect_clients
from workflows.contracts import DISTRICT_UPDATES, SCHOOL_UPDATES

from . import output
from .preferences import register_preferences

district_app = typer.Typer(help="Start and steer a district's PLC rollout.", no_args_is_help=True)
school_app = typer.Typer(help="Read and act on a launched school.", no_args_is_help=True)
Sets = Annotated[list[str], typer.Option("--set", help="name=value (YAML value), repeatable")]
As = Annotated[str, typer.Option("--as", help="Your user id.")]
Json = Annotated[bool, typer.Option("--json", help="Stable JSON on stdout (see README).")]


async def _client() -> DistrictClient:
    return (await connect_clients(Settings.from_env())).districts


def _command(table: dict, action: str, actor: str, sets: list[str]):
    by_name = {name: cls for cls, name in table.items()}
    if action not in by_name:
        output.refuse(f"unknown action {action!r}; one of: {', '.join(sorted(by_name))}", code=2)
    fields = {"actor": actor}
    for item in sets:
        name, sep, value = item.partition("=")
        if not sep:
            output.refuse(f"--set {item!r} should look like name=value", code=2)
        fields[name.strip()] = yaml.safe_load(value)
    return by_name[action].model_validate(fields)


def _done(result) -> None:
    output.out.print(f"[green]Done[/]: {', '.join(e.type for e in result.events) or 'nothing new'} (version {result.version})")


def register(run) -> None:
    """Attach the commands; ``run`` is the CLI's error-translating runner."""
    register_preferences(district_app, run, _client, _done)  # issue 10: plcflow district notices prefer

    @district_app.command("start")
    def district_start(file: Path, as_: Annotated[Optional[str], typer.Option("--as")] = None):
        """Start a district's rollout from a district file (every mistake is listed first)."""

        async def go():
            start = load_district_file(file)
            if as_:
                start = start.model_copy(update={"actor": as_})
            handle = await (await _client()).start(start)
            output.out.print(f"[green]Started[/] the rollout of {start.district.name} as workflow {handle.id}")

        run(go())

    @district_app.command("show")
    def district_show(district: str, json_: Json = False):
        """Phase, due date, waves, schools, escalations and reviews."""

        async def go():
            status = await (await _client()).status(district)
            view = district_view(status.state, status.schools_started)
            output.emit_json(view) if json_ else output.out.print_json(json.dumps(view, default=str))

        run(go())

    @district_app.command("act")
    def district_act(district: str, action: str, as_: As, sets: Sets = []):
        """Send one rollout command, e.g. complete_phase --set phase=form_coalition."""

        async def go():
            _done(await (await _client()).send(district, _command(DISTRICT_UPDATES, action, as_, sets)))

        run(go())

    @district_app.command("actions")
    def district_actions():
        """The rollout's actions and their fields."""
        for cls, name in DISTRICT_UPDATES.items():
            fields = [f for f in cls.model_fields if f != "actor"]
            output.out.print(f"{name}: {', '.join(fields)}", highlight=False)

    @school_app.command("show")
    def school_show(school: str, json_: Json = False):
        """Teams (pilots carried in), norms, self-assessments and their trend, escalations."""

        async def go():
            status = await (await _client()).school_status(school)
            view = school_view(status.state, status.started_teams)
            output.emit_json(view) if json_ else output.out.print_json(json.dumps(view, default=str))

        run(go())

    @school_app.command("act")
    def school_act(school: str, action: str, as_: As, sets: Sets = []):
        """Send one school command, e.g. self_assess --set 'ratings={collaboration: Developing, ...}'."""

        async def go():
            _done(await (await _client()).send_school(school, _command(SCHOOL_UPDATES, action, as_, sets)))

        run(go())
