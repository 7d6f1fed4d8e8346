"""``bench.census`` says what one cached workflow holds alone (issue 13, memory per cached team)."""

from bench.census import main


async def test_the_census_counts_each_kinds_own_objects_and_a_team_holds_no_calendar_or_policy_of_its_own(capsys):
    found = await main(4)
    assert set(found) == {"RawNoop", "TeamCycle"}
    (raw_owner, raw_type), (ours_owner, ours_type) = found["RawNoop"], found["TeamCycle"]
    assert ours_owner["its folded state"] > 0 and "its folded state" not in raw_owner
    assert ours_owner["its background tasks (ours: persist, clock, report loops)"] > 0
    # What differs per team is its own; the district's calendar and policy are shared (domain/shared.py).
    assert ours_type["TeamProfile"] > 0 and ours_type["TeamState"] > 0
    assert "SchoolCalendar" not in ours_type and "EscalationPolicy" not in ours_type
    assert "objects of its own" in capsys.readouterr().out
