"""Roster sync from a OneRoster bulk export: staff only, matched, diffed, malformed files located (issue 9)."""

from datetime import date
from pathlib import Path

import pytest

from app.files import load_district_file
from app.oneroster import RosterFileError, read_roster
from bench.oneroster import Org, User, write_export
from domain.district import Role
from domain.roster import diff

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"
STUDENT = ("Zelda", "Quintrell")  # a student's name in the fixture: it must never get past the reader
ORGS = [Org("org-sv", "Silver Valley USD", "district"), Org("org-svm", "Silver Valley Middle", parent="org-sv"),
        Org("org-sve", "Silver Valley Elementary", parent="org-sv"), Org("org-svh", "Silver Valley High", parent="org-sv"),
        Org("org-other", "A school we do not run", parent="org-sv")]


def district():
    """Silver Valley with its schools' OneRoster org ids, and a first sourced id on one person."""
    d = load_district_file(EXAMPLES / "silver-valley.yaml").district
    ids = {"silver-valley-ms": "org-svm", "silver-valley-es": "org-sve", "silver-valley-hs": "org-svh"}
    schools = tuple(s.model_copy(update={"sourced_id": ids[s.school_id]}) for s in d.schools)
    people = tuple(p.model_copy(update={"sourced_id": "u-100"}) if p.id == "svm.teacher1" else p for p in d.people)
    return d.model_copy(update={"schools": schools, "people": people})


def everyone_as_today(d) -> list[User]:
    """The export a system would write for the district as it is: matched by username, roles as they are."""
    org = {s.school_id: s.sourced_id for s in d.schools}
    users = []
    for i, p in enumerate(d.people):
        if Role.DISTRICT_ADMIN in p.roles:
            users.append(User(f"u-{i}", "districtAdministrator", ("org-sv",), p.id))
        elif Role.PRINCIPAL in p.roles:
            users.append(User(f"u-{i}", "principal", (org[p.school],), p.id))
        elif Role.DEPARTMENT_STAFF in p.roles:  # central-office staff: a role plcflow does not import
            users.append(User(f"u-{i}", "administrator", ("org-sv",), p.id))
        elif Role.TEACHER in p.roles:
            users.append(User("u-100" if p.id == "svm.teacher1" else f"u-{i}", "teacher", (org[p.school],), p.id))
    return users


def with_families(users: list[User]) -> list[User]:
    return [*users, User("stu-88421", "student", ("org-svm",), "zquintrell", "", *STUDENT),
            User("grd-55317", "guardian", ("org-svm",), "", "family@home.example", "Pat", "Quintrell")]


@pytest.mark.parametrize("version", ["1.2", "1.1"])
def test_an_export_of_the_district_as_it_is_changes_nothing_but_links_ids(tmp_path, version):
    d = district()
    path = write_export(tmp_path / "x", ORGS, with_families(everyone_as_today(d)), version=version)
    roster = read_roster(path, d)
    result = diff(d, roster.staff)
    assert (result.added, result.leaving, result.role_changes, result.moves) == ((), (), (), ())
    assert (roster.not_staff_rows, roster.unmapped_staff) == (2, 1)
    # matched by username the first time; the import remembers their sourced ids (svm.teacher1 had one already)
    assert ("svm.teacher1", "u-100") not in result.linked and len(result.linked) == len(roster.staff) - 1


def test_students_and_families_never_get_past_the_reader(tmp_path):
    d = district()
    roster = read_roster(write_export(tmp_path / "x", ORGS, with_families(everyone_as_today(d))), d)
    kept = repr(roster) + repr(diff(d, roster.staff))
    for word in (*STUDENT, "zquintrell", "stu-88421", "grd-55317", "family@home.example"):
        assert word not in kept


def test_someone_the_export_omits_has_left_and_someone_new_joins_with_an_id_from_their_username(tmp_path):
    d = district()
    users = [u for u in everyone_as_today(d) if u.username != "svh.teacher4"]
    users.append(User("u-new", "teacher", ("org-sve",), "New.Teacher", "new.teacher@sv.example"))
    result = diff(d, read_roster(write_export(tmp_path / "x", ORGS, users), d).staff)
    assert result.leaving == ("svh.teacher4",)
    assert [(p.id, p.roles, p.school, p.sourced_id, p.email) for p in result.added] == [
        ("new.teacher", (Role.TEACHER,), "silver-valley-es", "u-new", "new.teacher@sv.example")]


def test_a_teacher_who_becomes_principal_elsewhere_moves_and_keeps_plcflows_own_designations(tmp_path):
    d = district()
    users = [User(u.sourced_id, "principal", ("org-svh",), u.username) if u.username == "svm.math-lead" else u
             for u in everyone_as_today(d)]
    result = diff(d, read_roster(write_export(tmp_path / "x", ORGS, users), d).staff)
    (change,) = result.role_changes
    assert change.person_id == "svm.math-lead"
    assert change.after == (Role.PRINCIPAL, Role.TEACHER_LEADER)  # the import never takes a teacher-leader designation
    assert [(m.person_id, m.from_school, m.to_school) for m in result.moves] == [
        ("svm.math-lead", "silver-valley-ms", "silver-valley-hs")]


def test_a_person_is_matched_by_sourced_id_before_email_before_username(tmp_path):
    d = district()
    users = [User("u-100", "teacher", ("org-svm",), "someone-else", "x@sv.example")]  # svm.teacher1's sourced id
    result = diff(d, read_roster(write_export(tmp_path / "x", ORGS, users), d).staff)
    assert "svm.teacher1" not in result.leaving and not result.added


def test_a_zip_reads_like_a_folder(tmp_path):
    d = district()
    path = write_export(tmp_path / "x", ORGS, everyone_as_today(d), zip_as=tmp_path / "export.zip")
    assert read_roster(path, d) == read_roster(tmp_path / "x", d)


@pytest.mark.parametrize(("file", "breaks", "says"), [
    ("users.csv", lambda t: t.replace("sourcedId,", "id,", 1), "users.csv, line 1: no column sourcedId in the header"),
    ("roles.csv", lambda t: t.replace(",teacher,", ",teachr,", 1), "roles.csv, line 2, column 6 (role): 'teachr' is not a OneRoster role"),
    ("roles.csv", lambda t: t.replace("org-svm", "org-nowhere", 1), "column 9 (orgSourcedId): org 'org-nowhere' is not in orgs.csv"),
    ("users.csv", lambda t: t + "only,three,columns\n", "users.csv, line 29: 3 columns where the header has 23"),
    ("manifest.csv", lambda t: t.replace("file.users,bulk", "file.users,delta"),
     "manifest.csv, line 5, column 2 (value): file.users is a delta export; plcflow imports bulk exports only"),
])
def test_a_malformed_file_is_reported_with_its_file_line_and_column(tmp_path, file, breaks, says):
    d = district()
    users = sorted(everyone_as_today(d), key=lambda u: u.role != "teacher")  # a teacher's role on line 2
    folder = write_export(tmp_path / "x", ORGS, users)
    (folder / file).write_text(breaks((folder / file).read_text()))
    with pytest.raises(RosterFileError) as err:
        read_roster(folder, d)
    assert says in str(err.value)


def test_a_folder_without_the_four_files_says_which_are_missing(tmp_path):
    (tmp_path / "users.csv").write_text("sourcedId\n")
    with pytest.raises(RosterFileError, match="has no manifest.csv, orgs.csv, roles.csv"):
        read_roster(tmp_path, district())


def test_a_teacher_who_becomes_an_aide_holds_no_role_plcflow_knows_and_leaves(tmp_path):
    d = district()
    users = [User(u.sourced_id, "aide", u.orgs, u.username) if u.username == "sve.teacher2" else u
             for u in everyone_as_today(d)]
    roster = read_roster(write_export(tmp_path / "x", ORGS, users), d)
    assert diff(d, roster.staff).leaving == ("sve.teacher2",)


# --- applied: the import as rollout commands, judged by the rollout's own rules ---


def _rollout_with(d):
    """A rollout of ``d`` with its coalition seated, as the district's workflow holds it."""
    from domain.rollout import commands as rc
    from tests.unit.test_rollout_rules import SV_COALITION, Rollout

    r = Rollout()
    r.state = r.state.model_copy(update={"district": d})
    r.run(rc.SeatCoalition(actor="sv.admin", members=SV_COALITION), date(2026, 9, 14))
    return r


def test_an_applied_import_brings_the_district_to_the_export_and_the_same_files_then_change_nothing(tmp_path):
    from domain.roster import sync_commands

    d = district()
    users = [u for u in everyone_as_today(d) if u.username not in ("svh.teacher4", "sv.union")]
    users += [User(f"u-new-{i}", "teacher", ("org-sve",), f"new{i}", f"new{i}@sv.example") for i in range(1200)]
    path = write_export(tmp_path / "x", ORGS, with_families(users))
    r = _rollout_with(d)
    changes = diff(d, read_roster(path, d).staff)
    commands = sync_commands(changes, "sv.admin", "the OneRoster export x")
    assert len(commands) == 3  # 1,200 added + 24 linked + 2 leaving, 500 at a time
    events = [e for c in commands for e in r.run(c, date(2026, 9, 15))]
    types = [e.type for e in events]
    assert types.count("PersonAdded") == 1200 and types.count("PersonLeft") == 2
    assert "CoalitionMemberUnseated" in types  # sv.union sat on the coalition
    assert r.state.district.person("new7").email == "new7@sv.example"
    assert diff(r.state.district, read_roster(path, r.state.district).staff).empty  # again: nothing to change


def test_an_import_that_cannot_be_applied_is_refused_as_a_whole_with_every_reason(tmp_path):
    from domain.errors import InvalidTransition
    from domain.roster import sync_commands

    d = district()
    org = {s.school_id: s.sourced_id for s in d.schools}
    users = [u for u in everyone_as_today(d) if u.username != "svh.principal"]  # a principal leaves
    users = [User(u.sourced_id, "teacher", (org["silver-valley-hs"],), u.username) if u.username == "svm.math-lead" else u
             for u in users]  # a teacher leader (and facilitator) moves away from the school she leads in
    r = _rollout_with(d)
    before = r.state
    [command] = sync_commands(diff(d, read_roster(write_export(tmp_path / "x", ORGS, users), d).staff), "sv.admin", "x")
    with pytest.raises(InvalidTransition) as err:
        r.run(command, date(2026, 9, 15))
    assert "svh.principal leaves but is the principal of Silver Valley High School: name a new principal there first" in str(err.value)
    assert "svm.math-lead" in str(err.value)  # and, in the same sentence, the teacher leader who moved away
    assert r.state == before


def test_a_running_district_links_a_school_to_its_org_and_the_next_import_finds_its_staff(tmp_path):
    from domain.errors import InvalidTransition, NotAllowed
    from domain.rollout import commands as rc

    d = district()
    unlinked = d.model_copy(update={"schools": tuple(s.model_copy(update={"sourced_id": None}) for s in d.schools)})
    r = _rollout_with(unlinked)
    path = write_export(tmp_path / "x", ORGS, everyone_as_today(d))
    roster = read_roster(path, r.state.district)
    assert "org-svh" in roster.unknown_orgs and all(s.school_id is None for s in roster.staff)
    with pytest.raises(NotAllowed, match="Only a district admin"):
        r.run(rc.LinkSchool(actor="svh.principal", school_id="silver-valley-hs", sourced_id="org-svh"), date(2026, 9, 15))
    for school_id, org in (("silver-valley-ms", "org-svm"), ("silver-valley-es", "org-sve"), ("silver-valley-hs", "org-svh")):
        r.run(rc.LinkSchool(actor="sv.admin", school_id=school_id, sourced_id=org), date(2026, 9, 15))
    with pytest.raises(InvalidTransition, match="Silver Valley Middle School is already linked to org org-svm."):
        r.run(rc.LinkSchool(actor="sv.admin", school_id="silver-valley-hs", sourced_id="org-svm"), date(2026, 9, 15))
    changes = diff(r.state.district, read_roster(path, r.state.district).staff)
    assert not (changes.added or changes.leaving or changes.moves)


def test_the_example_export_is_silver_valleys_next_year_one_teacher_gone_one_new():
    d = load_district_file(EXAMPLES / "silver-valley.yaml").district
    roster = read_roster(EXAMPLES.parent / "oneroster" / "silver-valley-2027", d)
    changes = diff(d, roster.staff)
    assert changes.leaving == ("svh.teacher4",) and [(p.id, p.school) for p in changes.added] == [("n.rivera", "silver-valley-hs")]
    assert not changes.role_changes and not changes.moves and len(changes.linked) == len(d.people) - 1
