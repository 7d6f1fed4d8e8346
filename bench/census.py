"""What one cached workflow holds alone in the worker's Python heap: ours (a team) against the raw engine.

    .venv/bin/python -m bench.census            # 10 of each kind

Issue 13 (worker memory per cached team). ``bench.scale`` gives RSS per cached
workflow; this says what it is made of. A worker (``build_worker``, hosting
``RawNoop`` too) runs in this process on the embedded stack; N raw workflows and
N teams are started as ``bench.scale`` starts them (a team: registration and its
first advance). For one workflow of each kind, every object reachable from its
cache entry and from no other workflow's (modules, classes and the worker
itself are not followed) is its own: counted by type and by what holds it (its
state, its input, its asyncio tasks, the SDK's per-run machinery). Shallow
sizes (``sys.getsizeof``): what the objects take, not what they point to in Rust
(the SDK core keeps every command's state machine for the run, outside this count).
"""

import argparse
import asyncio
import gc
import sys
import types
from collections import Counter
from uuid import uuid4

from app.wiring import build_worker

from .raw import RawNoopWorkflow
from .scale import Ours, Raw, bounded
from .stack import embedded_stack_with_url

# What holds an object, by the first of these met on its way from the cache entry (checked in this order).
OWNERS = (
    ("TeamWorkflowInput", "its input (held by the run's frames)"),
    ("TeamState", "its folded state"),
    ("set > Task", "its background tasks (ours: persist, clock, report loops)"),
    ("Task", "its main task (run; ours: _live, _supervise)"),
    ("dict > list > tuple", "its pending wait conditions"),
    ("Importer", "the sandbox's importer"),
    ("PayloadConverter", "its payload converter"),
    ("Random", "its deterministic Random"),
    ("Info", "its workflow info"),
)


def reach(root, stop: set[int]) -> tuple[dict[int, object], dict[int, object]]:
    """Every object reachable from root (and which object reached it first), not crossing ``stop``."""
    seen, parent, todo = {id(root): root}, {}, [root]
    while todo:
        o = todo.pop()
        for r in gc.get_referents(o):
            if id(r) in seen or id(r) in stop or isinstance(r, (type, types.ModuleType, types.CodeType)):
                continue
            seen[id(r)], parent[id(r)] = r, o
            todo.append(r)
    return seen, parent


def route(o, parent) -> str:
    chain = [type(o).__name__]
    while (o := parent.get(id(o))) is not None:
        chain.append(type(o).__name__)
    return " > ".join(reversed(chain))


def own_objects(workflows: list, stop: set[int]) -> tuple[dict[int, object], dict[int, object]]:
    """What the first workflow holds that none of the next three reach."""
    mine, parent = reach(workflows[0], stop)
    others: set[int] = set()
    for w in workflows[1:4]:
        others |= set(reach(w, stop)[0])
    return {k: v for k, v in mine.items() if k not in others}, parent


def report(kind: str, own: dict[int, object], parent) -> tuple[Counter, Counter]:
    """Print, and return, the bytes of a workflow's own objects by what holds them and by type."""
    by_type: Counter = Counter()
    by_owner: Counter = Counter()
    for o in own.values():
        size = sys.getsizeof(o)
        by_type[type(o).__qualname__] += size
        path = route(o, parent)
        by_owner[next((label for owner, label in OWNERS if owner in path), "the SDK's other per-run objects")] += size
    print(f"\n{kind}: {len(own)} objects of its own, {sum(by_type.values()) / 1024:.1f} KB")
    print("  by what holds them:")
    for owner, size in by_owner.most_common():
        print(f"    {size:7,d} B  {owner}")
    print("  by type:")
    for name, size in by_type.most_common(15):
        print(f"    {size:7,d} B  {name}")
    return by_owner, by_type


async def main(n: int) -> dict[str, tuple[Counter, Counter]]:
    async with embedded_stack_with_url() as (env, store, _url):
        tq = f"census-{uuid4().hex[:8]}"
        worker = build_worker(env.client, store, task_queue=tq, workflow_cache=4 * n, extra_workflows=[RawNoopWorkflow])
        async with worker:
            for kind in (Raw(env.client, tq), Ours(env.client, tq)):
                await bounded(n, n, lambda i, kind=kind: kind.start_one())
            await asyncio.sleep(2.0)  # the last appends settle
            running = worker._workflow_worker._running_workflows  # the SDK's cache: run id -> cached workflow
            stop = {id(worker), id(worker._workflow_worker), id(running), id(env.client), id(store)}
            stop |= {id(m.__dict__) for m in list(sys.modules.values()) if hasattr(m, "__dict__")}
            kinds: dict[str, list] = {}
            for cached in running.values():
                kinds.setdefault(cached.get_info().workflow_type, []).append(cached)
            found = {}
            for kind, cached in kinds.items():
                others = stop | {id(c) for k, cs in kinds.items() if k != kind for c in cs}
                found[kind] = report(kind, *own_objects(cached, others))
            return found


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--each", type=int, default=10, help="workflows of each kind (at least 4)")
    a = p.parse_args()
    from app.logging import configure

    configure("json", "warning")
    asyncio.run(main(max(a.each, 4)))
