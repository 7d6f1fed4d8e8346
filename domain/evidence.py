"""Evidence a team attaches to a step: aggregate numbers, links, short notes.

Student privacy is a rule of the model, not of the views (DESIGN: "Evidence is
aggregate ... never student names or IDs"): every model forbids extra fields,
so no ``student_name`` can ride along; free text refuses ID-like digit runs;
a group of fewer than ten students is marked ``small`` so every view can
suppress its numbers.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field, model_validator

from .text import text

SMALL_GROUP = 10
_ID_LIKE = re.compile(r"\d{5,}")


def _no_student_ids(text: str) -> str:
    if _ID_LIKE.search(text):
        raise ValueError(
            "must not contain a run of five or more digits: it looks like a student ID, "
            "and evidence is aggregate only"
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
