"""Which outbox rows wait for their recipient's digest (issue 10): the rule as a SQL condition for claims.

A row is held for the digest when its recipient chose digests (read model
``notice_preferences``) and it is not the top rung of the ladder it climbed
(``domain.digests.top_rung``), which always goes at once. The immediate claim
(``activities.notifier.claim``) skips held rows; the digest takes them
(``activities.digests``). The condition reads the outbox row as ``o``.
"""

from domain.digests import NORMS, top_rung
from domain.school.decider import ROSTER

_KIND = {"team": "o.stream_id LIKE 'team-%'", "school": "o.stream_id LIKE 'school-%'",
         "district": "o.stream_id LIKE 'district-%'"}


def _top_rung_sql() -> str:
    """``domain.digests.top_rung`` over the row's stream and payload (its ``subject``, as open_escalations has it)."""
    # The outbox payload names a subject for its reader (workflows.notices); the ladder's own subject, as
    # open_escalations has it, is what top_rung reads.
    subject = ("(CASE o.payload->>'subject' WHEN 'norms_review' THEN 'norms:' || coalesce(o.payload->>'team_id', '') "
               "WHEN 'team_roster' THEN 'teams:' || coalesce(o.payload->>'school_year', '') "
               "WHEN 'coalition_gap' THEN 'coalition' ELSE coalesce(o.payload->>'subject', '') END)")
    cases = [f"WHEN {_KIND['team']} THEN '{top_rung('team')}'",
             f"WHEN {_KIND['school']} AND {subject} LIKE '{NORMS}%' THEN '{top_rung('school', NORMS)}'",
             f"WHEN {_KIND['school']} AND {subject} LIKE '{ROSTER}%' THEN '{top_rung('school', ROSTER)}'",
             f"WHEN {_KIND['school']} THEN '{top_rung('school')}'",
             f"WHEN {_KIND['district']} AND {subject} = 'coalition' THEN '{top_rung('district', 'coalition')}'",
             f"WHEN {_KIND['district']} THEN '{top_rung('district')}'"]
    return f"coalesce(o.payload->>'level', '') = CASE {' '.join(cases)} END"


TOP_RUNG = _top_rung_sql()


def held_for_digest(district_sql: str) -> str:
    """True for a row that waits for its recipient's digest; ``district_sql`` finds the row's district."""
    return f"""(EXISTS (SELECT 1 FROM notice_preferences np WHERE np.person_id = o.recipient AND np.delivery = 'digest'
                                                           AND np.district_id = {district_sql})
               AND NOT {TOP_RUNG})"""
