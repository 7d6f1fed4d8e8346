"""The names running workflows are known by come from one module and agree with the workflows' own registration."""

from temporalio.workflow import _Definition

from workflows import contracts
from workflows.district_rollout import DistrictRolloutWorkflow
from workflows.school_adoption import SchoolAdoptionWorkflow
from workflows.team_cycle import TeamCycleWorkflow


def test_each_workflow_is_registered_under_its_contract_name_with_the_status_query():
    for cls, name in ((TeamCycleWorkflow, contracts.TEAM_WORKFLOW), (SchoolAdoptionWorkflow, contracts.SCHOOL_WORKFLOW),
                      (DistrictRolloutWorkflow, contracts.DISTRICT_WORKFLOW)):
        definition = _Definition.must_from_class(cls)
        assert definition.name == name
        assert contracts.STATUS_QUERY in definition.queries


def test_the_school_and_district_listen_on_the_signals_their_children_send():
    assert set(_Definition.must_from_class(SchoolAdoptionWorkflow).signals) == {
        contracts.TEAM_ESCALATION_SIGNAL, contracts.LAUNCH_SCHOOLWIDE_SIGNAL, contracts.CALENDAR_SIGNAL, contracts.ROSTER_SIGNAL}
    assert set(_Definition.must_from_class(DistrictRolloutWorkflow).signals) == {
        contracts.SCHOOL_ESCALATION_SIGNAL, contracts.ROSTER_SIGNAL}
    assert set(_Definition.must_from_class(TeamCycleWorkflow).signals) == {
        contracts.CALENDAR_SIGNAL, contracts.TEAM_RETIRE_SIGNAL, contracts.ROSTER_SIGNAL}


def test_schools_and_teams_listen_for_changes_of_people_from_above():
    # Issue 9: the district tells its schools, a school its teams, by this one signal name (and a school
    # tells its district who its principal is now).
    assert contracts.ROSTER_SIGNAL in _Definition.must_from_class(SchoolAdoptionWorkflow).signals
    assert contracts.ROSTER_SIGNAL in _Definition.must_from_class(TeamCycleWorkflow).signals


def test_no_two_commands_of_a_workflow_travel_as_the_same_update():
    for table in (contracts.TEAM_UPDATES, contracts.SCHOOL_UPDATES, contracts.DISTRICT_UPDATES):
        assert len(set(table.values())) == len(table)


def test_workflow_ids_keep_their_prefixes():
    # Running workflows and stored streams are found by these ids: they never change.
    assert (contracts.team_workflow_id("g7"), contracts.school_workflow_id("ms"), contracts.district_workflow_id("d")) == (
        "team-g7", "school-ms", "district-d")
