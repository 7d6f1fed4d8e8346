"""How the simulated people behave: a small model of distributions, with defaults stated as assumptions.

Issue 12: "how many school days each step takes a team, the chance that an
escalation is acknowledged or snoozed, how long a principal takes to rule on
a recommendation, whether a gate's work is done on time". Every number here is
an assumption a district replaces with its own (``--behaviour MODEL.yaml``) or
with what its own event log says (``--calibrate``: ``observed`` days per step).
"""

import random
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.ladder import Rung
from domain.steps import Step

Probability = Annotated[float, Field(ge=0, le=1)]
Days = Annotated[int, Field(ge=-60, le=250)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SchoolDays(_Model):
    """Whole school days: a triangular distribution (low, mode, high), or the days observed (drawn uniformly)."""

    low: Days = 0
    mode: Days = 0
    high: Days = 0
    observed: tuple[Annotated[int, Field(ge=0, le=250)], ...] = ()

    @model_validator(mode="after")
    def _ordered(self) -> "SchoolDays":
        if not self.observed and not self.low <= self.mode <= self.high:
            raise ValueError(f"low <= mode <= high is needed (got {self.low}, {self.mode}, {self.high})")
        return self

    def sample(self, rng: random.Random) -> int:
        if self.observed:
            return rng.choice(self.observed)
        if self.low == self.high:
            return self.low
        return round(rng.triangular(self.low, self.high, self.mode))


def days(low: int, mode: int, high: int) -> SchoolDays:
    return SchoolDays(low=low, mode=mode, high=high)


class Response(_Model):
    """What someone an escalation reached does with it: acknowledge, snooze, or let it climb."""

    acknowledge: Probability
    snooze: Probability
    after: SchoolDays = Field(default_factory=lambda: days(0, 1, 3))  # school days until they act
    snooze_for: SchoolDays = Field(default_factory=lambda: days(2, 4, 8))

    @model_validator(mode="after")
    def _at_most_one(self) -> "Response":
        if self.acknowledge + self.snooze > 1:
            raise ValueError("acknowledge + snooze is a probability: at most 1")
        return self


# Assumptions (README, "Plan next year"): a team takes about as long as the work takes, whatever its due
# date; implement takes three to six weeks; most steps a few days. Leaders act on about half of what
# reaches them within a couple of school days; principals rule on a recommendation within a week.
DEFAULT_STEPS = {
    Step.IDENTIFY_FOCUS: days(2, 4, 9),
    Step.POSE_QUESTION: days(1, 3, 8),
    Step.PLAN_ACTION: days(2, 4, 9),
    Step.IMPLEMENT: days(12, 18, 32),
    Step.COLLECT_EVIDENCE: days(4, 8, 16),
    Step.ANALYZE: days(2, 4, 9),
    Step.REFLECT_AND_DECIDE: days(2, 4, 9),
    Step.SHARE_FINDINGS: days(1, 3, 9),
}
DEFAULT_RESPONSES = {
    Rung.TEAM: Response(acknowledge=0.3, snooze=0.1),
    Rung.FACILITATOR: Response(acknowledge=0.5, snooze=0.15),
    Rung.PRINCIPAL: Response(acknowledge=0.5, snooze=0.2),
    Rung.COALITION: Response(acknowledge=0.4, snooze=0.1, after=days(1, 2, 5)),
    Rung.DISTRICT_ADMIN: Response(acknowledge=0.6, snooze=0.1),
}


class Behaviour(_Model):
    steps: dict[Step, SchoolDays] = Field(default_factory=lambda: dict(DEFAULT_STEPS))
    recommendation_share: Probability = 0.25  # decisions that need the principal's approval (seed 002)
    principal_rules_in: SchoolDays = Field(default_factory=lambda: days(0, 2, 6))
    responses: dict[Rung, Response] = Field(default_factory=lambda: dict(DEFAULT_RESPONSES))
    norms_review_in: SchoolDays = Field(default_factory=lambda: days(3, 10, 20))  # into a term, or after a launch
    self_assessment_vs_due: SchoolDays = Field(default_factory=lambda: days(-8, -2, 6))  # negative: early
    gate_work: SchoolDays = Field(default_factory=lambda: days(1, 3, 8))  # each phase before the waves
    review_in: SchoolDays = Field(default_factory=lambda: days(60, 120, 170))  # into sustain, per school
    confirm_teams_in: SchoolDays = Field(default_factory=lambda: days(2, 6, 12))  # into a later school year (issue 9)

    @model_validator(mode="before")
    @classmethod
    def _merge_defaults(cls, data):
        """A model file names only what it changes; every other step and rung keeps its default."""
        if isinstance(data, dict):
            data = dict(data)
            for key, base in (("steps", DEFAULT_STEPS), ("responses", DEFAULT_RESPONSES)):
                if isinstance(data.get(key), dict):
                    data[key] = {**{k.value: v for k, v in base.items()}, **data[key]}
        return data

    def response(self, rung: Rung) -> Response:
        return self.responses.get(rung, DEFAULT_RESPONSES[Rung.PRINCIPAL])


MIN_OBSERVED = 3  # fewer completions of a step than this say too little: its assumption stays


def calibrated(base: Behaviour, observed: dict[str, list[int]]) -> tuple[Behaviour, list[Step]]:
    """``base`` with each step observed often enough drawn from what teams actually took; and the steps calibrated."""
    steps = dict(base.steps)
    used = []
    for step in Step:
        days_taken = observed.get(step.value, [])
        if len(days_taken) >= MIN_OBSERVED:
            steps[step] = SchoolDays(observed=tuple(min(d, 250) for d in days_taken))
            used.append(step)
    return base.model_copy(update={"steps": steps}), used
