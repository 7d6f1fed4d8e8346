"""The district rollout's phases, their pace, and the gate each must pass (seeds 000, 001).

1 form the guiding coalition, 2 build shared knowledge, 3 a layered
professional-learning plan, 4 model the work at the district office,
5 launch schools in waves, 6 sustain. A gate that fails lists everything
missing, so the admin sees the whole gap at once.
"""

from enum import StrEnum

from pydantic import Field

from ..ladder import LadderPolicy, Rung, SchoolDays, defaults_merged


class Phase(StrEnum):
    FORM_COALITION = "form_coalition"
    BUILD_SHARED_KNOWLEDGE = "build_shared_knowledge"
    PLAN_LEARNING = "plan_learning"
    MODEL_THE_WORK = "model_the_work"
    LAUNCH_WAVES = "launch_waves"
    SUSTAIN = "sustain"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


PHASES: tuple[Phase, ...] = tuple(Phase)
DISTRICT_LADDER = (Rung.DISTRICT_ADMIN, Rung.COALITION)
DEFAULT_PHASE_DUE = {
    Phase.FORM_COALITION: 20,
    Phase.BUILD_SHARED_KNOWLEDGE: 60,
    Phase.PLAN_LEARNING: 30,
    Phase.MODEL_THE_WORK: 30,
    Phase.LAUNCH_WAVES: 180,
    Phase.SUSTAIN: 170,
}
DEFAULT_DISTRICT_LADDER = {Rung.DISTRICT_ADMIN: 1, Rung.COALITION: 5}


def next_phase(phase: Phase) -> Phase | None:
    i = PHASES.index(phase) + 1
    return PHASES[i] if i < len(PHASES) else None


class RolloutPolicy(LadderPolicy):
    """How long each phase may take before the admin, then the coalition, hear of it."""

    LADDER = DISTRICT_LADDER

    due_school_days: dict[Phase, SchoolDays] = Field(default_factory=lambda: dict(DEFAULT_PHASE_DUE))
    ladder_school_days_past_due: dict[Rung, SchoolDays] = Field(default_factory=lambda: dict(DEFAULT_DISTRICT_LADDER))

    _merge = defaults_merged(due_school_days=DEFAULT_PHASE_DUE, ladder_school_days_past_due=DEFAULT_DISTRICT_LADDER)
