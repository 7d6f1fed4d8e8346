"""Who a district is: its schools, teams, departments and people (seeds 000, 001, 002).

A district admin writes this once, as YAML. ``check_references`` finds every
cross-reference mistake (a facilitator who is not a teacher leader at that
school, a team id used twice) with its path in the file, so the whole file
is fixed in one pass before anything starts.
"""

from dataclasses import dataclass
from functools import cached_property
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .limits import MAX_TEAM_MEMBERS
from .team.profile import Slug, UserId
from .text import text

Name = text(120)
SourcedId = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^\S(.*\S)?$")]
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


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
    # Issue 11: reads the dashboard and the team pages of the schools it supervises, acts on none (last: the
    # roster import orders roles by this enum, so the older roles keep their places).
    SUPERVISOR = "supervisor"


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Spec):
    """A staff member (never a student): an id, their roles, and where they work."""

    id: UserId
    roles: Annotated[tuple[Role, ...], Field(min_length=1)]
    school: Slug | None = None
    department: Slug | None = None
    sourced_id: SourcedId | None = None  # the student-information system's id (OneRoster sourcedId), once imported
    email: Email | None = None  # a work address: how an import, and sign-in, find this person
    # A supervisor's schools (issue 11); none: the whole district. A default, so the people recorded in running
    # workflows' histories before it existed read as they were.
    supervises: tuple[Slug, ...] = ()


class TeamSpec(_Spec):
    """A collaborative team: by grade level or content area, or a principals' own inquiry team (seed 002)."""

    team_id: Slug
    name: Name
    kind: Literal["grade_level", "content_area", "principals"]
    facilitator: UserId
    members: Annotated[tuple[UserId, ...], Field(min_length=1, max_length=MAX_TEAM_MEMBERS)]
    pilot: bool = False  # a voluntary team that began before the schoolwide launch (seed 002)
    expertise: tuple[text(200), ...] = ()


class School(_Spec):
    school_id: Slug
    name: Name
    level: Level
    area: text(60)
    principal: UserId
    teacher_leaders: tuple[UserId, ...] = ()
    teams: tuple[TeamSpec, ...] = ()
    sourced_id: SourcedId | None = None  # the school's org in the student-information system (OneRoster orgs.csv)


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


# --- cross-references, judged on whatever parsed ---
#
# Issue 8 (defects 5, 6): "every mistake at once" means a shape mistake in one
# school must not hide a missing union leader or a facilitator who is not a
# teacher leader elsewhere. So the checks run on a *draft*: each person, each
# school's references and each team parsed on its own. A check whose inputs did
# not parse is skipped (the shape mistake is reported instead), and a reference
# to an entry that did not parse is never called unknown.


class _SchoolRefs(BaseModel):
    """The parts of a school that other entries refer to (its name or level may be wrong on their own)."""

    model_config = ConfigDict(frozen=True)

    school_id: Slug
    principal: UserId
    teacher_leaders: tuple[UserId, ...] = ()


class _TeamRefs(BaseModel):
    model_config = ConfigDict(frozen=True)

    team_id: Slug
    kind: Literal["grade_level", "content_area", "principals"]
    facilitator: UserId
    members: tuple[UserId, ...]


@dataclass(frozen=True)
class Draft:
    """A district section as far as it parsed; ``None`` marks an entry (or field) that did not."""

    people: tuple[Person | None, ...]
    schools: tuple[tuple[_SchoolRefs | School | None, tuple[_TeamRefs | TeamSpec | None, ...]], ...]
    departments: tuple[str, ...] | None
    union: bool | None
    loose_people: frozenset = frozenset()  # raw ids of people who did not parse
    loose_schools: frozenset = frozenset()

    @classmethod
    def of(cls, d: District) -> "Draft":
        return cls(d.people, tuple((s, s.teams) for s in d.schools), d.departments, d.union)

    @classmethod
    def from_raw(cls, data: Any) -> "Draft | None":
        """Parse each entry of a district section on its own; None when it is not even a mapping."""
        if not isinstance(data, dict):
            return None
        people = _each(Person, data.get("people"))
        schools = [(s, tuple(_each(_TeamRefs, raw.get("teams") if isinstance(raw, dict) else None)))
                   for s, raw in zip(_each(_SchoolRefs, data.get("schools")), _items(data.get("schools")))]
        return cls(
            tuple(people), tuple(schools), _one(tuple[Slug, ...], data.get("departments", ())), _one(bool, data.get("union", False)),
            _loose(data.get("people"), people, "id"), _loose(data.get("schools"), [s for s, _ in schools], "school_id"),
        )

    @property
    def everyone_parsed(self) -> bool:
        return all(p is not None for p in self.people)

    @cached_property
    def _people_by_id(self) -> dict[str, Person]:
        # An index, not a scan per reference: a 1,500-team district is checked in milliseconds
        # (the check runs inside the district workflow's first task, which must yield within 2 s).
        return {p.id: p for p in self.people if p is not None}

    def person(self, user_id: str) -> Person | None:
        return self._people_by_id.get(user_id)

    def knows_person(self, user_id: str) -> bool | None:
        """True or False, or None when an entry that did not parse might be them."""
        if self.person(user_id) is not None:
            return True
        return None if user_id in self.loose_people or None in self.loose_people else False

    def knows_school(self, school_id: str) -> bool | None:
        if any(s is not None and s.school_id == school_id for s, _ in self.schools):
            return True
        return None if school_id in self.loose_schools or None in self.loose_schools else False

    def with_role(self, role: Role) -> list[str]:
        return [p.id for p in self.people if p is not None and role in p.roles]


def _items(raw: Any) -> list:
    return list(raw) if isinstance(raw, (list, tuple)) else []


def _one(kind: Any, raw: Any) -> Any:
    try:
        return TypeAdapter(kind).validate_python(raw)
    except ValidationError:
        return None


def _each(model: type[BaseModel], raw: Any) -> list:
    return [_one(model, item) for item in _items(raw)]


def _loose(raw: Any, parsed: list, key: str) -> frozenset:
    """The raw ids of entries that did not parse (None: one had no readable id at all)."""
    out = set()
    for item, ok in zip(_items(raw), parsed):
        if ok is None:
            value = item.get(key) if isinstance(item, dict) else None
            out.add(value if isinstance(value, str) else None)
    return frozenset(out)


def _role_at(d: Draft, user_id: str, role: Role, school: str | None, where: str) -> list[str]:
    known = d.knows_person(user_id)
    if known is None:
        return []
    if not known:
        return [f"{where}: {user_id!r} is not in people"]
    p = d.person(user_id)
    if role not in p.roles:
        return [f"{where}: {user_id!r} does not have the role {role.value}"]
    if school is not None and p.school != school:
        return [f"{where}: {user_id!r} works at {p.school or 'no school'}, not {school}"]
    return []


def check_references(d: District | Draft) -> list[str]:
    """Every cross-reference mistake in a district (or in whatever of it parsed), each with its path."""
    d = Draft.of(d) if isinstance(d, District) else d
    return _people_problems(d) + _school_problems(d)


def _people_problems(d: Draft) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for i, p in enumerate(d.people):
        if p is None:
            continue
        if p.id in seen:
            problems.append(f"people[{i}]: {p.id!r} is listed twice")
        seen.add(p.id)
        needs_school = {Role.PRINCIPAL, Role.TEACHER_LEADER, Role.TEACHER} & set(p.roles)
        if needs_school and (p.school is None or d.knows_school(p.school) is False):
            problems.append(f"people[{i}].school: {p.id} is a {sorted(needs_school)[0].value} and needs one of the district's schools")
        if Role.DEPARTMENT_STAFF in p.roles and d.departments is not None and p.department not in d.departments:
            problems.append(f"people[{i}].department: {p.id} needs one of the departments {list(d.departments)}")
        problems += _supervision_problems(d, i, p)
    if d.everyone_parsed and not d.with_role(Role.DISTRICT_ADMIN):
        problems.append("people: nobody has the role district_admin")
    if d.everyone_parsed and d.union and not d.with_role(Role.UNION_LEADER):
        problems.append("people: staff have a union, but nobody has the role union_leader")
    return problems


def _supervision_problems(d: Draft, i: int, p: Person) -> list[str]:
    """A supervisor's schools are the district's (issue 11); only a supervisor names schools to supervise.

    Part of ``check_references`` although it is newer than running rollouts: no recorded person has
    ``supervises`` (the field is new), so no recorded start or change can be judged differently on replay.
    """
    problems = [f"people[{i}].supervises[{j}]: {school!r} is not one of the district's schools"
                for j, school in enumerate(p.supervises) if d.knows_school(school) is False]
    problems += [f"people[{i}].supervises[{j}]: {school!r} is listed twice"
                 for j, school in enumerate(p.supervises) if school in p.supervises[:j]]
    if p.supervises and Role.SUPERVISOR not in p.roles:
        problems.append(f"people[{i}].supervises: {p.id} names schools to supervise but does not have the role supervisor")
    return problems


def department_problems(d: District | Draft) -> list[str]:
    """An empty department could never be represented on the coalition, so form_coalition
    could never pass (issue 8, defect 5): the district file refuses it.

    Not part of ``check_references``, which the rollout's decider runs on start: a district
    started before this rule must still replay (it can be fixed, not re-decided).
    """
    d = Draft.of(d) if isinstance(d, District) else d
    if d.departments is None or not d.everyone_parsed:
        return []
    staffed = {p.department for p in d.people if Role.DEPARTMENT_STAFF in p.roles}
    return [
        f"departments[{i}]: nobody works in the {dept!r} department (give someone the role department_staff "
        f"and department: {dept}, or remove it); the guiding coalition needs someone from each department"
        for i, dept in enumerate(d.departments) if dept not in staffed
    ]


def _school_problems(d: Draft) -> list[str]:
    problems: list[str] = []
    school_ids, team_ids = set(), set()
    for i, (s, teams) in enumerate(d.schools):
        at = f"schools[{i}]"
        if s is not None:
            if s.school_id in school_ids:
                problems.append(f"{at}.school_id: {s.school_id!r} is used twice")
            school_ids.add(s.school_id)
            problems += _role_at(d, s.principal, Role.PRINCIPAL, s.school_id, f"{at}.principal")
            for j, leader in enumerate(s.teacher_leaders):
                problems += _role_at(d, leader, Role.TEACHER_LEADER, s.school_id, f"{at}.teacher_leaders[{j}]")
        for j, t in enumerate(teams):
            if t is None:
                continue
            where = f"{at}.teams[{j}]"
            if t.team_id in team_ids:
                problems.append(f"{where}.team_id: {t.team_id!r} is used twice in the district")
            team_ids.add(t.team_id)
            if t.kind == "principals":
                problems += _role_at(d, t.facilitator, Role.PRINCIPAL, None, f"{where}.facilitator")
            elif s is not None and t.facilitator not in s.teacher_leaders and t.facilitator != s.principal:
                problems.append(f"{where}.facilitator: {t.facilitator!r} is not a teacher leader or the principal of {s.school_id}")
            problems += [f"{where}.members[{k}]: {m!r} is not in people" for k, m in enumerate(t.members) if d.knows_person(m) is False]
    return problems
