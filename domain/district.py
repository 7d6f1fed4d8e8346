"""Who a district is: its schools, teams, departments and people (seeds 000, 001, 002).

A district admin writes this once, as YAML. ``check_references`` finds every
cross-reference mistake (a facilitator who is not a teacher leader at that
school, a team id used twice) with its path in the file, so the whole file
is fixed in one pass before anything starts.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from .limits import MAX_TEAM_MEMBERS
from .team import Slug, UserId

Name = Annotated[str, Field(min_length=1, max_length=120)]


class Level(StrEnum):
    ELEMENTARY = "elementary"
    MIDDLE = "middle"
    HIGH = "high"


class Role(StrEnum):
    DISTRICT_ADMIN = "district_admin"
    DEPARTMENT_STAFF = "department_staff"
    PRINCIPAL = "principal"
    TEACHER_LEADER = "teacher_leader"
    TEACHER = "teacher"
    UNION_LEADER = "union_leader"


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Spec):
    """A staff member (never a student): an id, their roles, and where they work."""

    id: UserId
    roles: Annotated[tuple[Role, ...], Field(min_length=1)]
    school: Slug | None = None
    department: Slug | None = None


class TeamSpec(_Spec):
    """A collaborative team: by grade level or content area, or a principals' own inquiry team (seed 002)."""

    team_id: Slug
    name: Name
    kind: Literal["grade_level", "content_area", "principals"]
    facilitator: UserId
    members: Annotated[tuple[UserId, ...], Field(min_length=1, max_length=MAX_TEAM_MEMBERS)]
    pilot: bool = False  # a voluntary team that began before the schoolwide launch (seed 002)
    expertise: tuple[Annotated[str, Field(max_length=200)], ...] = ()


class School(_Spec):
    school_id: Slug
    name: Name
    level: Level
    area: Annotated[str, Field(min_length=1, max_length=60)]
    principal: UserId
    teacher_leaders: tuple[UserId, ...] = ()
    teams: tuple[TeamSpec, ...] = ()


class District(_Spec):
    district_id: Slug
    name: Name
    union: bool = False
    departments: tuple[Slug, ...] = ()
    schools: Annotated[tuple[School, ...], Field(min_length=1)]
    people: Annotated[tuple[Person, ...], Field(min_length=1)]

    def person(self, user_id: str) -> Person | None:
        return next((p for p in self.people if p.id == user_id), None)

    def school(self, school_id: str) -> School | None:
        return next((s for s in self.schools if s.school_id == school_id), None)

    def with_role(self, role: Role) -> tuple[str, ...]:
        return tuple(p.id for p in self.people if role in p.roles)

    @property
    def admins(self) -> tuple[str, ...]:
        return self.with_role(Role.DISTRICT_ADMIN)


def _role_at(district: District, user_id: str, role: Role, school: str | None, where: str) -> list[str]:
    p = district.person(user_id)
    if p is None:
        return [f"{where}: {user_id!r} is not in people"]
    if role not in p.roles:
        return [f"{where}: {user_id!r} does not have the role {role.value}"]
    if school is not None and p.school != school:
        return [f"{where}: {user_id!r} works at {p.school or 'no school'}, not {school}"]
    return []


def check_references(d: District) -> list[str]:
    """Every cross-reference mistake in a district, each with its path."""
    problems: list[str] = []
    seen_people: set[str] = set()
    for i, p in enumerate(d.people):
        if p.id in seen_people:
            problems.append(f"people[{i}]: {p.id!r} is listed twice")
        seen_people.add(p.id)
        needs_school = {Role.PRINCIPAL, Role.TEACHER_LEADER, Role.TEACHER} & set(p.roles)
        if needs_school and (p.school is None or d.school(p.school) is None):
            problems.append(f"people[{i}].school: {p.id} is a {sorted(needs_school)[0].value} and needs one of the district's schools")
        if Role.DEPARTMENT_STAFF in p.roles and p.department not in d.departments:
            problems.append(f"people[{i}].department: {p.id} needs one of the departments {list(d.departments)}")
    if not d.admins:
        problems.append("people: nobody has the role district_admin")
    if d.union and not d.with_role(Role.UNION_LEADER):
        problems.append("people: staff have a union, but nobody has the role union_leader")
    school_ids, team_ids = set(), set()
    for i, s in enumerate(d.schools):
        at = f"schools[{i}]"
        if s.school_id in school_ids:
            problems.append(f"{at}.school_id: {s.school_id!r} is used twice")
        school_ids.add(s.school_id)
        problems += _role_at(d, s.principal, Role.PRINCIPAL, s.school_id, f"{at}.principal")
        for j, leader in enumerate(s.teacher_leaders):
            problems += _role_at(d, leader, Role.TEACHER_LEADER, s.school_id, f"{at}.teacher_leaders[{j}]")
        for j, t in enumerate(s.teams):
            where = f"{at}.teams[{j}]"
            if t.team_id in team_ids:
                problems.append(f"{where}.team_id: {t.team_id!r} is used twice in the district")
            team_ids.add(t.team_id)
            if t.kind == "principals":
                problems += _role_at(d, t.facilitator, Role.PRINCIPAL, None, f"{where}.facilitator")
            elif t.facilitator not in s.teacher_leaders and t.facilitator != s.principal:
                problems.append(f"{where}.facilitator: {t.facilitator!r} is not a teacher leader or the principal of {s.school_id}")
            for k, m in enumerate(t.members):
                if m not in seen_people:  # a set, not d.person(): a 1,500-team district checks in milliseconds
                    problems.append(f"{where}.members[{k}]: {m!r} is not in people")
    return problems
