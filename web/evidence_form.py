"""The evidence form of a step: form fields in, an ``AdvanceStep`` out, or each error next to its field.

The form asks for what ``domain.evidence.StepEvidence`` holds (issue 11: aggregate
results counted at the district's level names, a link, a note); the model and
the domain decide what is valid, this only says where each complaint belongs.
"""

from pydantic import ValidationError

from domain.team.commands import AdvanceStep

TEXTS = ("focus", "question", "measure")
RESULT, LINK, NOTE = "result", "link", "note"
GENERAL = "form"


def _filled(form, name: str) -> str:
    return (form.get(name) or "").strip()


def evidence_from(form, levels: tuple[str, ...]) -> dict:
    """The evidence the form holds, as StepEvidence's input: a part left blank is left out."""
    evidence: dict = {name: _filled(form, name) for name in TEXTS if _filled(form, name)}
    counts = {level: _filled(form, f"count_{i}") for i, level in enumerate(levels)}
    metric, n = _filled(form, "result_metric"), _filled(form, "result_n")
    if metric or n or any(counts.values()):
        evidence["results"] = [{"metric": metric, "n": n or "0",
                                "counts": {level: c for level, c in counts.items() if c}}]
    title, url = _filled(form, "link_title"), _filled(form, "link_url")
    if title or url:
        evidence["links"] = [{"title": title, "url": url}]
    if note := _filled(form, NOTE):
        evidence["notes"] = [{"text": note}]
    return evidence


def field_of(loc: tuple) -> str:
    """Which part of the form a validation error's location points at."""
    parts = [p for p in loc if isinstance(p, str)]
    if len(parts) < 2 or parts[0] != "evidence":
        return GENERAL
    part = parts[1]
    if part in TEXTS:
        return part
    if part == "results":
        return "result_n" if "counts" in parts or "n" in parts or len(parts) == 2 else "result_metric"
    if part == "links":
        return "link_url" if "url" in parts else "link_title"
    return NOTE if part == "notes" else GENERAL


def advance_command(actor: str, form, levels: tuple[str, ...]) -> tuple[AdvanceStep | None, dict[str, list[str]]]:
    try:
        data = {"actor": actor, "step": form.get("step"), "evidence": evidence_from(form, levels)}
        return AdvanceStep.model_validate(data), {}
    except ValidationError as err:
        errors: dict[str, list[str]] = {}
        for e in err.errors():
            errors.setdefault(field_of(e["loc"]), []).append(e["msg"].removeprefix("Value error, "))
        return None, errors
