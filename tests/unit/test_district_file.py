"""District files: the three examples load, and each kind of mistake is reported with its path, all at once."""

import copy
from pathlib import Path

import pytest
import yaml

from app.files import load_district_file
from domain.errors import InvalidConfiguration

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"


@pytest.mark.parametrize("name,schools,teams", [("justice-county", 3, 7), ("silver-valley", 3, 8), ("cobb-like", 18, 36)])
def test_the_example_districts_load(name, schools, teams):
    start = load_district_file(EXAMPLES / f"{name}.yaml")
    assert len(start.district.schools) == schools
    assert sum(len(s.teams) for s in start.district.schools) == teams
    assert len(start.rubric.dimensions) == 5


def problems_of(tmp_path, mutate) -> list[str]:
    data = yaml.safe_load((EXAMPLES / "silver-valley.yaml").read_text())
    data["calendar"] = str(EXAMPLES.parent / "calendar.yaml")
    data["rubric"] = str(EXAMPLES / "rubric.yaml")
    data = copy.deepcopy(data)
    mutate(data)
    path = tmp_path / "district.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InvalidConfiguration) as err:
        load_district_file(path)
    return err.value.problems


def test_a_missing_section_is_named(tmp_path):
    assert "rubric: Field required" in problems_of(tmp_path, lambda d: d.pop("rubric"))


def test_an_unknown_level_is_reported_with_its_path(tmp_path):
    probs = problems_of(tmp_path, lambda d: d["district"]["schools"][1].update(level="college"))
    assert any(p.startswith("district.schools[1].level: Input should be 'elementary', 'middle' or 'high'") for p in probs)


def test_a_field_that_could_carry_student_data_is_refused(tmp_path):
    probs = problems_of(tmp_path, lambda d: d["district"]["schools"][0]["teams"][0].update(students=["Ana"]))
    assert "district.schools[0].teams[0].students: Extra inputs are not permitted" in probs


def test_a_facilitator_must_be_a_teacher_leader_of_that_school(tmp_path):
    probs = problems_of(tmp_path, lambda d: d["district"]["schools"][1]["teams"][0].update(facilitator="svm.teacher1"))
    assert "district.schools[1].teams[0].facilitator: 'svm.teacher1' is not a teacher leader or the principal of silver-valley-es" in probs


def test_a_principal_must_have_the_role_at_that_school(tmp_path):
    probs = problems_of(tmp_path, lambda d: d["district"]["schools"][2].update(principal="sve.principal"))
    assert "district.schools[2].principal: 'sve.principal' works at silver-valley-es, not silver-valley-hs" in probs


def test_unknown_people_and_reused_team_ids_are_reported(tmp_path):
    def mutate(d):
        d["district"]["schools"][0]["teams"][1]["members"].append("nobody")
        d["district"]["schools"][2]["teams"][1]["team_id"] = "svh-algebra"
    probs = problems_of(tmp_path, mutate)
    assert "district.schools[0].teams[1].members[4]: 'nobody' is not in people" in probs
    assert "district.schools[2].teams[1].team_id: 'svh-algebra' is used twice in the district" in probs


def test_a_union_district_needs_union_leadership(tmp_path):
    def mutate(d):
        d["district"]["people"] = [p for p in d["district"]["people"] if "union_leader" not in p["roles"]]
        for s in d["district"]["schools"]:
            for t in s["teams"]:
                t["members"] = [m for m in t["members"] if m != "sv.union"]
    assert "district.people: staff have a union, but nobody has the role union_leader" in problems_of(tmp_path, mutate)


def test_department_staff_name_a_known_department(tmp_path):
    probs = problems_of(tmp_path, lambda d: d["district"]["people"][1].update(department="transport"))
    assert any(p.startswith("district.people[1].department: sv.teaching needs one of the departments") for p in probs)


def test_the_registering_admin_must_be_a_district_admin(tmp_path):
    assert "registered_by: 'svm.principal' is not a district admin" in problems_of(tmp_path, lambda d: d.update(registered_by="svm.principal"))


def test_a_rubric_needs_distinct_levels(tmp_path):
    def mutate(d):
        d["rubric"] = yaml.safe_load((EXAMPLES / "rubric.yaml").read_text())
        d["rubric"]["levels"] = ["Low", "Low"]
    assert any("rubric: levels must be distinct" in p for p in problems_of(tmp_path, mutate))


def test_several_mistakes_are_listed_together(tmp_path):
    def mutate(d):
        d["district"]["schools"][1]["teams"][0]["facilitator"] = "svm.teacher1"
        d["district"]["schools"][2]["principal"] = "sve.principal"
        d["district"]["people"][1]["department"] = "transport"
    probs = problems_of(tmp_path, mutate)
    # sv.teaching was the department's only staff member, so moving them also empties it
    assert len(probs) == 4
    assert any(p.startswith("district.departments[0]: nobody works in the 'teaching-and-learning' department") for p in probs)


def test_shape_and_reference_mistakes_in_different_sections_come_together(tmp_path):
    def mutate(d):
        d["district"]["schools"][1]["teams"][0]["facilitator"] = "svm.teacher1"
        d["rubric"] = {"levels": ["Only one"], "dimensions": []}
    probs = problems_of(tmp_path, mutate)
    assert any(p.startswith("rubric.levels") for p in probs)
    assert any(p.startswith("district.schools[1].teams[0].facilitator") for p in probs)


def test_a_department_with_nobody_in_it_is_reported_with_its_path(tmp_path):
    # Issue 8, defect 5: it passed the file, then form_coalition could never pass.
    probs = problems_of(tmp_path, lambda d: d["district"]["departments"].append("transport"))
    assert probs == [
        "district.departments[1]: nobody works in the 'transport' department (give someone the role "
        "department_staff and department: transport, or remove it); the guiding coalition needs someone from each department"
    ]


def _drop_union_leadership(d):
    d["district"]["people"] = [p for p in d["district"]["people"] if "union_leader" not in p["roles"]]
    for s in d["district"]["schools"]:
        for t in s["teams"]:
            t["members"] = [m for m in t["members"] if m != "sv.union"]


def test_a_shape_mistake_in_the_district_section_hides_no_cross_reference_mistake(tmp_path):
    # Issue 8, defect 6: every mistake whose inputs parse is reported together.
    def mutate(d):
        d["district"]["schools"][1]["level"] = "college"
        _drop_union_leadership(d)
        d["district"]["schools"][2]["teams"][0]["facilitator"] = "svh.teacher1"
    probs = problems_of(tmp_path, mutate)
    assert len(probs) == 3
    assert probs[0].startswith("district.schools[1].level: Input should be 'elementary', 'middle' or 'high'")
    assert "district.people: staff have a union, but nobody has the role union_leader" in probs
    assert "district.schools[2].teams[0].facilitator: 'svh.teacher1' is not a teacher leader or the principal of silver-valley-hs" in probs


def test_a_person_who_does_not_parse_is_not_called_unknown_where_they_are_named(tmp_path):
    # Only the shape mistake: their teams, their school and the admin count are not judged on a guess.
    def mutate(d):
        person = next(p for p in d["district"]["people"] if p["id"] == "svm.teacher1")
        person["roles"] = ["janitor"]
    probs = problems_of(tmp_path, mutate)
    assert probs and all(p.startswith("district.people[7].roles") for p in probs)


def test_a_team_that_does_not_parse_leaves_the_other_teams_checked(tmp_path):
    def mutate(d):
        d["district"]["schools"][0]["teams"][0]["kind"] = "club"
        d["district"]["schools"][0]["teams"][1]["members"].append("nobody")
    probs = problems_of(tmp_path, mutate)
    assert probs[0].startswith("district.schools[0].teams[0].kind: Input should be")
    assert probs[1:] == ["district.schools[0].teams[1].members[4]: 'nobody' is not in people"]


def test_registered_by_is_checked_even_when_another_section_is_malformed(tmp_path):
    def mutate(d):
        d["registered_by"] = "svm.principal"
        d["rubric"] = {"levels": ["Only one"], "dimensions": []}
    probs = problems_of(tmp_path, mutate)
    assert "registered_by: 'svm.principal' is not a district admin" in probs
