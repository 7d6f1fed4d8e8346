"""``plcflow team member add|remove|replace`` and ``plcflow team facilitator`` (issue 9: people change).

The team's principal changes who is on it; a launched team's facilitator is
named at its school (``plcflow school act SCHOOL change_facilitator``), which
knows its teacher leaders, so the team refuses it here with that sentence.
Thin like every verb: the command is built (pydantic refuses malformed ids with
exit 2), sent, and a refusal exits 1 with the domain's sentence.
"""

from collections.abc import Callable
from typing import Annotated

import typer

from domain.team import commands as cmd

Person = Annotated[str, typer.Argument(help="A staff user id, e.g. j.okafor")]


def register_roster(team_app: typer.Typer, run: Callable, send: Callable, actor: Callable, as_option) -> None:
    member_app = typer.Typer(help="The team's principal changes who is on it.", no_args_is_help=True)
    team_app.add_typer(member_app, name="member")

    @member_app.command("add")
    def member_add(team: str, member: Person, as_: as_option = None):
        """Add a member at the end of the roster."""
        run(send(team, lambda: cmd.AddMember(actor=actor(as_), member=member)))

    @member_app.command("remove")
    def member_remove(team: str, member: Person, as_: as_option = None):
        """Take a member off the team; an escalation that reached them no longer does."""
        run(send(team, lambda: cmd.RemoveMember(actor=actor(as_), member=member)))

    @member_app.command("replace")
    def member_replace(
        team: str,
        leaving: Annotated[str, typer.Option(help="The member who leaves.")],
        joining: Annotated[str, typer.Option(help="Who takes their place.")],
        as_: as_option = None,
    ):
        """One member out, one in, in the same place on the roster."""
        run(send(team, lambda: cmd.ReplaceMember(actor=actor(as_), leaving=leaving, joining=joining)))

    @team_app.command("facilitator")
    def team_facilitator(team: str, facilitator: Person, as_: as_option = None):
        """A standalone team's principal names its facilitator (a launched team's is named at its school)."""
        run(send(team, lambda: cmd.ChangeFacilitator(actor=actor(as_), facilitator=facilitator)))
