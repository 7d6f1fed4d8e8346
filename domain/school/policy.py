"""A school's clocks: norms reviewed each term, the rubric self-assessed twice a year, the teams confirmed each year.

Both use the one escalation ladder: an overdue norms review climbs
facilitator -> principal; an overdue self-assessment climbs principal ->
district coalition.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ..ladder import LadderPolicy, Rung, SchoolDays, defaults_merged

NORMS_LADDER = (Rung.FACILITATOR, Rung.PRINCIPAL)
ASSESSMENT_LADDER = (Rung.PRINCIPAL, Rung.COALITION)
ROSTER_LADDER = (Rung.PRINCIPAL, Rung.COALITION)


class NormsReviewPolicy(LadderPolicy):
    """Each team reviews its norms within this many school days of a term's start (seed 002)."""

    LADDER = NORMS_LADDER
    due_school_days_into_term: SchoolDays = 15
    ladder_school_days_past_due: dict[Rung, SchoolDays] = Field(
        default_factory=lambda: {Rung.FACILITATOR: 1, Rung.PRINCIPAL: 5}
    )
    _merge = defaults_merged(ladder_school_days_past_due={Rung.FACILITATOR: 1, Rung.PRINCIPAL: 5})


class AssessmentPolicy(LadderPolicy):
    """The school self-assesses once per term, by this many school days before the term ends."""

    LADDER = ASSESSMENT_LADDER
    due_school_days_before_term_end: SchoolDays = 10
    ladder_school_days_past_due: dict[Rung, SchoolDays] = Field(
        default_factory=lambda: {Rung.PRINCIPAL: 1, Rung.COALITION: 5}
    )
    _merge = defaults_merged(ladder_school_days_past_due={Rung.PRINCIPAL: 1, Rung.COALITION: 5})


class TeamRosterPolicy(LadderPolicy):
    """Each new school year the principal confirms the school's teams within this many school days (issue 9)."""

    LADDER = ROSTER_LADDER
    due_school_days_into_year: SchoolDays = 10
    ladder_school_days_past_due: dict[Rung, SchoolDays] = Field(
        default_factory=lambda: {Rung.PRINCIPAL: 0, Rung.COALITION: 5}
    )
    _merge = defaults_merged(ladder_school_days_past_due={Rung.PRINCIPAL: 0, Rung.COALITION: 5})


class SchoolPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    norms_review: NormsReviewPolicy = Field(default_factory=NormsReviewPolicy)
    self_assessment: AssessmentPolicy = Field(default_factory=AssessmentPolicy)
    team_roster: TeamRosterPolicy = Field(default_factory=TeamRosterPolicy)
    # The lowest rung of a team's ladder the school shows (DESIGN: what reaches the principal).
    visible_from: Annotated[Rung, Field()] = Rung.PRINCIPAL
