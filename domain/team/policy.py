"""How long each step may take and how a stalled one climbs the ladder.

DESIGN, "Escalation when a step stalls": each open step has a due date in
school days; past it the ladder climbs team -> facilitator -> principal ->
district guiding coalition. Every number here is configuration with a sane
default, so a district tunes the pace without touching code.
"""

from typing import Annotated

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..evidence import ResultScale
from ..ladder import LadderPolicy, Rung, SchoolDays, defaults_merged
from ..shared import shared
from ..steps import Step

TEAM_LADDER: tuple[Rung, ...] = (Rung.TEAM, Rung.FACILITATOR, Rung.PRINCIPAL, Rung.COALITION)

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
# Issue 10 (DESIGN, "Delivery and sign-in facts": KickUp reminds 1 school day before and on the due date).
DEFAULT_REMINDERS: tuple[int, ...] = (1, 0)
ReminderDay = Annotated[int, Field(ge=0, le=20)]


class EscalationPolicy(LadderPolicy):
    """A team's pace: due school days per step, and the team ladder's offsets."""

    LADDER = TEAM_LADDER

    due_school_days: dict[Step, SchoolDays] = Field(default_factory=lambda: dict(DEFAULT_DUE))
    ladder_school_days_past_due: dict[Rung, SchoolDays] = Field(default_factory=lambda: dict(DEFAULT_LADDER))
    # The levels a result may count students at; the district sets it once (district file,
    # ``teams: result_scale:``) and every team it launches carries it (issue 8, defect 8).
    result_scale: ResultScale = Field(default_factory=ResultScale)
    # Issue 10: the team's members are reminded this many school days before a step is due (0: on its
    # due day); ``[]`` turns reminders off. Histories recorded before the key exist read as the default.
    remind_school_days_before_due: tuple[ReminderDay, ...] = DEFAULT_REMINDERS

    _merge = defaults_merged(due_school_days=DEFAULT_DUE, ladder_school_days_past_due=DEFAULT_LADDER)

    @field_validator("remind_school_days_before_due")
    @classmethod
    def _distinct_reminders(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        twice = sorted({d for d in days if days.count(d) > 1})
        if twice:
            raise ValueError(f"lists {', '.join(map(str, twice))} more than once; name each number of school days once")
        return days

    @model_validator(mode="after")
    def _every_step(self) -> "EscalationPolicy":
        missing = [s.value for s in Step if s not in self.due_school_days]
        if missing:
            raise ValueError(f"due_school_days has no entry for {', '.join(missing)}")
        return self

    def due_days(self, step: Step) -> int:
        return self.due_school_days[step]


# A policy field a team decodes: every team launched with the district's policy holds its one instance (issue 13).
SharedPolicy = Annotated[EscalationPolicy, AfterValidator(shared)]
