"""Where an online load spends CPU: Neo4j's and this Python process's, per writer job.

On a shared machine wall time follows the load average; CPU seconds do much less. This
starts a Neo4j (``casegraph.local_neo4j``, a temporary folder), loads ``FILE`` with
:func:`casegraph.ingest.pipeline.ingest_file` into the empty database, and prints the wall
time, the CPU seconds the Neo4j process used per kind of writer job (read from
``/proc/PID/stat`` around each write transaction), this process's CPU seconds, and a
fingerprint of the graph the load left (every node and relationship, sealed values opened
with the bench key), so that two versions of the writer can be compared on the same file
for speed and for giving the same graph:

    python bench/synthetic.py /tmp/g20k.jsonl --entities 20000 --rels-per-entity 5
    PYTHONPATH=. python bench/ingest_cpu.py /tmp/g20k.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casegraph import local_neo4j
from casegraph.graph.db import GraphDB
from casegraph.graph.protection import ProtectionKey
from casegraph.graph.schema import init_schema
from casegraph.ingest.pipeline import ingest_file

KEY = ProtectionKey(bytes(range(32)))


def process_cpu(pid: str) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fingerprint(db: GraphDB) -> tuple[str, int, int]:
    """A hash of every node and relationship, sealed values and ``sealed_text`` opened."""

    def opened(props: dict[str, Any], aad: str | None) -> dict[str, Any]:
        out = dict(props)
        if out.get("sealed"):
            out["sealed"] = KEY.unseal(out["sealed"], out["id"])
        if out.get("sealed_text"):
            out["sealed_text"] = KEY.unseal(out["sealed_text"], aad or out["id"])
        return out

    nodes = sorted(
        json.dumps(
            [r["p"]["id"], sorted(r["l"]), opened(r["p"], None)],
            sort_keys=True,
            default=str,
            ensure_ascii=False,
        )
        for r in db.read("MATCH (n:Entity) RETURN labels(n) AS l, properties(n) AS p")
    )
    rels = sorted(
        json.dumps(
            [r["t"], r["a"], r["b"], opened(r["p"], "relationship")],
            sort_keys=True,
            default=str,
            ensure_ascii=False,
        )
        for r in db.read(
            "MATCH (a:Entity)-[r]->(b:Entity) "
            "RETURN type(r) AS t, a.id AS a, b.id AS b, properties(r) AS p"
        )
    )
    blob = "\n".join([*nodes, *rels])
    return hashlib.sha256(blob.encode()).hexdigest()[:16], len(nodes), len(rels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--pagecache", default="1g")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="casegraph-bench-cpu-"))
    data_dir = tmp / "neo4j"
    try:
        uri = local_neo4j.start(
            local_neo4j.free_port(), data_dir, heap=args.heap, pagecache=args.pagecache
        )
        pid = (data_dir / "neo4j.pid").read_text().strip()
        db = GraphDB(uri, protection_key=KEY)
        db.wait_until_ready(60)
        init_schema(db)
        jobs: dict[str, list[float]] = {}
        execute_write = GraphDB.execute_write

        def timed(self: GraphDB, work: Callable[..., Any], *a: Any, **k: Any) -> Any:
            name = getattr(work, "__qualname__", "?").split(".<locals>")[0]
            cpu, wall = process_cpu(pid), time.perf_counter()
            try:
                return execute_write(self, work, *a, **k)
            finally:
                job = jobs.setdefault(name, [0, 0.0, 0.0])
                job[0] += 1
                job[1] += process_cpu(pid) - cpu
                job[2] += time.perf_counter() - wall

        GraphDB.execute_write = timed  # type: ignore[method-assign]
        load_before = os.getloadavg()
        neo_cpu, own_cpu, wall = process_cpu(pid), time.process_time(), time.perf_counter()
        report = ingest_file(db, args.file, batch_size=args.batch_size)
        wall = time.perf_counter() - wall
        own_cpu = time.process_time() - own_cpu
        neo_cpu = process_cpu(pid) - neo_cpu
        load_after = os.getloadavg()
        GraphDB.execute_write = execute_write  # type: ignore[method-assign]
        digest, n_nodes, n_rels = fingerprint(db)
        db.close()
        print(
            f"{report.records:,} records in {wall:.1f} s = {report.records / wall:,.0f} records/s"
        )
        print(f"CPU: Neo4j {neo_cpu:.1f} s, this Python process {own_cpu:.1f} s")
        for name, (n, cpu, w) in sorted(jobs.items(), key=lambda j: -j[1][1]):
            print(f"  {name:<40} {int(n):4} transactions, Neo4j CPU {cpu:6.1f} s, wall {w:6.1f} s")
        print(f"graph: {n_nodes:,} entities, {n_rels:,} relationships, fingerprint {digest}")
        print(f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min)")
        print("command: python bench/ingest_cpu.py " + " ".join(argv or sys.argv[1:]))
    finally:
        local_neo4j.stop(data_dir)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
