"""``plcflow calendar publish|close|open DISTRICT ...``: a district's calendar changes (issue 9).

Dry run by default: the school days gained and lost, and every open due date
and pending rung that would move, read from the district's, its schools' and
their teams' queried state and decided by their own deciders. ``--apply``
sends the Update to the district, which tells its schools, which tell their
teams. A refusal exits 1 with the domain's sentence, malformed input exits 2;
nothing is written either way.
"""

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from app.calendar_files import IcsMapping, load_mapping, load_published
from app.calendar_preview import Preview, preview, queried_states
from app.config import Settings
from app.wiring import connect_clients
from domain.errors import DomainError
from domain.rollout import commands as c

from . import output

calendar_app = typer.Typer(help="Publish a district's calendar, or close or open one day.", no_args_is_help=True)
As = Annotated[str, typer.Option("--as", help="Your user id (a district admin).")]
Apply = Annotated[bool, typer.Option("--apply", help="Send it; without this, only show what would change.")]
Names = Annotated[list[str], typer.Option(help="An .ics event name (SUMMARY) of this kind; repeatable.")]


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        output.refuse(f"DATE must be a date like 2027-01-11, not {value!r}", code=2)


def _print(p: Preview, left_out: list[str]) -> None:
    say = lambda text: output.out.print(text, highlight=False, markup=False)  # noqa: E731
    say(f"School days gained: {len(p.days.gained)}" + (f" ({', '.join(map(str, p.days.gained))})" if p.days.gained else ""))
    say(f"School days lost: {len(p.days.lost)}" + (f" ({', '.join(map(str, p.days.lost))})" if p.days.lost else ""))
    if not p.moves:
        say("No open due date or pending rung moves.")
    for mv in p.moves:
        by = "beyond the new calendar" if mv.school_days is None else f"{mv.school_days:+d} school day(s)"
        say(f"  {mv.where}: {mv.what} {mv.before} -> {mv.after} ({by})")
    for why in left_out:
        say(f"Left out of the feed: {why}")


def _change(run, district_id: str, build, apply: bool, left_out: list[str] = ()) -> None:
    async def go():
        command = build()  # inside the runner: a malformed field (a blank reason) exits 2 with its sentence
        clients = await connect_clients(Settings.from_env())
        district, schools, teams = await queried_states(clients, district_id)
        try:
            p = preview(district, schools, teams, command, datetime.now(UTC))
        except DomainError as err:
            output.refuse(err.reason)
        _print(p, list(left_out))
        if not apply:
            output.out.print("Dry run: nothing was sent. Add --apply to send it.", highlight=False)
            return
        result = await clients.districts.send(district_id, command)
        output.out.print(f"[green]Applied[/]: {', '.join(e.type for e in result.events)} (version {result.version}); "
                         "the district tells its schools, which tell their teams.", highlight=False)

    run(go())


def register_calendar(run) -> None:
    """Attach the commands; ``run`` is the CLI's error-translating runner."""

    @calendar_app.command("publish")
    def publish(district: str, file: Path, as_: As, apply: Apply = False,
                mapping: Annotated[Optional[Path], typer.Option(help="A YAML file: closed, school_day, first_day, last_day.")] = None,
                closed: Names = [], school_day: Names = [], first_day: Names = [], last_day: Names = []):
        """Publish a calendar from plcflow's YAML or an .ics (all-day events; say which names mean what)."""

        async def load():
            names = load_mapping(mapping) if mapping else IcsMapping()
            names = IcsMapping(*(tuple(getattr(names, k)) + tuple(extra) for k, extra in
                                 (("closed", closed), ("school_day", school_day), ("first_day", first_day), ("last_day", last_day))))
            if file.suffix.lower() == ".ics" and not (names.closed or names.school_day or names.first_day):
                output.refuse("say which event names mean what: --closed, --school-day, --first-day, --last-day or --mapping",
                              code=2)
            status = await (await connect_clients(Settings.from_env())).districts.status(district)
            return load_published(file, status.state.calendar, names)

        published = run(load())
        _change(run, district, lambda: c.PublishCalendar(actor=as_, calendar=published.calendar), apply, published.left_out)

    @calendar_app.command("close")
    def close(district: str, day: Annotated[str, typer.Argument(metavar="DATE")], as_: As,
              reason: Annotated[str, typer.Option("--reason", help='Why ("Snow").')], apply: Apply = False):
        """Close one school day (a snow day)."""
        _change(run, district, lambda: c.CloseSchoolDay(actor=as_, on=_day(day), reason=reason), apply)

    @calendar_app.command("open")
    def open_(district: str, day: Annotated[str, typer.Argument(metavar="DATE")], as_: As,
              reason: Annotated[str, typer.Option("--reason", help='Why ("Make-up day").')], apply: Apply = False):
        """Open one day as a school day (a make-up day; a Saturday may be one)."""
        _change(run, district, lambda: c.OpenSchoolDay(actor=as_, on=_day(day), reason=reason), apply)
