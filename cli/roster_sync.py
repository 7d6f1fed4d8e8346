"""``plcflow roster import DISTRICT_ID PATH``: what a OneRoster bulk export would change in a district's people.

Issue 9 ("Roster sync"). Read against the district as its rollout holds it
now; prints people added, leaving, role changes and moves between schools,
with counts, and exits 0. Students, parents, guardians and relatives are
dropped by the reader before anything is kept, printed or logged.
"""

from pathlib import Path
from typing import Annotated

import typer

from app.oneroster import Roster, read_roster
from domain.roster import RosterDiff, diff

from . import output
from .district import _client

roster_app = typer.Typer(help="Sync a district's staff from its student-information system (OneRoster 1.2 CSV).",
                         no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="Stable JSON on stdout (see README).")]


def diff_view(roster: Roster, changes: RosterDiff) -> dict:
    return {
        "counts": changes.counts(),
        "added": [{"id": p.id, "roles": [r.value for r in p.roles], "school": p.school} for p in changes.added],
        "leaving": list(changes.leaving),
        "role_changes": [{"id": c.person_id, "before": [r.value for r in c.before], "after": [r.value for r in c.after]}
                         for c in changes.role_changes],
        "moves": [{"id": m.person_id, "from": m.from_school, "to": m.to_school} for m in changes.moves],
        "linked": [{"id": i, "sourced_id": s} for i, s in changes.linked],
        "skipped_rows_not_staff": roster.not_staff_rows,
        "staff_without_a_plcflow_role": roster.unmapped_staff,
        "school_orgs_not_in_the_district_file": list(roster.unknown_orgs),
        "notes": list(changes.notes),
    }


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
        output.out.print(f"  note: school org {org} is not a school of the district file (give a school its sourced_id)",
                         highlight=False)
    for note in view["notes"]:
        output.out.print(f"  note: {note}", highlight=False)


def register(run) -> None:
    @roster_app.command("import")
    def roster_import(district: str, path: Path, json_: Json = False):
        """Compare a OneRoster bulk export (a folder or .zip) with the district's people; print what would change."""

        async def go():
            state = (await (await _client()).status(district)).state
            roster = read_roster(path, state.district)
            view = diff_view(roster, diff(state.district, roster.staff))
            output.emit_json(view) if json_ else _print(view)

        run(go())
