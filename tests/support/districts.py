"""Example districts with every id made unique, so tests that launch schools and teams never meet
another test's workflows or event streams in the shared test server and database."""

from domain.district import District, Level, Person, Role, School, TeamSpec, check_references
from domain.rollout.commands import StartRollout


def suffixed(start: StartRollout, suffix: str, calendar=None) -> StartRollout:
    d = start.district
    school_id = {s.school_id: f"{s.school_id}-{suffix}" for s in d.schools}
    schools = tuple(
        s.model_copy(update={"school_id": school_id[s.school_id],
                             "teams": tuple(t.model_copy(update={"team_id": f"{t.team_id}-{suffix}"}) for t in s.teams)})
        for s in d.schools
    )
    people = tuple(p.model_copy(update={"school": school_id.get(p.school, p.school)}) for p in d.people)
    district = d.model_copy(update={"district_id": f"{d.district_id}-{suffix}", "schools": schools, "people": people})
    return start.model_copy(update={"district": district, **({"calendar": calendar} if calendar else {})})


def staffed_district(team_sizes: list[list[tuple[bool, int]]], *, admins: int = 1, staff: int = 0) -> District:
    """A district shaped by ``team_sizes``: per school, per team, (volunteer?, members); every reference holds.

    School ``i`` has a principal ``s{i}.principal``, a teacher leader ``s{i}.lead`` who facilitates its
    teams, and as many teachers ``s{i}.t{k}`` as its largest team needs; ``staff`` more teachers work at
    the first school (people a coalition may seat).
    """
    levels = list(Level)
    people = [Person(id=f"d.admin{a}", roles=(Role.DISTRICT_ADMIN,)) for a in range(admins)]
    schools = []
    for i, teams in enumerate(team_sizes):
        sid = f"s{i}"
        needed = max([n for _, n in teams] + [staff if i == 0 else 0])
        people += [Person(id=f"{sid}.principal", roles=(Role.PRINCIPAL,), school=sid),
                   Person(id=f"{sid}.lead", roles=(Role.TEACHER_LEADER,), school=sid)]
        people += [Person(id=f"{sid}.t{k}", roles=(Role.TEACHER,), school=sid) for k in range(needed)]
        specs = tuple(
            TeamSpec(team_id=f"{sid}-team{j}", name=f"Team {j} of school {i}", kind="grade_level", facilitator=f"{sid}.lead",
                     members=tuple(f"{sid}.t{k}" for k in range(n)), pilot=pilot)
            for j, (pilot, n) in enumerate(teams)
        )
        schools.append(School(school_id=sid, name=f"School {i}", level=levels[i % len(levels)], area="north",
                              principal=f"{sid}.principal", teacher_leaders=(f"{sid}.lead",), teams=specs))
    district = District(district_id="staffed", name="Staffed District", schools=tuple(schools), people=tuple(people))
    assert check_references(district) == [], check_references(district)
    return district
