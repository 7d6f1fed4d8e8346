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


def build_evidence(
    *, focus=None, question=None, measure=None, results=(), links=(), notes=(), file: Path | None = None
) -> StepEvidence:
    data = dict(read_yaml(file, f"evidence file {file}") or {}) if file else {}
    for key, value in (("focus", focus), ("question", question), ("measure", measure)):
        if value is not None:
            data[key] = value
    data["results"] = list(data.get("results", [])) + [parse_result(r) for r in results]
    data["links"] = list(data.get("links", [])) + [parse_link(link) for link in links]
    data["notes"] = list(data.get("notes", [])) + [{"text": n} for n in notes]
    return StepEvidence.model_validate(data)
