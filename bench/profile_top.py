"""Read a py-spy collapsed-stack profile (``py-spy record --format raw``, as
``bench/load.py --profile FILE`` writes it) and print where the samples go.

Two tables: the functions whose *own* frames take the most samples (self), and the
casegraph, FastAPI, Starlette, pydantic, neo4j, uvicorn and orjson functions that are on
the stack the most (inclusive: the function and everything it called). Idle threads
(waiting on a lock, a queue or the event loop's selector) are counted apart, so the
percentages are of the samples where a thread ran Python.

Usage::

    .venv/bin/python bench/load.py --entities 10000 --duration 60 --clients 20 \\
        --profile test-artifacts/api.prof
    .venv/bin/python bench/profile_top.py test-artifacts/api.prof --top 40
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

#: frames that mean the thread waits rather than works
IDLE = re.compile(
    r"^(select|poll|epoll_wait|wait|_wait_for_tstate_lock|acquire|get \(queue|_worker \("
    r"|run_forever|_run_once \(asyncio|sleep|Condition\.wait|Runner\.run "
    r"|BoltSocketBase\._wait_for_io|BoltSocketBase\._wait_for_read|_PollLikeSelector\.select)"
)
INTERESTING = re.compile(
    r"(casegraph/|fastapi/|starlette/|pydantic|neo4j/|uvicorn/|orjson|anyio/|h11|httptools)"
)


def parse(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        stacks.append((stack.split(";"), int(count)))
    return stacks


def is_idle(frames: list[str]) -> bool:
    return bool(frames) and bool(IDLE.match(frames[-1].strip()))


def short(frame: str) -> str:
    """``name (path/to/module.py:12)`` → ``name (module path from the package)``."""
    m = re.match(r"(.*) \((.*?):?(\d*)\)$", frame.strip())
    if not m:
        return frame.strip()
    name, where = m.group(1), m.group(2)
    for root in ("site-packages/", "/work/", "lib/python3.11/"):
        if root in where:
            where = where.split(root, 1)[1]
    return f"{name} ({where})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("profile", type=Path)
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args(argv)
    stacks = parse(args.profile)
    busy = [(f, n) for f, n in stacks if not is_idle(f)]
    idle = sum(n for f, n in stacks if is_idle(f))
    total = sum(n for _, n in busy) or 1
    own: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    for frames, n in busy:
        own[short(frames[-1])] += n
        for frame in {short(f) for f in frames if INTERESTING.search(f)}:
            incl[frame] += n
    print(f"{total:,} busy samples, {idle:,} idle (waiting) samples")
    print(f"\nself (top {args.top})")
    for frame, n in own.most_common(args.top):
        print(f"{100 * n / total:6.1f}%  {frame}")
    print(f"\ninclusive (top {args.top})")
    for frame, n in incl.most_common(args.top):
        print(f"{100 * n / total:6.1f}%  {frame}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
