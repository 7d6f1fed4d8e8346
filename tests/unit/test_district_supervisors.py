"""Supervisors in the district file (issue 11, "Supervisor: the existing dashboard, reached from the same sign-in,
read-only, scoped to their schools"): the role, its schools checked like every other reference, with their path."""

import yaml

from app.files import load_district_file
from domain.district import Person, Role, check_references
from domain.errors import InvalidTransition
from domain.rollout import commands as c
from domain.rollout import events as ev
from domain.roster import StaffRecord
from domain.roster import diff as roster_diff
from tests.unit.test_district_file import EXAMPLES, problems_of
from tests.unit.test_district_people_rules import AT, when
from tests.unit.test_rollout_rules import Rollout

SUPERVISOR = {"id": "sv.supervisor", "roles": ["supervisor"], "supervises": ["silver-valley-ms", "silver-valley-hs"]}


def with_supervisor(tmp_path, **changes) -> dict:
    data = yaml.safe_load((EXAMPLES / "silver-valley.yaml").read_text())
    data["calendar"], data["rubric"] = str(EXAMPLES.parent / "calendar.yaml"), str(EXAMPLES / "rubric.yaml")
    data["district"]["people"].append({**SUPERVISOR, **changes})
    path = tmp_path / "district.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_supervisor_of_two_schools_loads(tmp_path):
    person = load_district_file(with_supervisor(tmp_path)).district.person("sv.supervisor")
    assert person.roles == (Role.SUPERVISOR,) and person.supervises == ("silver-valley-ms", "silver-valley-hs")


def test_a_supervisor_without_schools_supervises_the_whole_district_and_needs_no_school(tmp_path):
    person = load_district_file(with_supervisor(tmp_path, supervises=[])).district.person("sv.supervisor")
    assert person.supervises == () and person.school is None


def test_an_unknown_school_to_supervise_is_reported_with_its_path(tmp_path):
    def mutate(d):
        d["district"]["people"].append({**SUPERVISOR, "supervises": ["silver-valley-ms", "atlantis-ms", "silver-valley-ms"]})
    assert problems_of(tmp_path, mutate) == [
        "district.people[27].supervises[1]: 'atlantis-ms' is not one of the district's schools",
        "district.people[27].supervises[2]: 'silver-valley-ms' is listed twice",
    ]


def test_only_a_supervisor_names_schools_to_supervise(tmp_path):
    probs = problems_of(tmp_path, lambda d: d["district"]["people"][0].update(supervises=["silver-valley-es"]))
    assert probs == ["district.people[0].supervises: sv.admin names schools to supervise but does not have the role supervisor"]


def test_a_school_that_did_not_parse_is_not_called_unknown(tmp_path):
    def mutate(d):
        d["district"]["schools"][2]["level"] = "college"
        d["district"]["people"].append(SUPERVISOR)
    probs = problems_of(tmp_path, mutate)
    assert not [p for p in probs if "supervises" in p]


def test_a_person_recorded_before_supervisors_existed_reads_as_before():
    """A history's person has no ``supervises``: it reads as none, and dumps again as it was plus the default."""
    person = Person.model_validate({"id": "svm.teacher1", "roles": ["teacher"], "school": "silver-valley-ms"})
    assert person.supervises == () and Person.model_validate(person.model_dump(mode="json")) == person


def test_an_admin_makes_someone_a_supervisor_of_a_school():
    r = Rollout()
    was = r.state.district.person("sv.teaching")
    now = was.model_copy(update={"roles": (Role.DEPARTMENT_STAFF, Role.SUPERVISOR), "supervises": ("silver-valley-es",)})
    when(r, c.ChangeRoles(actor="sv.admin", person_id="sv.teaching", roles=now.roles, department=was.department,
                          supervises=("silver-valley-es",))).then(ev.RolesChanged(at=AT, by="sv.admin", person=now, was=was))


def test_a_supervisor_of_a_school_the_district_does_not_have_is_refused():
    newcomer = Person(id="sv.super", roles=(Role.SUPERVISOR,), supervises=("atlantis-ms",))
    when(Rollout(), c.AddPerson(actor="sv.admin", person=newcomer)).refused(
        InvalidTransition,
        "The staff list would not hold together: people[27].supervises[0]: 'atlantis-ms' is not one of the district's schools.")


def test_the_check_runs_on_a_parsed_district_too():
    district = Rollout().state.district
    wrong = Person(id="sv.super", roles=(Role.TEACHER,), school="silver-valley-ms", supervises=("silver-valley-ms",))
    assert check_references(district.model_copy(update={"people": (*district.people, wrong)})) == [
        "people[27].supervises: sv.super names schools to supervise but does not have the role supervisor"]


def test_a_roster_import_keeps_a_supervisor_and_their_schools():
    """Supervisor is plcflow's own role (domain.roster.IMPORTED_ROLES): an export that also makes them a teacher
    adds that role beside it, and one that gives them no role plcflow maps (an "administrator") keeps them."""
    district = Rollout().state.district
    supervisor = Person(id="sv.super", roles=(Role.SUPERVISOR,), supervises=("silver-valley-hs",), email="s@sv.example.org")
    district = district.model_copy(update={"people": (*district.people, supervisor)})
    for exported, roles in ((frozenset({Role.TEACHER}), (Role.TEACHER, Role.SUPERVISOR)), (frozenset(), (Role.SUPERVISOR,))):
        record = StaffRecord(sourced_id="u-77", email="s@sv.example.org", username=None, roles=exported,
                             school_id="silver-valley-hs" if exported else None)
        changes = roster_diff(district, [record])
        (kept,) = [p for p in changes.updated if p.id == "sv.super"]
        assert kept.roles == roles and kept.supervises == ("silver-valley-hs",)
        assert "sv.super" not in changes.leaving
