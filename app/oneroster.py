"""Read a OneRoster bulk export (1.2, or 1.1's user columns) into staff records; students never get past here.

Issue 9: PATH is a folder or a .zip holding ``manifest.csv``, ``orgs.csv``,
``users.csv`` and ``roles.csv``. In 1.2 a user's roles are rows of
``roles.csv``; a 1.1 ``users.csv`` carries them in its own ``role`` and
``orgSourcedIds`` columns, and either is accepted. Student privacy: the
roles are read first, and a ``users.csv`` row that is not staff is dropped
as soon as its id and role are known — none of its other columns is
looked at, kept, logged or counted by name. Any malformed file is reported
with its file, line and column, and nothing is returned to apply.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from domain.district import District, Role
from domain.roster import StaffRecord

FILES = ("manifest.csv", "orgs.csv", "users.csv", "roles.csv")
# OneRoster role vocabulary -> plcflow role; None: staff plcflow has no role for (kept out, counted).
STAFF_ROLES: dict[str, Role | None] = {
    "districtadministrator": Role.DISTRICT_ADMIN,
    "principal": Role.PRINCIPAL,
    "siteadministrator": Role.PRINCIPAL,
    "teacher": Role.TEACHER,
    "administrator": None,
    "systemadministrator": None,
    "aide": None,
    "proctor": None,
}
NOT_STAFF = frozenset({"student", "parent", "guardian", "relative"})
# A zip's CSV is refused before it is inflated past this (a zip bomb, or not an export): users.csv of a district of
# 100,000 students and staff is about 15 MB. Python's zipfile never inflates a member past its declared size.
CSV_LIMIT = 200 * 1024 * 1024


class RosterFileError(ValueError):
    """A malformed export: one sentence naming the file, line and column."""


@dataclass(frozen=True)
class Roster:
    staff: tuple[StaffRecord, ...]
    not_staff_rows: int  # skipped without reading more than their id and role
    unmapped_staff: int  # staff whose roles plcflow does not map (aides, proctors, ...): kept with no imported role
    unknown_orgs: tuple[str, ...]  # school orgs no school of the district file names (by sourced_id)


def read_roster(path: Path, district: District) -> Roster:
    files = _open(path)
    _check_manifest(_Rows("manifest.csv", files["manifest.csv"]))
    schools, unknown = _schools(_Rows("orgs.csv", files["orgs.csv"]), district)
    users = _Rows("users.csv", files["users.csv"])
    if "role" in users.header:  # OneRoster 1.1: roles on the user row
        roles = _roles_from_users(users, schools)
        users = _Rows("users.csv", files["users.csv"])
    else:
        roles = _roles_from_file(_Rows("roles.csv", files["roles.csv"]), schools)
    return _staff(users, roles, schools, unknown)


# --- files ---


def _open(path: Path) -> dict[str, str]:
    if path.is_dir():
        found = {name: path / name for name in FILES}
        missing = [n for n, p in found.items() if not p.is_file()]
        if missing:
            raise RosterFileError(f"{path} has no {', '.join(missing)}: a OneRoster bulk export has {', '.join(FILES)}")
        return {n: p.read_text(encoding="utf-8-sig") for n, p in found.items()}
    if path.suffix.lower() == ".zip" and path.is_file():
        try:
            with zipfile.ZipFile(path) as z:
                names = {Path(n).name: n for n in z.namelist()}
                missing = [n for n in FILES if n not in names]
                if missing:
                    raise RosterFileError(f"{path} has no {', '.join(missing)}: a OneRoster bulk export has {', '.join(FILES)}")
                large = [n for n in FILES if z.getinfo(names[n]).file_size > CSV_LIMIT]
                if large:
                    raise RosterFileError(f"{path}: {', '.join(large)} unpacks to more than {CSV_LIMIT // 2**20} MB; "
                                          "that is no OneRoster export plcflow reads")
                return {n: z.read(names[n]).decode("utf-8-sig") for n in FILES}
        except zipfile.BadZipFile as err:
            raise RosterFileError(f"{path} is not a readable zip file ({err})") from err
    raise RosterFileError(f"{path} is neither a folder nor a .zip file")


class _Rows:
    """A CSV file's header and rows, each row with its line number, columns by name."""

    def __init__(self, name: str, text: str):
        self.name = name
        reader = csv.reader(io.StringIO(text))
        try:
            self.header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise RosterFileError(f"{name}, line 1: the file is empty; it needs a header row") from None
        self._reader = reader

    def require(self, *columns: str) -> None:
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise RosterFileError(f"{self.name}, line 1: no column {', '.join(missing)} in the header")

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        for row in self._reader:
            line = self._reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(self.header):
                raise RosterFileError(f"{self.name}, line {line}: {len(row)} columns where the header has {len(self.header)}")
            yield line, dict(zip(self.header, (c.strip() for c in row), strict=True))

    def fail(self, line: int, column: str, why: str) -> RosterFileError:
        return RosterFileError(f"{self.name}, line {line}, column {self.header.index(column) + 1} ({column}): {why}")


def _check_manifest(rows: _Rows) -> None:
    rows.require("propertyName", "value")
    props = {r["propertyName"]: (line, r["value"]) for line, r in rows}
    for f in ("users", "orgs", "roles"):
        line, mode = props.get(f"file.{f}", (None, "bulk"))
        if line is not None and mode.lower() == "delta":
            raise rows.fail(line, "value", f"file.{f} is a delta export; plcflow imports bulk exports only (the whole roster)")


def _schools(rows: _Rows, district: District) -> tuple[dict[str, str | None], tuple[str, ...]]:
    """Every org id -> the district-file school it is (None for the district org and orgs we do not run),
    and the school orgs no school of the district file names by ``sourced_id``."""
    rows.require("sourcedId", "type")
    ours = {s.sourced_id: s.school_id for s in district.schools if s.sourced_id}
    orgs = {r["sourcedId"]: r["type"].lower() for _, r in rows}
    unknown = tuple(sorted(o for o, kind in orgs.items() if kind == "school" and o not in ours))
    return {o: ours.get(o) for o in orgs}, unknown


def _role_of(rows: _Rows, line: int, column: str, value: str) -> str:
    role = value.strip().lower()
    if role not in STAFF_ROLES and role not in NOT_STAFF:
        raise rows.fail(line, column, f"{value!r} is not a OneRoster role")
    return role


def _known_org(rows: _Rows, line: int, column: str, org: str, orgs: dict) -> str:
    if org not in orgs:
        raise rows.fail(line, column, f"org {org!r} is not in orgs.csv")
    return org


def _roles_from_file(rows: _Rows, orgs: dict) -> dict[str, list[tuple[str, str, bool]]]:
    """user id -> [(role, org id, primary)], from 1.2's roles.csv."""
    rows.require("userSourcedId", "role", "orgSourcedId", "roleType")
    out: dict[str, list[tuple[str, str, bool]]] = {}
    for line, r in rows:
        role = _role_of(rows, line, "role", r["role"])
        _known_org(rows, line, "orgSourcedId", r["orgSourcedId"], orgs)
        out.setdefault(r["userSourcedId"], []).append((role, r["orgSourcedId"], r["roleType"].lower() == "primary"))
    return out


def _roles_from_users(rows: _Rows, orgs: dict) -> dict[str, list[tuple[str, str, bool]]]:
    """The same from a 1.1 users.csv: one role, at one or more orgs (the first is primary)."""
    rows.require("sourcedId", "role", "orgSourcedIds")
    out: dict[str, list[tuple[str, str, bool]]] = {}
    for line, r in rows:
        role = _role_of(rows, line, "role", r["role"])
        held = [_known_org(rows, line, "orgSourcedIds", o.strip(), orgs) for o in r["orgSourcedIds"].split(",") if o.strip()]
        out[r["sourcedId"]] = [(role, org, i == 0) for i, org in enumerate(held)]
    return out


def _staff(users: _Rows, roles: dict[str, list[tuple[str, str, bool]]], schools: dict[str, str | None],
           unknown: tuple[str, ...]) -> Roster:
    users.require("sourcedId", "status", "username", "email")
    staff: list[StaffRecord] = []
    not_staff = unmapped = 0
    for line, r in users:
        held = roles.get(r["sourcedId"], [])
        if not held or any(role in NOT_STAFF for role, _, _ in held):
            not_staff += 1  # a student, parent, guardian or relative: nothing else of the row is read
            continue
        if r["status"].lower() == "tobedeleted":
            continue  # gone from the system: absent, so they leave (bulk semantics)
        mapped = [(STAFF_ROLES[role], org, primary) for role, org, primary in held if STAFF_ROLES[role] is not None]
        unmapped += not mapped  # an aide, a proctor: present (so not leaving), but given no plcflow role
        staff.append(_record(users, line, r, mapped, schools))
    return Roster(tuple(staff), not_staff, unmapped, unknown)


def _record(users: _Rows, line: int, r: dict[str, str], mapped, schools: dict[str, str | None]) -> StaffRecord:
    email = r["email"] or None
    if email and "@" not in email:
        raise users.fail(line, "email", f"{email!r} is not an email address")
    at_schools = [(schools.get(org), primary) for role, org, primary in mapped if role is not Role.DISTRICT_ADMIN]
    ours = [s for s, primary in sorted(at_schools, key=lambda x: not x[1]) if s]
    return StaffRecord(sourced_id=r["sourcedId"], email=email, username=r["username"] or None,
                       roles=frozenset(role for role, _, _ in mapped), school_id=ours[0] if ours else None)
