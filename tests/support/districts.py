"""Example districts with every id made unique, so tests that launch schools and teams never meet
another test's workflows or event streams in the shared test server and database."""

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
