"""A standalone team (no school workflow above it) takes a new calendar from its district admin as an Update
(issue 9, "Calendars change"); a team its school launched receives the district's from its school instead."""

from datetime import date
from pathlib import Path

import pytest

from app.files import load_team_file
from domain.calendar import parse_calendar
from domain.calendar_change import closed_on
from domain.errors import InvalidTransition, NotAllowed
from domain.team import commands as cmd
from tests.support.builders import calendar, local, register
from tests.support.gwt import TEAM

CAL = calendar()
MON = date(2026, 9, 14)  # identify_focus opens, due Mon 9/21
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "team-g7-math.yaml"


def standalone():
    registration = register().model_copy(update={"district_admins": ("district.admin",)})
    return TEAM.given_commands((registration, local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))


def test_a_team_files_author_is_its_district_admin():
    registration = load_team_file(EXAMPLE)
    assert registration.district_admins == (registration.actor,) == ("district.admin",)


def test_registering_a_standalone_team_names_its_district_admins():
    s = standalone()
    assert [e.type for e in s.log[:2]] == ["TeamRegistered", "TeamAdminsNamed"]
    assert s.state.district_admins == ("district.admin",)


def test_its_district_admin_publishes_its_calendar_and_the_due_date_moves():
    s = standalone()
    new = closed_on(CAL, date(2026, 9, 16), "Snow", MON)
    [changed] = s.run(cmd.PublishTeamCalendar(actor="district.admin", calendar=new), local(MON, 10))
    assert changed.type == "TeamCalendarChanged" and s.state.due_on == date(2026, 9, 22) and s.state.calendar == new


def test_no_one_else_publishes_it():
    s = standalone()
    new = closed_on(CAL, date(2026, 9, 16), "Snow", MON)
    with pytest.raises(NotAllowed) as err:
        s.run(cmd.PublishTeamCalendar(actor="p.rivera", calendar=new), local(MON, 10))
    assert str(err.value) == (
        "Only a district admin of Grade 7 Math can publish its calendar; p.rivera is not one "
        "(a team launched by its school receives the district's calendar from it)."
    )


def test_a_launched_team_has_no_district_admin_of_its_own():
    s = TEAM.given_commands((register().model_copy(update={"actor": "plcflow"}), local(MON)))
    with pytest.raises(NotAllowed):
        s.run(cmd.PublishTeamCalendar(actor="district.admin", calendar=closed_on(CAL, date(2026, 9, 16), "Snow", MON)), local(MON))


def test_its_calendar_keeps_its_past_too():
    s = standalone()
    data = CAL.model_dump(mode="json")
    data["closed"].append({"name": "Fire drill day", "start": "2026-09-10", "end": None})
    with pytest.raises(InvalidTransition, match="The new calendar changes 2026-09-10, a day already elapsed"):
        s.run(cmd.PublishTeamCalendar(actor="district.admin", calendar=parse_calendar(data)), local(MON, 10))
