"""Every command the README's "A new school year" section tells a district admin to run parses (issue 9).

Each ``plcflow`` line is parsed by the CLI itself (arguments and options, no
server needed); a ``district act`` or ``school act`` line is also turned into
the domain command it would send, so its action and ``--set`` fields are real
and valid.
"""

import shlex
from pathlib import Path

import pytest
import typer

from cli.district import _command
from cli.main import app
from workflows.contracts import DISTRICT_UPDATES, SCHOOL_UPDATES

README = Path(__file__).resolve().parents[2] / "README.md"


def section_commands() -> list[list[str]]:
    text = README.read_text()
    section = text.split("\n## A new school year\n", 1)[1].split("\n## ", 1)[0]
    lines = []
    for block in section.split("```sh\n")[1:]:
        body = block.split("```", 1)[0].replace("\\\n", " ")
        lines += [words for line in body.splitlines() if (words := shlex.split(line, comments=True))]
    return lines


COMMANDS = section_commands()


def test_the_section_has_each_step():
    verbs = {tuple(words[1:3]) for words in COMMANDS}
    assert {("calendar", "publish"), ("roster", "import"), ("school", "act"), ("district", "act")} <= verbs
    assert any("confirm_teams" in words for words in COMMANDS) and any("form_team" in words for words in COMMANDS)


def _parsed(words: list[str]):
    assert words[0] == "plcflow"
    command, args, path = typer.main.get_command(app), words[1:], []
    while hasattr(command, "get_command"):  # a group (typer carries its own click)
        path.append(args[0])
        command, args = command.get_command(None, args[0]), args[1:]
        assert command is not None, f"no command {' '.join(path)}"
    return command.make_context(" ".join(path), args)


@pytest.mark.parametrize("words", COMMANDS, ids=[" ".join(w[1:4]) for w in COMMANDS])
def test_each_command_parses(words):
    ctx = _parsed(words)
    if words[1:3] in (["district", "act"], ["school", "act"]):
        table = DISTRICT_UPDATES if words[1] == "district" else SCHOOL_UPDATES
        command = _command(table, ctx.params["action"], ctx.params["as_"], ctx.params["sets"])
        assert command.actor == ctx.params["as_"]
