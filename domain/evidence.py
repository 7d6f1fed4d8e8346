"""Evidence a team attaches to a step: aggregate numbers, links, short notes.

Student privacy is a rule of the model, not of the views (DESIGN: "Evidence is
aggregate ... never student names or IDs"): every model forbids extra fields,
so no ``student_name`` can ride along; free text refuses ID-like digit runs;
a group of fewer than ten students is marked ``small`` so every view can
suppress its numbers.
"""

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field, model_validator

from .errors import DomainError
from .text import folded as _key
from .text import text

SMALL_GROUP = 10

# Issue 8, defect 8: "a run of five digits" missed ids written with separators
# ("1.234.567", "12 345 67", "12-345-67"). A number is now digits joined by single
# dots, dashes or spaces, and five digits in one number look like an ID. Dates,
# school years and percentages are taken out first, so "2026-11-30", "2026-27"
# and "100.00%" stay ordinary text; a slash never joins ("24/30" is a score).
_SEPARATOR = r"[ .\-\u00a0\u202f]"
_NUMBER = re.compile(rf"\d+(?:{_SEPARATOR}\d+)*")
# A percentage stands alone: not the tail of a longer grouped number ("1 234 67%").
_ALONE = rf"(?<!\d)(?<!\d{_SEPARATOR})"
# A date neither: but a space may follow or precede it ("on 2026-11-30 12 students met").
_DATE_ALONE, _DATE_ENDS = r"(?<!\d)(?<!\d[.\-])", r"(?!\d)(?![.\-]\d)"
_PERCENT = re.compile(rf"{_ALONE}\d{{1,3}}(?:[.,]\d{{1,2}})?\s?%")  # at most 100.00%: "1234567%" is no percentage
_DATE = re.compile(rf"{_DATE_ALONE}(?:(\d{{4}})([-./])(\d{{1,2}})\2(\d{{1,2}})|(\d{{1,2}})([-./])(\d{{1,2}})\6(\d{{4}})){_DATE_ENDS}")
_SCHOOL_YEAR = re.compile(rf"{_DATE_ALONE}(\d{{4}})[-/](\d{{2}}|\d{{4}}){_DATE_ENDS}")
ID_DIGITS = 5


def _is_date(year: int, a: int, b: int) -> bool:
    """Year-month-day, or day-month / month-day around a year: any reading that is a real date."""
    if not 1900 <= year <= 2199:
        return False
    for month, day in ((a, b), (b, a)):
        try:
            date(year, month, day)
            return True
        except ValueError:
            continue
    return False


def _without_dates(text: str) -> str:
    def date_or_keep(m: re.Match) -> str:
        if m.group(1):
            ok = _is_date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        else:
            ok = _is_date(int(m.group(8)), int(m.group(5)), int(m.group(7)))
        return " date " if ok else m.group(0)

    def school_year_or_keep(m: re.Match) -> str:
        first, second = int(m.group(1)), int(m.group(2))
        following = (first + 1) % 100 if len(m.group(2)) == 2 else first + 1
        return " year " if second == following else m.group(0)

    text = _PERCENT.sub(" percent ", text)
    return _SCHOOL_YEAR.sub(school_year_or_keep, _DATE.sub(date_or_keep, text))


def looks_like_an_id(text: str) -> bool:
    """Five or more digits in one number, however they are grouped, once dates and percentages are set aside."""
    return any(sum(ch.isdigit() for ch in m.group(0)) >= ID_DIGITS for m in _NUMBER.finditer(_without_dates(text)))


def _no_student_ids(text: str) -> str:
    if looks_like_an_id(text):
        raise ValueError(
            "must not contain a number of five or more digits, even written with dots, dashes or spaces "
            "(12-345-67): it looks like a student ID, and evidence is aggregate only"
        )
    return text


Label = Annotated[text(80), AfterValidator(_no_student_ids)]
Text = Annotated[text(2000), AfterValidator(_no_student_ids)]


class _Evidence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AggregateResult(_Evidence):
    """How many students sit at each performance level on one measure."""

    metric: Label
    n: int = Field(ge=0, le=100_000)
    counts: dict[Label, Annotated[int, Field(ge=0)]] = Field(min_length=1, max_length=12)

    @model_validator(mode="before")
    @classmethod
    def _small_is_derived(cls, data: object) -> object:
        # ``small`` is computed and written out with the evidence; reading it
        # back (from the event log, from a workflow payload) must not trip
        # extra="forbid", but a value that contradicts n is refused.
        if isinstance(data, dict) and "small" in data:
            data = dict(data)
            small = data.pop("small")
            if small != (isinstance(data.get("n"), int) and data["n"] < SMALL_GROUP):
                raise ValueError("small must be true exactly when n < 10")
        return data

    @model_validator(mode="after")
    def _counts_add_up(self) -> "AggregateResult":
        total = sum(self.counts.values())
        if total != self.n:
            raise ValueError(f"counts per level add up to {total}, but n is {self.n}")
        return self

    @computed_field
    @property
    def small(self) -> bool:
        """Fewer than ten students: views must suppress this group's numbers."""
        return self.n < SMALL_GROUP


class DocumentLink(_Evidence):
    """A document kept elsewhere (the district's drive, an LMS), by address."""

    title: Label
    url: Annotated[str, Field(max_length=500, pattern=r"^https?://\S+$")]


class Note(_Evidence):
    text: Text


class StepEvidence(_Evidence):
    """What a team hands in when it completes a step.

    One shape for every step: teams differ (seed 002's math and science
    teams), so steps carry evidence, not a script; each step's requirements
    are checked in ``domain.steps``.
    """

    focus: Text | None = None
    question: Text | None = None
    measure: Text | None = None
    results: list[AggregateResult] = Field(default_factory=list, max_length=50)
    links: list[DocumentLink] = Field(default_factory=list, max_length=50)
    notes: list[Note] = Field(default_factory=list, max_length=50)


# --- the levels a result counts students at ---

DEFAULT_LEVELS = ("below", "approaching", "meets", "exceeds")
LevelName = Annotated[text(40), AfterValidator(_no_student_ids)]
Levels = Annotated[tuple[LevelName, ...], Field(min_length=1, max_length=12)]


class LevelNotOnScale(DomainError):
    """A result counts students at a level the district's scale does not have."""


def _listed(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


class ResultScale(_Evidence):
    """The performance levels a result may count students at: the district's scale, or a short
    list declared for one metric (issue 8, defect 8: free-text labels let "Jane Doe" be stored).

    Labels match whatever their case and spacing, and are stored as the scale spells them.
    """

    levels: Levels = DEFAULT_LEVELS
    per_metric: dict[Label, Levels] = Field(default_factory=dict, max_length=50)

    @model_validator(mode="after")
    def _distinct(self) -> "ResultScale":
        for where, labels in (("levels", self.levels), *((f"per_metric[{m!r}]", v) for m, v in self.per_metric.items())):
            if len({_key(x) for x in labels}) != len(labels):
                raise ValueError(f"{where} lists a level twice")
        if len({_key(m) for m in self.per_metric}) != len(self.per_metric):
            raise ValueError("per_metric names a metric twice")
        return self

    def levels_for(self, metric: str) -> tuple[str, ...]:
        return next((v for m, v in self.per_metric.items() if _key(m) == _key(metric)), self.levels)

    def on_scale(self, evidence: StepEvidence) -> StepEvidence:
        """The evidence with every level spelled as the scale spells it, or LevelNotOnScale naming the allowed ones."""
        results, problems = [], []
        for r in evidence.results:
            allowed = self.levels_for(r.metric)
            spelled = {_key(x): x for x in allowed}
            counts: dict[str, int] = {}
            for label, count in r.counts.items():
                level = spelled.get(_key(label))
                if level is None:
                    problems.append(f"{label!r} is not a level of the scale for {r.metric}; its levels are {_listed(allowed)}.")
                elif level in counts:
                    problems.append(f"{r.metric} counts students at {level} twice; give each level once.")
                else:
                    counts[level] = count
            results.append(r.model_copy(update={"counts": counts}))
        if problems:
            raise LevelNotOnScale(" ".join(problems))
        return evidence.model_copy(update={"results": results})
