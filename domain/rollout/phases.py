"""The district rollout's phases, in order (seeds 000, 001).

1 form the guiding coalition, 2 build shared knowledge, 3 a layered
professional-learning plan, 4 model the work at the district office,
5 launch schools in waves, 6 sustain. A gate that fails lists everything
missing, so the admin sees the whole gap at once.
"""

from enum import StrEnum


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


def next_phase(phase: Phase) -> Phase | None:
    i = PHASES.index(phase) + 1
    return PHASES[i] if i < len(PHASES) else None
