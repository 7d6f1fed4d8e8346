"""Reminders before a step is due, written into the outbox by the notifier (issue 10).

A reminder is delivery, not a domain fact: no workflow or event changes. Each
round of the notifier (``activities.notifier_loop``) looks at the open steps in
the read models and, for each reminder due now (``domain.reminders``: N school
days before the due date, within the district's send hours), writes one outbox
row per member of the team. The rows then go the way of every notice (claim,
one email per person per round), so a person's reminders and escalations arrive
together.

Who: the team's members (``team_people``), who owe the step (DESIGN: the
ladder's first rung is the team; the facilitator hears when it climbs). Not for
a step that is paused, closed, retired or already escalated (the escalation
itself is the louder notice, and an acknowledged one is known).

Written once, however many notifiers run and however often: a row is keyed to
the team's event that set the current due date (the StepOpened, or a
resumption or calendar change that moved it) with kind ``reminder-N``; the
outbox's UNIQUE (stream_id, version, recipient, kind) keeps the rest out.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.reminders import reminders_due

from .notice_hours import notice_hours
from .parking import database_away, describe

# Steps that may need a reminder: open, running, not escalated, with a due date not yet passed anywhere on earth.
_OPEN_STEPS = """SELECT t.team_id, t.district_id, t.due_on, r.days
                   FROM team_status t JOIN team_reminder_days r ON r.team_id = t.team_id
                  WHERE t.step IS NOT NULL AND t.due_on >= $1 AND NOT t.paused AND t.escalation_id IS NULL
                    AND t.retired_at IS NULL AND cardinality(r.days) > 0"""

# The conditions are checked again here, in one statement with the insert: the projector may have moved the
# team since the read above. A team whose log is ahead of its read model waits for the projector (its step
# may have moved). ``due_set_by``: the last due-date-setting event that changed the date (or opened the step).
_WRITE = """
INSERT INTO outbox (stream_id, version, recipient, kind, payload)
SELECT 'team-' || t.team_id, due_set_by.version, m.person_id, 'reminder-' || d.n,
       jsonb_build_object('team_id', t.team_id, 'team_name', t.name, 'school_id', t.school_id, 'step', t.step,
                          'due_on', t.due_on, 'school_days_before_due', d.n)
  FROM unnest($1::text[], $2::date[], $3::int[]) AS d(team_id, due_on, n)
  JOIN team_status t ON t.team_id = d.team_id AND t.due_on = d.due_on AND t.step IS NOT NULL AND NOT t.paused
                    AND t.escalation_id IS NULL AND t.retired_at IS NULL
  JOIN team_people m ON m.team_id = t.team_id AND m.role = 'member'
  CROSS JOIN LATERAL (
      SELECT version FROM (
          SELECT version, type, data->>'due_on' AS due, lag(data->>'due_on') OVER (ORDER BY version) AS before
            FROM events
           WHERE stream_id = 'team-' || t.team_id AND version <= t.version
             AND type IN ('StepOpened', 'TeamResumed', 'TeamCalendarChanged')) changes
       WHERE type = 'StepOpened' OR due IS DISTINCT FROM before
       ORDER BY version DESC LIMIT 1) due_set_by
 WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'team-' || t.team_id AND e.version > t.version)
ON CONFLICT (stream_id, version, recipient, kind) DO NOTHING"""


async def write_reminders(pool, now: datetime) -> int:
    """Write the reminders due at ``now`` (aware); returns how many rows are new."""
    steps = await pool.fetch(_OPEN_STEPS, (now - timedelta(days=1)).date())
    hours = await notice_hours(pool, {s["district_id"] for s in steps})
    due = [(s["team_id"], s["due_on"], n) for s in steps if s["district_id"] in hours
           for n in reminders_due(hours[s["district_id"]], s["due_on"], s["days"], now)]
    if not due:
        return 0
    teams, dates, days = (list(column) for column in zip(*due))
    status = await pool.execute(_WRITE, teams, dates, days)
    return int(status.split()[-1])


@dataclass
class Reminders:
    """The notifier's reminder pass, at most once per ``every_s`` (by the injected clock): a reminder's day is
    a whole school day, so a minute's delay costs nothing, and the rounds between stay cheap."""

    every_s: float = 60.0
    last: datetime | None = None

    async def round(self, pool, now: datetime, log) -> int:
        if self.last is not None and timedelta(0) <= now - self.last < timedelta(seconds=self.every_s):
            return 0
        try:
            written = await write_reminders(pool, now)
        except Exception as err:
            if database_away(err):  # the round fails as a whole and is retried (activities.rounds)
                raise
            # A reminder's failure (a bug, a read model in a state it did not expect) must never hold back
            # the escalations of this round: logged, tried again after ``every_s``.
            log.error("reminders_failed", error=describe(err))
            written = 0
        self.last = now
        if written:
            log.info("reminders_written", rows=written)
        return written


def reminder_line(p: dict) -> str:
    """A reminder in plain words (the email's item): team, step, when it is due; nothing else."""
    due, n = date.fromisoformat(p["due_on"]), p["school_days_before_due"]
    on = f"{due:%A} {due.day} {due:%B %Y}"
    when = f"due today, {on}" if n == 0 else f"due in {n} school day{'' if n == 1 else 's'}, on {on}"
    return f"{p.get('team_name') or p['team_id']} — step: {p['step'].replace('_', ' ')} — {when}"
