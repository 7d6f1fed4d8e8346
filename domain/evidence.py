"""Evidence a team attaches to a step: aggregate numbers, links, short notes.

Student privacy is a rule of the model, not of the views (DESIGN: "Evidence is
aggregate ... never student names or IDs"): every model forbids extra fields,
so no ``student_name`` can ride along; free text refuses ID-like digit runs;
a group of fewer than ten students is marked ``small`` so every view can
suppress its numbers.
"""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field, model_validator

from .errors import DomainError
from .privacy import no_student_ids
from .text import folded as _key
from .text import text

SMALL_GROUP = 10


# Input is held to today's rules (never blank, no ID however it is written). What the log
# and a workflow's state already hold met the rules of its day and is read back as it was:
# a tightened rule must never make a stored cycle unreadable (issue 8: old histories fold).
# A handed-in ``StepEvidence`` becomes ``RecordedEvidence`` inside an event or a state.
Label = Annotated[text(80), AfterValidator(no_student_ids)]
Text = Annotated[text(2000), AfterValidator(no_student_ids)]
_RecordedLabel = Annotated[str, Field(max_length=80)]
_RecordedText = Annotated[str, Field(max_length=2000)]


class _Evidence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="subclass-instances")


class RecordedResult(_Evidence):
    """How many students sit at each performance level on one measure."""

    metric: _RecordedLabel
    n: int = Field(ge=0, le=100_000)
    counts: dict[_RecordedLabel, Annotated[int, Field(ge=0)]] = Field(min_length=1, max_length=12)

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
    def _counts_add_up(self) -> "RecordedResult":
        total = sum(self.counts.values())
        if total != self.n:
            raise ValueError(f"counts per level add up to {total}, but n is {self.n}")
        return self

    @computed_field
    @property
    def small(self) -> bool:
        """Fewer than ten students: views must suppress this group's numbers."""
        return self.n < SMALL_GROUP


class AggregateResult(RecordedResult):
    metric: Label
    counts: dict[Label, Annotated[int, Field(ge=0)]] = Field(min_length=1, max_length=12)


class RecordedLink(_Evidence):
    """A document kept elsewhere (the district's drive, an LMS), by address."""

    title: _RecordedLabel
    url: Annotated[str, Field(max_length=500, pattern=r"^https?://\S+$")]


class DocumentLink(RecordedLink):
    title: Label


class RecordedNote(_Evidence):
    text: _RecordedText


class Note(RecordedNote):
    text: Text


class RecordedEvidence(_Evidence):
    """What a team handed in when it completed a step, as the log holds it.

    One shape for every step: teams differ (seed 002's math and science
    teams), so steps carry evidence, not a script; each step's requirements
    are checked in ``domain.steps``.
    """

    focus: _RecordedText | None = None
    question: _RecordedText | None = None
    measure: _RecordedText | None = None
    results: list[RecordedResult] = Field(default_factory=list, max_length=50)
    links: list[RecordedLink] = Field(default_factory=list, max_length=50)
    notes: list[RecordedNote] = Field(default_factory=list, max_length=50)


class StepEvidence(RecordedEvidence):
    """Evidence as a team hands it in (``AdvanceStep``), held to today's rules."""

    focus: Text | None = None
    question: Text | None = None
    measure: Text | None = None
    results: list[AggregateResult] = Field(default_factory=list, max_length=50)
    links: list[DocumentLink] = Field(default_factory=list, max_length=50)
    notes: list[Note] = Field(default_factory=list, max_length=50)


# --- the levels a result counts students at ---

DEFAULT_LEVELS = ("below", "approaching", "meets", "exceeds")
LevelName = Annotated[text(40), AfterValidator(no_student_ids)]
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
