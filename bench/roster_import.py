"""A OneRoster import of a large district's staff, applied to a running rollout, against the raw engine.

    make bench-roster                     # 10,000 staff
    .venv/bin/python -m bench.roster_import --staff 20000

On its own embedded stack: starts Silver Valley's rollout (its schools given
OneRoster org ids), writes a bulk export of everyone it has plus N new staff
(and students, whom the reader drops), then times what ``plcflow roster
import --apply`` does: read and diff, judge the whole import with the
rollout's rules, send it as ``sync_roster`` Updates; then a second import of
the same files (nothing to change). The floor: the same Updates' payloads
sent to a raw Update that keeps nothing (``RawBulk``), on the same server in
the same run. Prints the times and ``roster_apply_vs_raw_ratio``.
"""

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from app.districts import DistrictClient
from app.files import load_district_file
from app.logging import configure
from app.oneroster import read_roster
from app.wiring import build_worker
from domain.rollout.decider import decide
from domain.rollout.state import fold
from domain.roster import diff, sync_commands

from .oneroster import Org, User, staff, users_of, write_export
from .raw import RawBulkWorkflow
from .stack import embedded_stack

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "districts" / "silver-valley.yaml"
ORGS = {"silver-valley-ms": "org-svm", "silver-valley-es": "org-sve", "silver-valley-hs": "org-svh"}


def _district(district_id: str):
    start = load_district_file(EXAMPLE)
    schools = tuple(s.model_copy(update={"sourced_id": ORGS[s.school_id]}) for s in start.district.schools)
    return start.model_copy(update={"district": start.district.model_copy(update={"district_id": district_id, "schools": schools})})


def _export(folder: Path, district, n: int) -> Path:
    """Everyone the district has (matched by username), n new staff, and a few students the reader must drop."""
    orgs = [Org("org-district", "Silver Valley", "district"), *(Org(o, s) for s, o in ORGS.items())]
    users = users_of(district, "org-district", prefix="cur")
    users += staff(n, list(ORGS.values()))[len(ORGS):]  # teachers only: each school keeps its principal
    users += [User(f"stu-{i}", "student", ("org-svm",), f"student{i}") for i in range(50)]
    return write_export(folder, orgs, users)


async def _timed(coro) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = await coro
    return time.perf_counter() - t0, result


async def main(n: int) -> dict[str, float]:
    async with embedded_stack() as (env, store):
        tq = f"bench-roster-{uuid4()}"
        async with build_worker(env.client, store, task_queue=tq, extra_workflows=[RawBulkWorkflow]):
            districts = DistrictClient(env.client, tq)
            start = _district(f"bench-{uuid4().hex[:6]}")
            district_id = start.district.district_id
            await districts.start(start)
            with tempfile.TemporaryDirectory() as tmp:
                path = _export(Path(tmp) / "export", start.district, n)
                t0 = time.perf_counter()
                state = (await districts.status(district_id)).state
                changes = diff(state.district, read_roster(path, state.district).staff)
                commands = sync_commands(changes, start.actor, "the bench export")
                t_diff = time.perf_counter() - t0
                t0, judged, now = time.perf_counter(), state, datetime.now(UTC)
                for command in commands:
                    judged = fold(decide(judged, command, now), judged)
                t_judge = time.perf_counter() - t0
                t_apply, _ = await _timed(_send_all(districts, district_id, commands))
                t0 = time.perf_counter()
                again = (await districts.status(district_id)).state
                assert diff(again.district, read_roster(path, again.district).staff).empty
                t_again = time.perf_counter() - t0
            raw = await env.client.start_workflow(RawBulkWorkflow.run, id=f"raw-bulk-{uuid4()}", task_queue=tq)
            t_raw, _ = await _timed(_send_raw(raw, commands))
            await raw.signal(RawBulkWorkflow.finish)
    figures = {"read_and_diff_s": t_diff, "judge_s": t_judge, "apply_s": t_apply, "import_total_s": t_diff + t_judge + t_apply,
               "reimport_s": t_again, "raw_updates_s": t_raw, "roster_apply_vs_raw_ratio": t_apply / t_raw}
    print(f"roster import: {n:,} new staff (+{len(start.district.people)} matched, 50 students dropped), "
          f"{len(commands)} sync_roster Updates; embedded stack (Temporal dev server, PostgreSQL 18)")
    for k, v in figures.items():
        print(f"{k} = {v:.2f}")
    return figures


async def _send_all(districts, district_id, commands) -> None:
    for command in commands:
        await districts.send(district_id, command)


async def _send_raw(handle, commands) -> None:
    for command in commands:
        await handle.execute_update(RawBulkWorkflow.take, command.model_dump(mode="json"))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--staff", type=int, default=10_000)
    p.add_argument("--log-level", default="warning")
    a = p.parse_args()
    configure("json", a.log_level)
    asyncio.run(main(a.staff))
