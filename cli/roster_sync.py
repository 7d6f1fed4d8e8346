"""``plcflow roster import DISTRICT_ID PATH [--apply]``: a OneRoster bulk export applied to a district's people.

Issue 9 ("Roster sync"). Read against the district as its rollout holds it
now. Without ``--apply``: prints people added, leaving, role changes and
moves between schools, with counts, and exits 0. With it: the whole import is
first judged by the rollout's own rules on that state (a refusal exits 1 with
every reason, and nothing is sent), then sent as ``sync_roster`` Updates of at
most 500 changes each; the same files again change nothing and say so.
Students, parents, guardians and relatives are dropped by the reader before
anything is kept, printed, sent or logged.
"""

from pathlib import Path
from typing import Annotated

import typer

from app.oneroster import read_roster
from app.roster_import import diff_view, judge
from domain.errors import DomainError
from domain.roster import diff, sync_commands

from . import output
from .district import _client

roster_app = typer.Typer(help="Sync a district's staff from its student-information system (OneRoster 1.2 CSV).",
                         no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="Stable JSON on stdout (see README).")]
Apply = Annotated[bool, typer.Option("--apply", help="Send the changes (without it: only print them).")]
As = Annotated[str | None, typer.Option("--as", help="Your user id: a district admin (needed with --apply).")]


def _print(view: dict) -> None:
    counts = view["counts"]
    if not any(counts.values()):
        output.out.print("[green]Nothing to change[/]: the district's people already match the export.")
    else:
        output.out.print(", ".join(f"{n} {what}" for what, n in counts.items()), highlight=False)
    for p in view["added"]:
        output.out.print(f"  + {p['id']} ({', '.join(p['roles'])}{' at ' + p['school'] if p['school'] else ''})", highlight=False)
    for person in view["leaving"]:
        output.out.print(f"  - {person} leaves (not in the export)", highlight=False)
    for c in view["role_changes"]:
        output.out.print(f"  ~ {c['id']}: {', '.join(c['before'])} -> {', '.join(c['after'])}", highlight=False)
    for m in view["moves"]:
        output.out.print(f"  > {m['id']} moves from {m['from'] or 'no school'} to {m['to'] or 'no school'}", highlight=False)
    output.out.print(f"Skipped {view['skipped_rows_not_staff']} rows that are not staff (students and families: nothing of "
                     f"them is kept); {view['staff_without_a_plcflow_role']} staff hold no role plcflow uses.", highlight=False)
    for org in view["school_orgs_not_in_the_district_file"]:
        output.out.print(f"  note: school org {org} is none of the district's schools; if it is one, link it: "
                         f"plcflow district act DISTRICT link_school --as ADMIN --set school_id=SCHOOL --set sourced_id={org}",
                         highlight=False)
    for note in view["notes"]:
        output.out.print(f"  note: {note}", highlight=False)


def register(run) -> None:
    @roster_app.command("import")
    def roster_import(district: str, path: Path, apply: Apply = False, as_: As = None, json_: Json = False):
        """Compare a OneRoster bulk export (a folder or .zip) with the district's people; --apply sends the changes."""
        if apply and not as_:
            output.refuse("--as ADMIN is required with --apply (the district admin who imports)", code=2)

        async def go():
            client = await _client()
            state = (await client.status(district)).state
            roster = read_roster(path, state.district)
            changes = diff(state.district, roster.staff)
            view = diff_view(roster, changes)
            if not apply:
                return output.emit_json(view) if json_ else _print(view)
            commands = sync_commands(changes, as_, f"the OneRoster export {path.name}")
            if not commands:
                return output.out.print("[green]Nothing to change[/]: the district's people already match the export.")
            try:
                judge(state, commands)
            except DomainError as err:
                output.refuse(err.reason)
            for i, command in enumerate(commands, 1):
                result = await client.send(district, command)
                output.out.print(f"  part {i}/{len(commands)}: {len(result.events)} event(s), version {result.version}",
                                 highlight=False)
            counts = ", ".join(f"{n} {what}" for what, n in changes.counts().items())
            output.out.print(f"[green]Imported[/]: {counts}.", highlight=False)

        run(go())
