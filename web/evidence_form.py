"""The evidence form of a step: form fields in, an ``AdvanceStep`` out, or each error next to its field.

The form asks for what ``domain.evidence.StepEvidence`` holds (issue 11: aggregate
results counted at the district's level names, a link, a note); the model and
the domain decide what is valid, this only says where each complaint belongs.

A step often has more than one result (seed 001: the team looks at several
measures of its students' learning), so the form shows as many result
fieldsets as the team asks for: "Add another result" sends the form back to
the page with one more (no command sent, what was typed kept), up to
``MAX_RESULTS``. The first fieldset's fields keep their plain names.
"""

from pydantic import ValidationError

from domain.team.commands import AdvanceStep

TEXTS = ("focus", "question", "measure")
LINK, NOTE = "link", "note"
GENERAL = "form"
SHOWN, MORE = "results", "more"  # how many result fieldsets the page shows; the "Add another result" button
MAX_RESULTS = 6


def result_fields(k: int, levels: tuple[str, ...]) -> dict:
    """The names of the k-th result fieldset's fields (0-based): its measure, its n, a count per level."""
    tag = "" if k == 0 else str(k + 1)
    return {"metric": f"result{tag}_metric", "n": f"result{tag}_n",
            "counts": [f"count{tag + '_' if tag else '_'}{i}" for i in range(len(levels))]}


def results_shown(form) -> int:
    """How many result fieldsets to show: what the form showed, one more if the team asked for it."""
    try:
        shown = int(form.get(SHOWN) or 1)
    except ValueError:
        shown = 1
    return max(1, min(MAX_RESULTS, shown + (1 if form.get(MORE) else 0)))


def _filled(form, name: str) -> str:
    return (form.get(name) or "").strip()


def evidence_from(form, levels: tuple[str, ...]) -> tuple[dict, list[int]]:
    """The evidence the form holds, as StepEvidence's input (a part left blank is left out), and which fieldset
    each of its results came from (so an error finds its field)."""
    evidence: dict = {name: _filled(form, name) for name in TEXTS if _filled(form, name)}
    results, sources = [], []
    for k in range(results_shown({SHOWN: form.get(SHOWN)})):
        names = result_fields(k, levels)
        counts = {level: _filled(form, name) for level, name in zip(levels, names["counts"], strict=True)}
        metric, n = _filled(form, names["metric"]), _filled(form, names["n"])
        if metric or n or any(counts.values()):
            results.append({"metric": metric, "n": n or "0", "counts": {level: c for level, c in counts.items() if c}})
            sources.append(k)
    if results:
        evidence["results"] = results
    title, url = _filled(form, "link_title"), _filled(form, "link_url")
    if title or url:
        evidence["links"] = [{"title": title, "url": url}]
    if note := _filled(form, NOTE):
        evidence["notes"] = [{"text": note}]
    return evidence, sources


def field_of(loc: tuple, sources: list[int], levels: tuple[str, ...]) -> str:
    """Which field of the form a validation error's location points at."""
    parts = [p for p in loc if isinstance(p, str)]
    if len(parts) < 2 or parts[0] != "evidence":
        return GENERAL
    part = parts[1]
    if part in TEXTS:
        return part
    if part == "results":
        index = next((p for p in loc[2:3] if isinstance(p, int)), 0)
        names = result_fields(sources[index] if index < len(sources) else 0, levels)
        return names["n"] if "counts" in parts or "n" in parts or len(parts) == 2 else names["metric"]
    if part == "links":
        return "link_url" if "url" in parts else "link_title"
    return NOTE if part == "notes" else GENERAL


def advance_command(actor: str, form, levels: tuple[str, ...]) -> tuple[AdvanceStep | None, dict[str, list[str]]]:
    evidence, sources = evidence_from(form, levels)
    try:
        return AdvanceStep.model_validate({"actor": actor, "step": form.get("step"), "evidence": evidence}), {}
    except ValidationError as err:
        errors: dict[str, list[str]] = {}
        for e in err.errors():
            errors.setdefault(field_of(e["loc"], sources, levels), []).append(e["msg"].removeprefix("Value error, "))
        return None, errors
