"""What a read costs in CPU, in the API's process and in Neo4j, with no HTTP around it: the
depth-2 neighborhoods (``limit=50``) of every 25th of the first 5,000 people and the search
of 100 surname prefixes (the load mix's targets), called through
:mod:`casegraph.graph.repository` as the routes call them.

It compares two trees of casegraph in the same run: ``--before DIR`` (e.g. ``git archive
<ref> casegraph | tar -x -C DIR``) and this one, each in its own process, in turns
(before, after, after, before, ...), on the same Neo4j. Per side it prints the medians over
the turns of the client's CPU (``time.process_time``) and Neo4j's (``/proc/PID/stat``) per
call, and whether both sides gave the same answers (a digest of them all).

Usage::

    python bench/read_cpu.py --uri bolt://127.0.0.1:7791 --neo4j-data DIR --before OLD --rounds 2

It writes nothing to the graph.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from wrk_figures import cpu_ms  # noqa: E402


def one_turn(uri: str, pid: int, code: str) -> dict[str, Any]:
    """One pass of each kind, in this process, with casegraph imported from ``code``."""
    sys.path.insert(0, code)
    from casegraph.graph import repository
    from casegraph.graph.db import GraphDB

    db = GraphDB(uri)
    try:
        rows = db.read("MATCH (p:Person) RETURN p.id AS id, p.name AS n ORDER BY p.id LIMIT 5000")
        people = [r["id"] for r in rows][::25]
        terms = sorted({r["n"].split()[-1][:4] for r in rows[:2000] if r["n"]})[:100]
        for p in people[:20]:  # the plans compiled, the connection open
            repository.neighborhood(db, p, depth=2, limit=50)
        out: dict[str, Any] = {}
        answers: list[Any] = []
        for kind, calls in (
            (
                "neighborhood",
                [lambda p=p: repository.neighborhood(db, p, depth=2, limit=50) for p in people],
            ),
            ("search", [lambda q=q: repository.search(db, q, limit=20) for q in terms]),
        ):
            n0 = cpu_ms(pid)  # scans /proc: outside the client's measured time
            c0 = time.process_time()
            for call in calls:
                answers.append(call())
            c1 = time.process_time()
            n1 = cpu_ms(pid)
            out[kind] = {
                "calls": len(calls),
                "client_ms": round((c1 - c0) / len(calls) * 1000, 3),
                "neo4j_ms": round((n1 - n0) / len(calls), 3),
            }
        text = json.dumps(answers, sort_keys=True, default=str).encode()
        out["digest"] = hashlib.sha256(text).hexdigest()[:16]
        return out
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--uri", default="bolt://127.0.0.1:7791")
    ap.add_argument("--neo4j-data", type=Path, required=True, help="the local Neo4j's folder")
    ap.add_argument("--before", type=Path, required=True, help="a tree holding casegraph/")
    ap.add_argument("--rounds", type=int, default=2, help="before/after pairs (ABBA order)")
    ap.add_argument("--turn", default="", help=argparse.SUPPRESS)  # a child: one turn of CODE
    args = ap.parse_args(argv)
    pid = int((args.neo4j_data / "neo4j.pid").read_text())
    if args.turn:
        print(json.dumps(one_turn(args.uri, pid, args.turn)))
        return 0
    command = shlex.join(
        [".venv/bin/python", "bench/read_cpu.py", *(sys.argv[1:] if argv is None else argv)]
    )
    sides = {"before": str(args.before.resolve()), "after": str(ROOT)}
    order = []
    for i in range(args.rounds):
        order += ["before", "after"] if i % 2 == 0 else ["after", "before"]
    turns: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    loads = []
    for side in order:
        loads.append(round(os.getloadavg()[0], 1))
        child = [sys.executable, __file__, "--uri", args.uri, "--neo4j-data", str(args.neo4j_data)]
        child += ["--before", str(args.before), "--turn", sides[side]]
        done = subprocess.run(child, capture_output=True, text=True, check=True)
        turn = json.loads(done.stdout.strip().splitlines()[-1])
        turns[side].append(turn)
        print(side, json.dumps(turn), flush=True)
    print()
    for kind in ("neighborhood", "search"):
        for figure in ("client_ms", "neo4j_ms"):
            b = statistics.median(t[kind][figure] for t in turns["before"])
            a = statistics.median(t[kind][figure] for t in turns["after"])
            print(
                f"{kind:<13} {figure:<10} before {b:7.2f}  after {a:7.2f}  after/before {a / b:.2f}"
            )
    digests = {t["digest"] for side in turns.values() for t in side}
    print("same answers on both sides:", "yes" if len(digests) == 1 else f"NO ({sorted(digests)})")
    print(f"load average (1 min) at each turn: {loads}")
    print(f"reproduce: {command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
