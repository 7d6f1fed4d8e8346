"""The collaborative inquiry (action-research) cycle and what each step asks for.

Seed 002: identify a focus from student data, pose the research question, plan
the approach and how it will be measured, implement, collect evidence, analyze
together, reflect and decide, share findings; then the next cycle begins.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from .evidence import RecordedEvidence


class Step(StrEnum):
    IDENTIFY_FOCUS = "identify_focus"
    POSE_QUESTION = "pose_question"
    PLAN_ACTION = "plan_action"
    IMPLEMENT = "implement"
    COLLECT_EVIDENCE = "collect_evidence"
    ANALYZE = "analyze"
    REFLECT_AND_DECIDE = "reflect_and_decide"
    SHARE_FINDINGS = "share_findings"

    @property
    def index(self) -> int:
        return STEPS.index(self)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


STEPS: tuple[Step, ...] = tuple(Step)
FIRST_STEP = STEPS[0]
LAST_STEP = STEPS[-1]


def next_step(step: Step) -> Step | None:
    i = step.index + 1
    return STEPS[i] if i < len(STEPS) else None


@dataclass(frozen=True)
class Requirement:
    """One thing a step needs before it can be completed, in words a teacher reads."""

    description: str
    met: Callable[[RecordedEvidence, int], bool]  # (evidence, decisions recorded this cycle)


_DATA_SUMMARY = Requirement("a data summary (at least one aggregate result)", lambda e, _: bool(e.results))
_RESULT = Requirement("at least one aggregate result", lambda e, _: bool(e.results))
_NOTE_OR_LINK = Requirement("a note or a document link", lambda e, _: bool(e.notes or e.links))

REQUIREMENTS: dict[Step, tuple[Requirement, ...]] = {
    Step.IDENTIFY_FOCUS: (Requirement("a focus statement", lambda e, _: e.focus is not None), _DATA_SUMMARY),
    Step.POSE_QUESTION: (Requirement("the question's text", lambda e, _: e.question is not None),),
    Step.PLAN_ACTION: (
        Requirement("how the plan will be measured", lambda e, _: e.measure is not None),
        _NOTE_OR_LINK,
    ),
    Step.IMPLEMENT: (_NOTE_OR_LINK,),
    Step.COLLECT_EVIDENCE: (_RESULT,),
    Step.ANALYZE: (Requirement("a note with the team's analysis", lambda e, _: bool(e.notes)),),
    Step.REFLECT_AND_DECIDE: (Requirement("a recorded decision", lambda _, decisions: decisions > 0),),
    Step.SHARE_FINDINGS: (_NOTE_OR_LINK,),
}


def missing_evidence(step: Step, evidence: RecordedEvidence, decisions_this_cycle: int) -> list[str]:
    return [r.description for r in REQUIREMENTS[step] if not r.met(evidence, decisions_this_cycle)]
