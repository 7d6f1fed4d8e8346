"""Whose code a worker's CPU went to, from the py-spy stacks ``bench.scale --profile DIR`` writes.

    .venv/bin/python -m bench.scale --teams 1000 --profile /tmp/prof
    .venv/bin/python -m bench.profile_groups /tmp/prof/*.txt

Issue 13 asks for a profile of what stands between plcflow and the raw engine.
py-spy's collapsed stacks name each sample's innermost Python frame; this sums
the samples by who owns that frame (the Temporal SDK, the event loop and its
thread hand-off, pydantic, asyncpg, plcflow's own packages), leaving out the
samples of threads waiting for work (the event loop's ``select``, an idle
executor thread). It also counts the samples with any plcflow frame on the
stack at all: everything our code did, including the SDK and pydantic work it
called. Time in the SDK's Rust core is not in these stacks (py-spy samples
Python); the worker's CPU figures in ``bench.scale`` include it.
"""

import argparse
import re
from collections import Counter
from dataclasses import dataclass, field

OURS = ("domain/", "workflows/", "activities/", "app/")
OWNERS = (  # the first prefix of a frame's file that matches names its owner
    ("temporalio/", "Temporal SDK"),
    ("pydantic", "pydantic"),
    ("asyncpg/", "asyncpg"),
    ("structlog/", "structlog"),
    ("asyncio/", "event loop and thread hand-off"),
    ("concurrent/futures/", "event loop and thread hand-off"),
    ("threading.py", "event loop and thread hand-off"),
    ("selectors.py", "event loop and thread hand-off"),
    ("contextlib.py", "event loop and thread hand-off"),
    *((prefix, "plcflow") for prefix in OURS),
)
# A thread waiting for work, not working: the loop's select, an executor thread blocked on its queue.
WAITING = ("EpollSelector.select (selectors.py", "_worker (concurrent/futures/thread.py")
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^:()]*)(?::\d+)?\)$")


def owner(frame: str) -> str:
    match = FRAME.match(frame)
    path = match["file"] if match else ""
    return next((name for prefix, name in OWNERS if path.startswith(prefix)), "other (stdlib, native)")


@dataclass
class Groups:
    samples: int = 0
    waiting: int = 0
    by_owner: Counter = field(default_factory=Counter)
    under_ours: int = 0  # on-CPU samples with a plcflow frame anywhere on the stack

    @property
    def working(self) -> int:
        return self.samples - self.waiting


def groups(lines) -> Groups:
    g = Groups()
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n, frames = int(count), stack.split(";")
        g.samples += n
        if frames[-1].startswith(WAITING):
            g.waiting += n
            continue
        g.by_owner[owner(frames[-1])] += n
        if any(owner(f) == "plcflow" for f in frames):
            g.under_ours += n
    return g


def report(name: str, g: Groups) -> str:
    work = max(g.working, 1)
    lines = [f"{name}: {g.samples} samples, {g.waiting} waiting for work, {g.working} working"]
    lines += [f"  {100 * n / work:5.1f}%  {who}" for who, n in g.by_owner.most_common()]
    lines.append(f"  {100 * g.under_ours / work:5.1f}%  with plcflow code on the stack (it and what it called)")
    return "\n".join(lines)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+", help="py-spy --format raw outputs")
    for path in p.parse_args().files:
        with open(path) as f:
            print(report(path, groups(f)))
