"""``plcflow simulate`` (issue 12): a summary table, --json for scripts, --compare, a report; bad files exit 2."""

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DISTRICT = str(EXAMPLES / "districts" / "silver-valley.yaml")
SHORT = str(EXAMPLES / "policies" / "short-implement.yaml")


def simulate(*args: str):
    result = runner.invoke(app, ["simulate", DISTRICT, "--runs", "2", *args], env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    return result


def test_json_gives_bands_per_week_and_the_headline_numbers():
    result = simulate("--json", "--seed", "7", "--year", "2026-27")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["runs"] == 2 and data["seed"] == 7 and data["year"] == "2026-27"
    [plan] = data["plans"]
    assert set(plan["summary"]["raised_principal"]) == {"p10", "median", "p90"}
    assert len(plan["raised_per_week"]["principal"]["median"]) == len(plan["weeks"])
    assert set(plan["principal_load"]) == {"svm.principal", "sve.principal", "svh.principal"}
    assert "behaviour" in data and "differences" not in data


def test_compare_prints_both_plans_side_by_side_and_writes_a_self_contained_report(tmp_path):
    report = tmp_path / "r.html"
    result = simulate("--compare", SHORT, "--report", str(report))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "as the district file says" in text and "implement in 7 school days" in text and "difference" in text
    html = report.read_text()
    assert html.count("<svg") >= 5 and "<script" not in html and "<img" not in html and "<link" not in html
    assert html.replace('xmlns="http://www.w3.org/2000/svg"', "").count("http") == 0  # nothing fetched from anywhere
    assert "week of the school year" in html and "10th-90th percentile" in html and "implement in 7 school days:" in html
    assert "Who carries the load" in html and "svh.principal" in html


def test_a_malformed_policy_file_exits_2_with_its_problems(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("teams:\n  due_school_days:\n    implement: -3\n")
    result = simulate("--policy", str(bad))
    assert result.exit_code == 2
    assert "implement" in result.output and "is not valid" in result.output


def test_behaviour_and_calibration_together_exit_2(tmp_path):
    model = tmp_path / "m.yaml"
    model.write_text("recommendation_share: 0.5\n")
    result = simulate("--behaviour", str(model), "--calibrate", "silver-valley")
    assert result.exit_code == 2 and "give one" in result.output


def test_a_behaviour_file_of_the_wrong_shape_exits_2(tmp_path):
    model = tmp_path / "m.yaml"
    model.write_text("steps:\n  implement: {low: 9, mode: 2, high: 3}\n")
    result = simulate("--behaviour", str(model))
    assert result.exit_code == 2 and "low <= mode <= high" in " ".join(result.output.split())
