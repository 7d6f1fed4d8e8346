"""Decisions as recorded histories made them: each change to what a decider decides, behind its patch.

DESIGN: workflows outlive builds; a changed code path goes behind
``workflow.patched`` so old histories replay. Validators never call
``patched`` (they are read-only, and new input must meet the new rules);
the Update handler does, so a history recorded before the change re-decides
as it did then, and every new run records the marker and decides anew.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.rollout import commands as c
    from domain.rollout.decider import decide, decide_before_calendar_end, decide_with_free_text_terms

# Issue 8, defect 7: learning-plan terms are the calendar's own, no longer free text.
CALENDAR_TERMS = "learning-plan-terms-from-calendar"
# Issue 9: the district's clock also warns that the calendar ends with no later one published.
CALENDAR_END = "calendar-end-escalation"


def decide_rollout(state, command, now):
    if isinstance(command, c.AddLearningSession) and not workflow.unsafe.is_read_only() and not workflow.patched(CALENDAR_TERMS):
        return decide_with_free_text_terms(state, command, now)
    if isinstance(command, c.Tick) and not workflow.patched(CALENDAR_END):
        return decide_before_calendar_end(state, command, now)
    return decide(state, command, now)
