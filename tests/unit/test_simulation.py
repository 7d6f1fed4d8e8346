"""The what-if simulation (issue 12): deterministic per seed, the real rules, plans and behaviour as files say."""

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.files import load_district_file
from domain.errors import InvalidConfiguration
from domain.ladder import EscalationRaisedFacts, Rung
from domain.steps import Step
from domain.team.events import CycleClosed, StepCompleted, StepOpened
from simulation.behaviour import Behaviour, SchoolDays, calibrated
from simulation.metrics import RUNGS
from simulation.plan import Plan, apply_plan, parse_plan, school_year
from simulation.run import simulate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
START = load_district_file(EXAMPLES / "districts" / "silver-valley.yaml")
YEAR = school_year(START, None)
SHORT = parse_plan({"name": "short", "teams": {"due_school_days": {"implement": 7}}}, "policy")


def _run(seed: int = 3, plan: Plan = Plan(), behaviour: Behaviour = Behaviour()):
    return simulate(START, YEAR, plan, behaviour, seed)


def _dump(run) -> dict:
    return {k: [e.model_dump(mode="json") for e in events] for k, events in run.streams().items()}


def test_the_same_seed_gives_the_same_year_and_another_seed_another():
    assert _dump(_run(3)) == _dump(_run(3))
    assert _dump(_run(3)) != _dump(_run(4))


def test_every_team_of_the_district_is_launched_and_cycles_through_the_year():
    run = _run()
    teams = {t.team_id for s in START.district.schools for t in s.teams}
    assert set(run.engine.teams) == teams
    assert all(run.metrics.cycles_closed[t] >= 1 for t in teams)
    assert run.metrics.cycles_closed == {t: sum(isinstance(e, CycleClosed) for e in s.events) for t, s in run.engine.teams.items()}


def test_nothing_escalates_on_a_closed_day_and_every_rung_is_counted_in_its_week():
    run = _run()
    cal = START.calendar
    raised = [e for events in run.streams().values() for e in events if isinstance(e, EscalationRaisedFacts)]
    assert raised and all(cal.is_school_day(e.on) for e in raised)
    assert sum(sum(run.metrics.raised[r]) for r in RUNGS) == len(raised)


def test_a_step_takes_the_school_days_the_behaviour_model_says():
    """Every step takes exactly 2 school days: each completion lands 2 school days after its step opened."""
    fixed = Behaviour(steps={s.value: {"low": 2, "mode": 2, "high": 2} for s in Step}, recommendation_share=0)
    run = _run(behaviour=fixed)
    cal = START.calendar
    for t in run.engine.teams.values():
        opened = {}
        for e in t.events:
            if isinstance(e, StepOpened):
                opened[e.step] = cal.local_date(e.at)
            elif isinstance(e, StepCompleted):
                assert cal.school_days_between(opened[e.step], cal.local_date(e.at)) == 2


def test_seven_days_to_implement_sends_more_escalations_up_the_ladder():
    """The issue's question: would 7 school days for implement instead of 20 bury principals?"""
    base, short = _run(5), _run(5, plan=SHORT)
    assert sum(short.metrics.raised[Rung.PRINCIPAL.value]) > sum(base.metrics.raised[Rung.PRINCIPAL.value])
    assert short.metrics.teams_reaching_coalition > base.metrics.teams_reaching_coalition


def test_a_policy_file_changes_only_what_it_names():
    changed = apply_plan(START, SHORT)
    assert changed.team_policy.due_days(Step.IMPLEMENT) == 7
    assert changed.team_policy.due_days(Step.ANALYZE) == START.team_policy.due_days(Step.ANALYZE)
    assert changed.school_policy == START.school_policy and changed.district == START.district


def test_a_malformed_policy_file_lists_its_problems_with_their_paths():
    with pytest.raises(InvalidConfiguration) as err:
        apply_plan(START, parse_plan({"teams": {"due_school_days": {"implement": -1}}}, "policy file p.yaml"), "policy file p.yaml")
    assert "policy file p.yaml, teams" in str(err.value) and "implement" in str(err.value)
    with pytest.raises(InvalidConfiguration, match="waves_on"):
        parse_plan({"waves_on": 3}, "policy file p.yaml")


def test_a_behaviour_file_names_only_what_it_changes():
    b = Behaviour.model_validate({"steps": {"implement": {"low": 1, "mode": 2, "high": 3}}})
    assert b.steps[Step.IMPLEMENT] == SchoolDays(low=1, mode=2, high=3)
    assert b.steps[Step.ANALYZE] == Behaviour().steps[Step.ANALYZE]
    with pytest.raises(ValueError, match="low <= mode <= high"):
        SchoolDays(low=5, mode=2, high=3)


def test_calibration_draws_a_step_from_what_teams_took_once_seen_often_enough():
    model, used = calibrated(Behaviour(), {"implement": [9, 11, 30], "analyze": [2, 3]})
    assert used == [Step.IMPLEMENT]
    assert model.steps[Step.IMPLEMENT].observed == (9, 11, 30)
    assert model.steps[Step.ANALYZE] == Behaviour().steps[Step.ANALYZE]


def test_an_unknown_school_year_is_refused_with_the_ones_there_are():
    with pytest.raises(InvalidConfiguration, match="has no school year '1999-00'; it has 2026-27, 2027-28"):
        school_year(START, "1999-00")


def test_a_district_too_large_to_seat_every_principal_seats_one_per_level_and_area():
    """The simulated admin's coalition must pass the gate and fit the coalition's limit (1,000-team benchmark)."""
    from domain.limits import MAX_COALITION
    from domain.rollout.gates import coalition_gaps
    from simulation.gates import coalition_for
    from tests.support.districts import staffed_district

    small, large = staffed_district([[(True, 3)]] * 3), staffed_district([[(True, 3)]] * 45)
    assert set(coalition_for(small)) >= {s.principal for s in small.schools}
    seated = coalition_for(large)
    assert len(seated) <= MAX_COALITION and coalition_gaps(large, seated) == []
    assert len({s.principal for s in large.schools} & set(seated)) == len({(s.level, s.area) for s in large.schools})


def test_the_simulation_is_pure_it_imports_no_engine_store_or_entry_point():
    """Issue 12: pure like domain/ (time and randomness as arguments); the process pool lives in app/."""
    import subprocess
    import sys

    code = ("import sys, simulation.run, simulation.report, simulation.outcome, simulation.gates; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'temporalio', 'asyncpg', 'activities', 'workflows', 'app', 'api', 'cli', 'bench'}))")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(root), "PATH": ""}).stdout.strip()
    assert out == "[]"


def test_two_school_years_in_a_row_confirm_the_teams_and_review_the_schools_each_year():
    """Issue 12: "one school year (or several)": the second year's roster is confirmed by each principal (issue 9)."""
    from simulation.plan import school_years

    years = school_years(START, "2026-27", count=2)
    run = simulate(START, years, Plan(), Behaviour(), 2)
    for school in run.engine.schools.values():
        confirmed = [e for e in school.events if e.type == "TeamsConfirmed"]
        assert [e.school_year for e in confirmed] == ["2027-28"]
        assert not any(e.type == "SchoolEscalationRaised" and e.subject.startswith("teams:") and e.level is Rung.COALITION
                       for e in school.events)
    reviewed = {e.school_year for e in run.engine.district.events if e.type == "SchoolReviewed"}
    assert reviewed == {"2026-27", "2027-28"}
    assert run.metrics.weeks[0] <= years[0].start and run.metrics.weeks[-1] >= years[1].end - timedelta(days=6)
    with pytest.raises(InvalidConfiguration, match="holds 2 school year"):
        school_years(START, "2026-27", count=3)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), implement=st.integers(0, 30), snooze=st.floats(0, 0.5))
def test_whatever_the_plan_and_the_people_no_rung_fires_before_the_ladder_allows(seed, implement, snooze):
    """Across a simulated year, whatever the plan and the people: a team's rung fires on a school day, no sooner
    than its offset past the step's due date, and never twice at the same rung for one escalation."""
    plan = Plan(teams={"due_school_days": {"implement": implement}})
    people = Behaviour(responses={"principal": {"acknowledge": 0.2, "snooze": snooze}})
    run = simulate(START, YEAR, plan, people, seed)
    cal, policy = START.calendar, apply_plan(START, plan).team_policy
    for team in run.engine.teams.values():
        due, seen = None, set()
        for e in team.events:
            if isinstance(e, StepOpened):
                due = e.due_on
            elif isinstance(e, EscalationRaisedFacts):
                assert cal.is_school_day(e.on) and e.on >= cal.add_school_days(due, policy.offset(e.level))
                assert (e.escalation_id, e.level) not in seen
                seen.add((e.escalation_id, e.level))
