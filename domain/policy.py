"""How long each step may take and how a stalled one climbs the ladder.

DESIGN, "Escalation when a step stalls": each open step has a due date in
school days; past it the ladder climbs team -> facilitator -> principal ->
district guiding coalition. Every number here is configuration with a sane
default, so a district tunes the pace without touching code.
"""

from datetime import time
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .steps import Step

# 0 is allowed for a compressed demo policy ("remind on the due morning").
SchoolDays = Annotated[int, Field(ge=0, le=120)]


class Rung(StrEnum):
    TEAM = "team"
    FACILITATOR = "facilitator"
    PRINCIPAL = "principal"
    COALITION = "coalition"

    @property
    def index(self) -> int:
        return LADDER.index(self)


LADDER: tuple[Rung, ...] = tuple(Rung)

DEFAULT_DUE = {
    Step.IDENTIFY_FOCUS: 5,
    Step.POSE_QUESTION: 5,
    Step.PLAN_ACTION: 5,
    Step.IMPLEMENT: 20,
    Step.COLLECT_EVIDENCE: 10,
    Step.ANALYZE: 5,
    Step.REFLECT_AND_DECIDE: 5,
    Step.SHARE_FINDINGS: 5,
}
DEFAULT_LADDER = {Rung.TEAM: 1, Rung.FACILITATOR: 3, Rung.PRINCIPAL: 6, Rung.COALITION: 10}


class EscalationPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    due_school_days: dict[Step, SchoolDays] = Field(default_factory=lambda: dict(DEFAULT_DUE))
    ladder_school_days_past_due: dict[Rung, SchoolDays] = Field(default_factory=lambda: dict(DEFAULT_LADDER))
    notify_at: time = time(7, 0)
    acknowledge_holds_school_days: Annotated[int, Field(ge=1, le=20)] = 3
    max_snooze_school_days: Annotated[int, Field(ge=1, le=60)] = 10

    @field_validator("due_school_days", "ladder_school_days_past_due", mode="before")
    @classmethod
    def _over_defaults(cls, value: object, info) -> object:
        # A district file names only what it changes; the rest keeps its default.
        defaults = DEFAULT_DUE if info.field_name == "due_school_days" else DEFAULT_LADDER
        return {**{k.value: v for k, v in defaults.items()}, **value} if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _complete_and_climbing(self) -> "EscalationPolicy":
        missing_steps = [s.value for s in Step if s not in self.due_school_days]
        if missing_steps:
            raise ValueError(f"due_school_days has no entry for {', '.join(missing_steps)}")
        missing_rungs = [r.value for r in Rung if r not in self.ladder_school_days_past_due]
        if missing_rungs:
            raise ValueError(f"ladder_school_days_past_due has no entry for {', '.join(missing_rungs)}")
        offsets = [self.ladder_school_days_past_due[r] for r in LADDER]
        if offsets != sorted(set(offsets)):
            raise ValueError("ladder_school_days_past_due must climb: each rung strictly later than the one below")
        return self

    def offset(self, rung: Rung) -> int:
        return self.ladder_school_days_past_due[rung]

    def due_days(self, step: Step) -> int:
        return self.due_school_days[step]
