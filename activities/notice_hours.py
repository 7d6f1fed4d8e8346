"""Each district's send hours from the read models (issue 10; the rule is ``domain.notice_hours``)."""

from collections.abc import Iterable
from datetime import time

from domain.ladder import LadderPolicy
from domain.notice_hours import NoticeHours

# A district whose notify_at predates migration 0013's backfill keeps the policies' default.
DEFAULT_NOTIFY_AT: time = LadderPolicy.model_fields["notify_at"].default


async def notice_hours(conn, district_ids: Iterable[str]) -> dict[str, NoticeHours]:
    """The districts' send hours, by district id; a district the projector has not seen yet is absent."""
    rows = await conn.fetch(
        """SELECT z.district_id, z.timezone, z.notify_at,
                  coalesce(array_agg(d.day ORDER BY d.day) FILTER (WHERE d.day IS NOT NULL), '{}') AS days
             FROM district_time_zones z LEFT JOIN school_days d ON d.district_id = z.district_id
            WHERE z.district_id = ANY($1::text[])
            GROUP BY z.district_id, z.timezone, z.notify_at""",
        sorted(set(district_ids)))
    return {r["district_id"]: NoticeHours.of(r["timezone"], r["notify_at"] or DEFAULT_NOTIFY_AT, r["days"])
            for r in rows}
