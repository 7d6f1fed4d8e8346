"""Malformed input on the command line: exit 2 with one sentence, never a traceback (issue 8, defect 9).

Evidence is parsed before anything is sent, and ``--step`` spares the lookup of
the open step, so these run without Temporal.
"""

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def advance(*args: str):
    return runner.invoke(app, ["team", "advance", "g7-math", "--as", "t.nelson", "--step", "identify_focus", *args])


@pytest.mark.parametrize("content,sentence", [
    ("- a list\n- of things\n", " must hold a mapping of focus, question, measure, results, links and notes, not a list."),
    ("just some words\n", " must hold a mapping of focus, question, measure, results, links and notes, not text."),
    ("42\n", " must hold a mapping of focus, question, measure, results, links and notes, not a number."),
    ("results: 5\n", ": results must be a list, not a number."),
    ("links: {title: Findings}\n", ": links must be a list, not a mapping."),
    ("notes: hello\n", ": notes must be a list, not text."),
])
def test_an_evidence_file_of_the_wrong_shape_exits_2_with_one_sentence(tmp_path, content, sentence):
    path = tmp_path / "evidence.yaml"
    path.write_text(content)
    result = advance("--evidence", str(path))
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"Refused: evidence file {path}{sentence}" in " ".join(result.output.split())


def test_an_evidence_file_with_items_of_the_wrong_shape_names_each_one(tmp_path):
    path = tmp_path / "evidence.yaml"
    path.write_text("results:\n- 3\n")
    result = advance("--evidence", str(path))
    assert result.exit_code == 2
    assert "results[0]: Input should be a valid dictionary" in result.output


@pytest.mark.parametrize("flag", ["--focus", "--note"])
def test_blank_evidence_text_exits_2(flag):
    result = advance(flag, "   ")
    assert result.exit_code == 2
    assert "must not be blank" in result.output
