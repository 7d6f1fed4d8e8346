"""How long each rollout phase may take and whom a stalled one reaches (seeds 000, 001; DESIGN, escalation)."""

from enum import StrEnum

from pydantic import Field

from ..ladder import LadderPolicy, Rung, SchoolDays, defaults_merged
from .phases import Phase

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


class NoticesWithoutAddress(StrEnum):
    """Issue 10: what the notifier does with a notice for a person with no email address
    (``domain.notice_forwarding``): park it (the default), or send it to the next rung's people instead."""

    PARK = "park"
    NEXT_RUNG = "next_rung"


class RolloutPolicy(LadderPolicy):
    """How long each phase may take before the admin, then the coalition, hear of it."""

    LADDER = DISTRICT_LADDER

    due_school_days: dict[Phase, SchoolDays] = Field(default_factory=lambda: dict(DEFAULT_PHASE_DUE))
    ladder_school_days_past_due: dict[Rung, SchoolDays] = Field(default_factory=lambda: dict(DEFAULT_DISTRICT_LADDER))
    # A RolloutStarted recorded before this key existed replays with the default (nothing forwarded then).
    notices_without_address: NoticesWithoutAddress = NoticesWithoutAddress.PARK

    _merge = defaults_merged(due_school_days=DEFAULT_PHASE_DUE, ladder_school_days_past_due=DEFAULT_DISTRICT_LADDER)
