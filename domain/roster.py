"""Roster sync: what a district's student-information system says about its staff, against the district we run.

Issue 9 ("Roster sync: OneRoster 1.2 CSV"). A bulk export is the whole
truth about who works where, so someone the district has and the file omits
has left. The import owns only the roles a student-information system knows
(district admin, principal, teacher, and the school they work at); plcflow's
own designations — teacher leader, union leader, department staff, and the
coalition seats and team places that follow from them — are never overwritten
by an import. Only staff reach this module: the reader drops every student,
parent, guardian and relative row before anything is kept.

People are matched by ``sourced_id``, then by email, then by a plcflow id
equal to the export's username (a district file written by hand before its
first import has no sourced ids yet). Pure: no I/O, the district in, a diff out.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .district import District, Person, Role
from .rollout.commands import SyncRoster

# The roles a student-information system owns; every other role is plcflow's own.
IMPORTED_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.PRINCIPAL, Role.TEACHER})


@dataclass(frozen=True)
class StaffRecord:
    """One staff member as the export has them: ids and what they do where (no names: plcflow keeps none)."""

    sourced_id: str
    email: str | None
    username: str | None
    roles: frozenset[Role]
    school_id: str | None  # the district-file school of their primary org, if it is one of ours


@dataclass(frozen=True)
class RoleChange:
    person_id: str
    before: tuple[Role, ...]
    after: tuple[Role, ...]


@dataclass(frozen=True)
class Move:
    person_id: str
    from_school: str | None
    to_school: str | None


@dataclass(frozen=True)
class RosterDiff:
    added: tuple[Person, ...] = ()
    leaving: tuple[str, ...] = ()
    role_changes: tuple[RoleChange, ...] = ()
    moves: tuple[Move, ...] = ()
    linked: tuple[tuple[str, str], ...] = ()  # (person id, sourced id) matched by email or username, to remember
    notes: tuple[str, ...] = field(default=())
    updated: tuple[Person, ...] = ()  # every matched person whose record changes, as they will be


    @property
    def empty(self) -> bool:
        return not (self.added or self.leaving or self.role_changes or self.moves or self.linked)

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "leaving": len(self.leaving), "role changes": len(self.role_changes),
                "moves": len(self.moves), "linked": len(self.linked)}


def diff(district: District, staff: Sequence[StaffRecord]) -> RosterDiff:
    """What changes if the district's people become what the export says (bulk semantics)."""
    match = _Matcher(district.people)
    added: list[Person] = []
    role_changes: list[RoleChange] = []
    moves: list[Move] = []
    linked: list[tuple[str, str]] = []
    seen: set[str] = set()
    taken = {p.id for p in district.people}
    notes: list[str] = []
    updated: list[Person] = []
    for record in staff:
        person = match.find(record)
        if person is None:
            if not record.roles:
                continue  # staff plcflow gives no role (an aide): nothing to add
            new = _new_person(record, taken)
            if new is None:
                notes.append(f"staff record {record.sourced_id} has neither a username nor an email to name them by; not added")
            else:
                taken.add(new.id)
                added.append(new)
            continue
        after = _merged_roles(person.roles, record.roles)
        if not after:
            continue  # no role plcflow knows is left to them (a teacher who became an aide): they leave
        seen.add(person.id)
        if person.sourced_id != record.sourced_id:
            linked.append((person.id, record.sourced_id))
        if set(after) != set(person.roles):
            role_changes.append(RoleChange(person.id, person.roles, after))
        if record.school_id != person.school:
            moves.append(Move(person.id, person.school, record.school_id))
        new = person.model_copy(update={"roles": after, "school": record.school_id, "sourced_id": record.sourced_id,
                                        "email": record.email or person.email})
        if new != person:
            updated.append(new)
    leaving = tuple(p.id for p in district.people if p.id not in seen)
    return RosterDiff(tuple(added), leaving, tuple(role_changes), tuple(moves), tuple(linked), tuple(notes), tuple(updated))


def _merged_roles(current: Iterable[Role], imported: frozenset[Role]) -> tuple[Role, ...]:
    """The export's roles replace the imported kinds; plcflow's own designations stay as they are."""
    kept = [r for r in current if r not in IMPORTED_ROLES]
    return tuple(sorted({*kept, *imported}, key=list(Role).index))


class _Matcher:
    def __init__(self, people: Sequence[Person]):
        self._by_sourced = {p.sourced_id: p for p in people if p.sourced_id}
        self._by_email = {p.email.lower(): p for p in people if p.email}
        self._by_id = {p.id: p for p in people}

    def find(self, r: StaffRecord) -> Person | None:
        if r.sourced_id in self._by_sourced:
            return self._by_sourced[r.sourced_id]
        if r.email and r.email.lower() in self._by_email:
            return self._by_email[r.email.lower()]
        if r.username and r.username.lower() in self._by_id:
            return self._by_id[r.username.lower()]
        return None


_NOT_IN_ID = re.compile(r"[^a-z0-9._-]+")


def user_id_for(record: StaffRecord, taken: set[str]) -> str | None:
    """A plcflow id from the export's username or email (lowercased, unsafe characters dropped), unique."""
    for source in (record.username, (record.email or "").partition("@")[0]):
        base = _NOT_IN_ID.sub("", (source or "").lower()).lstrip("._-")[:56]
        if base:
            candidate, n = base, 1
            while candidate in taken:
                n += 1
                candidate = f"{base}-{n}"
            return candidate
    return None


def _new_person(record: StaffRecord, taken: set[str]) -> Person | None:
    user_id = user_id_for(record, taken)
    if user_id is None:
        return None
    return Person(id=user_id, roles=_merged_roles((), record.roles), school=record.school_id,
                  sourced_id=record.sourced_id, email=record.email)


PART = 500  # changes per command: an import of 10,000 staff is 20 Updates, each a modest payload and history


def sync_commands(changes: RosterDiff, actor: str, source: str, part: int = PART) -> list:
    """The import as rollout commands, additions first, then changed records, then who left, ``part`` at a time."""
    ops = [("added", p) for p in changes.added] + [("changed", p) for p in changes.updated]
    ops += [("left", i) for i in changes.leaving]
    out = []
    for start in range(0, len(ops), part):
        chunk = ops[start:start + part]
        out.append(SyncRoster(actor=actor, source=source, **{
            kind: tuple(x for k, x in chunk if k == kind) for kind in ("added", "changed", "left")}))
    return out
