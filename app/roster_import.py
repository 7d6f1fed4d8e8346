"""A OneRoster import's dry run and its judgement, shared by ``plcflow roster import`` and the district admin's
roster page (issue 9, "Roster sync"; issue 11, "District admin": the roster import screen with its dry run).

One function each, so the CLI and the page show the same changes and refuse the same imports: ``diff_view`` is
what a dry run shows (people added, leaving, role changes, moves, links, with counts; students only as a count of
skipped rows), ``judge`` runs every part through the rollout's own decider on the state as queried, so an import
is refused as a whole before anything is sent.
"""

from datetime import UTC, datetime

from domain.rollout.decider import decide
from domain.rollout.state import fold
from domain.roster import RosterDiff

from .oneroster import Roster


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


def judge(state, commands) -> None:
    """Every part through the rollout's own decider on the state as queried: raises the domain's refusal, sends nothing."""
    now = datetime.now(UTC)
    for command in commands:
        state = fold(decide(state, command, now), state)
