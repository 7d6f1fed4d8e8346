"""A notice for a person with no email address (issue 10: "their notices go to the next rung's people only if
the policy says so").

The district's rollout policy says which (``RolloutPolicy.notices_without_address``):

- ``park`` (the default, and what every district recorded before this rule does): the notice is parked with
  the reason; ``plcflow doctor`` lists the person; ``plcflow notices retry`` sends it once an address exists.
- ``next_rung``: the notice goes instead to the people of the next rung up the ladder it belongs to who have
  an address, each told for whom they stand in; the original is parked with the reason "forwarded to ...".

The rule, precisely (``stand_ins``): the person stands on the HIGHEST rung of the ladder they hold now (a
member who is also the facilitator stands on the facilitator's rung: neither reaches them). Their notice goes
to every holder with an address of the first rung above it that has one; a rung whose holders all lack an
address is skipped (it cannot be told either). Nobody stands in when the person is on the ladder's top rung,
holds no rung of it now (they left the team), or no rung above has anyone with an address: then the notice
stays parked, as under ``park``. A stand-in is never the person themselves.

The ladders are the escalation ladders of DESIGN (``ladder``): a team's notices (its escalations, its roster
gap, its reminders) climb member, facilitator, principal, coalition; a school's the ladder of its subject
(norms review: facilitator, principal; self-assessment and team roster: principal, coalition); the district's
district admin, coalition (a coalition gap has one rung, the admin). Pure: who holds which rung and who has an
address come in as arguments.
"""

from collections.abc import Collection, Mapping, Sequence

from .digests import NORMS
from .ladder import Rung
from .rollout.policy import DISTRICT_LADDER, NoticesWithoutAddress
from .school.decider import ROSTER
from .school.policy import ASSESSMENT_LADDER, NORMS_LADDER, ROSTER_LADDER
from .team.policy import TEAM_LADDER

__all__ = ["NoticesWithoutAddress", "ladder", "stand_ins", "forwarded_reason", "not_forwarded_reason"]


def ladder(stream_kind: str, subject: str | None = None) -> tuple[Rung, ...]:
    """The rungs a notice of a "team", "school" or "district" stream climbs, lowest first; ``subject`` as
    ``domain.digests.top_rung`` reads it (a school: "norms:<team>", "assessment", "teams:<year>"; the
    district: its phase, "calendar", "coalition")."""
    if stream_kind == "team":
        return TEAM_LADDER
    if stream_kind == "school":
        subject = subject or ""
        return NORMS_LADDER if subject.startswith(NORMS) else ROSTER_LADDER if subject.startswith(ROSTER) else ASSESSMENT_LADDER
    return (Rung.DISTRICT_ADMIN,) if subject == "coalition" else DISTRICT_LADDER


def stand_ins(rungs: Sequence[Rung], holders: Mapping[Rung, Collection[str]], person: str,
              addressed: Collection[str]) -> tuple[str, ...]:
    """Who receives ``person``'s notice in their place: the holders with an address of the first rung above
    the highest one ``person`` holds that has any, sorted; () when nobody can (see the module's rule)."""
    held = [i for i, rung in enumerate(rungs) if person in holders.get(rung, ())]
    if not held:
        return ()
    for rung in rungs[max(held) + 1:]:
        reachable = sorted({p for p in holders.get(rung, ()) if p in addressed and p != person})
        if reachable:
            return tuple(reachable)
    return ()


def forwarded_reason(stand_ins_: Sequence[str]) -> str:
    """What the parked original says (``plcflow doctor`` shows it)."""
    return f"forwarded to {', '.join(stand_ins_)}"


def not_forwarded_reason(person: str) -> str:
    return (f"{person} has no email address in the district file, and nobody on a rung above them has one "
            "to stand in")
