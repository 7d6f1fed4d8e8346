"""make run's demo (issue 10, "On one laptop"): whoever the demo team's ladder reaches has an address in its district."""

from app.demo import DEMO_DISTRICT, DEMO_TEAM
from app.files import load_district_file, load_team_file
from domain.escalation import reached_through
from domain.ladder import Rung


def test_everyone_the_demo_teams_ladder_reaches_has_an_email_in_the_demo_district():
    team, district = load_team_file(DEMO_TEAM).team, load_district_file(DEMO_DISTRICT).district
    assert (team.district_id, team.school_id) == (district.district_id, district.schools[0].school_id)
    assert district.school(team.school_id).principal == team.principal
    everyone = reached_through(Rung.COALITION, team)
    assert set(everyone) == {*team.members, team.facilitator, team.principal, *team.coalition}
    assert all(district.person(p) is not None and district.person(p).email for p in everyone), everyone


def test_the_demo_district_runs_on_the_demo_teams_compressed_calendar():
    """Every day a school day for both, so nothing the demo raises waits for a weekend."""
    team_calendar, district_calendar = load_team_file(DEMO_TEAM).calendar, load_district_file(DEMO_DISTRICT).calendar
    assert district_calendar == team_calendar and not team_calendar.weekend
