"""``plcflow district notices prefer``: how a person's notices reach them (issue 10, "Preferences per person").

Thin: the command is built here (pydantic refuses a malformed choice with exit
2), sent to the district's rollout as the Update ``set_notice_preference``, and
a refusal exits 1 with the domain's sentence (``domain.rollout.notices``).
"""

from collections.abc import Callable
from typing import Annotated

import typer

from domain.rollout.commands import SetNoticePreference


def register_preferences(district_app: typer.Typer, run: Callable, client: Callable, done: Callable) -> None:
    notices_app = typer.Typer(help="How each person's notices reach them.", no_args_is_help=True)
    district_app.add_typer(notices_app, name="notices")

    @notices_app.command("prefer")
    def prefer(
        district: str,
        person: Annotated[str, typer.Option("--person", help="Whose notices (a staff user id).")],
        delivery: Annotated[str, typer.Option(help="immediate, or digest (folded into the next digest).")],
        as_: Annotated[str, typer.Option("--as", help="Your user id: the person themself or a district admin.")],
        digest: Annotated[str, typer.Option(help="How often the digest comes: daily or weekly.")] = "weekly",
    ):
        """Notices as they happen, or folded into a daily or weekly digest (the top rung always comes at once)."""

        async def go():
            command = SetNoticePreference(actor=as_, person_id=person, delivery=delivery, digest=digest)
            done(await (await client()).send(district, command))

        run(go())
