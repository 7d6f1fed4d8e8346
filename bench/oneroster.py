"""Write OneRoster bulk exports (1.2, or 1.1 with roles on the user row) for the import's tests and benchmark.

The columns are the specification's (OneRoster 1.2 CSV binding: manifest,
orgs, users, roles); values are whatever the caller gives. ``staff(n)`` makes
a large district's worth of teachers and principals for the benchmark.
"""

import csv
import zipfile
from dataclasses import dataclass
from pathlib import Path

from domain.district import District, Role

ORG_COLUMNS = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
USER_COLUMNS_12 = ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName",
                   "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
                   "password", "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName",
                   "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"]
USER_COLUMNS_11 = ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
                   "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
                   "agentSourcedIds", "grades", "password"]
ROLE_COLUMNS = ["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate",
                "endDate", "orgSourcedId", "userProfileSourcedId"]


@dataclass(frozen=True)
class Org:
    sourced_id: str
    name: str
    type: str = "school"  # or "district"
    parent: str = ""


@dataclass(frozen=True)
class User:
    sourced_id: str
    role: str  # OneRoster vocabulary: teacher, principal, districtAdministrator, student, parent, ...
    orgs: tuple[str, ...]
    username: str = ""
    email: str = ""
    given_name: str = ""
    family_name: str = ""
    status: str = "active"


def write_export(folder: Path, orgs: list[Org], users: list[User], *, version: str = "1.2", zip_as: Path | None = None) -> Path:
    """Write the four files into ``folder`` (and zip them to ``zip_as`` if given); return what to import."""
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "manifest.csv", ["propertyName", "value"],
           [["manifest.version", "1.0"], ["oneroster.version", version], ["file.orgs", "bulk"], ["file.users", "bulk"],
            ["file.roles", "bulk" if version == "1.2" else "absent"]])
    _write(folder / "orgs.csv", ORG_COLUMNS, [[o.sourced_id, "active", "", o.name, o.type, "", o.parent] for o in orgs])
    if version == "1.2":
        _write(folder / "users.csv", USER_COLUMNS_12, [_user_12(u) for u in users])
        _write(folder / "roles.csv", ROLE_COLUMNS,
               [[f"r-{u.sourced_id}-{i}", "active", "", u.sourced_id, "primary" if i == 0 else "secondary", u.role, "", "",
                 org, ""] for u in users for i, org in enumerate(u.orgs)])
    else:
        _write(folder / "users.csv", USER_COLUMNS_11, [_user_11(u) for u in users])
        _write(folder / "roles.csv", ROLE_COLUMNS, [])
    if zip_as is None:
        return folder
    with zipfile.ZipFile(zip_as, "w") as z:
        for name in ("manifest.csv", "orgs.csv", "users.csv", "roles.csv"):
            z.write(folder / name, name)
    return zip_as


def _user_12(u: User) -> list[str]:
    row = dict.fromkeys(USER_COLUMNS_12, "")
    row.update(sourcedId=u.sourced_id, status=u.status, enabledUser="true", username=u.username, givenName=u.given_name,
               familyName=u.family_name, email=u.email, primaryOrgSourcedId=u.orgs[0] if u.orgs else "")
    return list(row.values())


def _user_11(u: User) -> list[str]:
    row = dict.fromkeys(USER_COLUMNS_11, "")
    row.update(sourcedId=u.sourced_id, status=u.status, enabledUser="true", orgSourcedIds=",".join(u.orgs), role=u.role,
               username=u.username, givenName=u.given_name, familyName=u.family_name, email=u.email)
    return list(row.values())


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def staff(n: int, schools: list[str]) -> list[User]:
    """``n`` staff across ``schools`` (org ids): a principal each, the rest teachers."""
    principals = [User(f"p-{i}", "principal", (org,), f"principal{i}", f"principal{i}@district.example")
                  for i, org in enumerate(schools)]
    teachers = [User(f"t-{i}", "teacher", (schools[i % len(schools)],), f"teacher{i}", f"teacher{i}@district.example")
                for i in range(n - len(principals))]
    return principals + teachers


SIS_ROLE = {Role.DISTRICT_ADMIN: "districtAdministrator", Role.PRINCIPAL: "principal", Role.TEACHER: "teacher"}


def users_of(district: District, district_org: str, prefix: str = "sis") -> list[User]:
    """The district's people as its student-information system would export them: usernames equal to their ids,
    each at their school's org (the district's for central staff), staff plcflow gives no imported role as
    ``administrator``."""
    orgs = {s.school_id: s.sourced_id for s in district.schools}
    return [User(f"{prefix}-{i}", next((SIS_ROLE[r] for r in p.roles if r in SIS_ROLE), "administrator"),
                 (orgs.get(p.school) or district_org,), p.id) for i, p in enumerate(district.people)]
