"""Who may send which rollout command, asked before any command is written (issue 11, the district admin's pages).

The decider is the authority: it refuses with ``NotAllowed`` whatever this
says. This table only lets a page offer a form to the people the decider would
let use it (a coalition member sees the journey read-only except for the
commands seed 001 gives the coalition: inquiry activities, the glossary,
learning sessions, school reviews). ``tests/unit/test_rollout_acting.py``
holds the table to the decider, command by command.
"""

from . import commands as c
from .state import RolloutState

ADMINS_ONLY = frozenset({c.SeatCoalition, c.SetNonNegotiables, c.RecordDistrictNorms, c.ScheduleWave, c.CompletePhase})
ADMINS_OR_COALITION = frozenset({c.RecordInquiryActivity, c.AdoptGlossary, c.AddLearningSession, c.ReviewSchool})


def may_send(s: RolloutState, actor: str, command: type) -> bool:
    """Whether ``actor`` is someone the decider lets send ``command`` at all (its other rules still apply)."""
    if command in ADMINS_ONLY:
        return actor in s.district.admins
    if command in ADMINS_OR_COALITION:
        return actor in s.district.admins or actor in s.coalition
    if command is c.AlignMissionAndVision:  # a district admin, or the principal of the school it names
        return actor in s.district.admins or any(school.principal == actor for school in s.district.schools)
    if command in (c.AcknowledgeRolloutEscalation, c.SnoozeRolloutEscalation):
        return any(e is not None and actor in e.reached for e in (s.escalation, s.calendar_end))
    return False
