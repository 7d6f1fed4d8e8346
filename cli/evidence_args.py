"""Parsing evidence given on the command line into the domain's evidence model.

``--result "Unit 2 quiz:24:below=8,approaching=8,meets=8"`` (metric:n:level=count,...),
``--link "Findings|https://..."``, ``--note TEXT``; or all of it from a YAML file
shaped like ``StepEvidence``.
"""

from pathlib import Path

from domain.evidence import StepEvidence
from app.files import read_yaml


class EvidenceSyntax(ValueError):
    pass


def parse_result(text: str) -> dict:
    try:
        metric, n, levels = text.rsplit(":", 2)
        counts = {}
        for pair in levels.split(","):
            level, count = pair.split("=")
            counts[level.strip()] = int(count)
        return {"metric": metric.strip(), "n": int(n), "counts": counts}
    except ValueError:
        raise EvidenceSyntax(
            f"--result {text!r} should look like 'metric:n:level=count,level=count' (e.g. 'Unit 2 quiz:24:below=8,meets=16')"
        ) from None


def parse_link(text: str) -> dict:
    title, sep, url = text.partition("|")
    if not sep:
        raise EvidenceSyntax(f"--link {text!r} should look like 'title|https://...'")
    return {"title": title.strip(), "url": url.strip()}


def _kind(value) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return "text"
    return "a number" if isinstance(value, (int, float)) else f"a {type(value).__name__}"


def read_evidence_file(file: Path) -> dict:
    """The file's mapping, or one sentence saying what shape it has instead (issue 8, defect 9:
    YAML that parses but is not evidence must be refused, never a traceback)."""
    data = read_yaml(file, f"evidence file {file}")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise EvidenceSyntax(
            f"evidence file {file} must hold a mapping of focus, question, measure, results, links and notes, not {_kind(data)}."
        )
    for key in ("results", "links", "notes"):
        if key in data and not isinstance(data[key], list):
            raise EvidenceSyntax(f"evidence file {file}: {key} must be a list, not {_kind(data[key])}.")
    return data


def build_evidence(
    *, focus=None, question=None, measure=None, results=(), links=(), notes=(), file: Path | None = None
) -> StepEvidence:
    data = dict(read_evidence_file(file)) if file else {}
    for key, value in (("focus", focus), ("question", question), ("measure", measure)):
        if value is not None:
            data[key] = value
    data["results"] = list(data.get("results", [])) + [parse_result(r) for r in results]
    data["links"] = list(data.get("links", [])) + [parse_link(link) for link in links]
    data["notes"] = list(data.get("notes", [])) + [{"text": n} for n in notes]
    return StepEvidence.model_validate(data)
