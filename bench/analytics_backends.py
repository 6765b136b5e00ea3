"""Benchmark of the two analytics backends, ``local`` (NetworkX/igraph in this process) vs
``gds`` (Graph Data Science in Neo4j), on the same graph in the same run.

It starts its own Neo4j 2026.01 with GDS 2.26 (``neo4j-local --with-gds``), loads a
synthetic power-law network (``bench/synthetic.py``, ~5 relationships per entity, seed 0)
with ``bench/analytics.py``'s loader, then runs each backend in a fresh Python process
(so that each has its own peak RSS) through ``casegraph.graph.analytics.service``:

1. projection + PageRank (local: the NetworkX projection, then PageRank on it; gds: the
   node table, a Cypher projection in GDS, PageRank, drop);
2. Louvain (local: on the projection already in memory; gds: projection + Louvain + drop);
3. betweenness sampled with k sources (local: igraph on the projection in memory; gds:
   projection + ``gds.betweenness`` with ``samplingSize`` + drop).

Each worker prints the time of each step and its peak RSS (``ru_maxrss``, the high-water
mark of the whole process, imports included) and the RSS after its imports. The parent
compares the answers (PageRank top 10 and largest score difference; Louvain modularity and
NMI) and prints the load average before and after: the machine is shared, so the ratios of
one run are the figures to quote, not the absolute times.

Usage::

    .venv/bin/python bench/analytics_backends.py                   # 200,000 entities
    .venv/bin/python bench/analytics_backends.py --entities 20000 --k 64
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from analytics import bulk_load
from synthetic import write_jsonl

from casegraph import local_neo4j
from casegraph.graph.analytics import service
from casegraph.graph.analytics.cache import AnalyticsCache
from casegraph.graph.analytics.projection import ProjectionOptions
from casegraph.graph.db import GraphDB
from casegraph.graph.schema import init_schema


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(uri: str, backend: str, k: int) -> dict[str, Any]:
    """One backend's three steps, in this (fresh) process."""
    db = GraphDB(uri)
    cache = AnalyticsCache()
    out: dict[str, Any] = {"backend": backend, "rss_after_imports_mb": rss_mb()}
    t = time.perf_counter()
    pr = service.centrality(db, "pagerank", top=10, cache=cache, backend=backend)
    out["pagerank_s"] = time.perf_counter() - t
    _, scores, _, ran = service._scored(
        db,
        "pagerank",
        None,
        k=None,
        seed=0,
        cache=cache,
        backend=service.get_backend(backend),
    )
    assert ran == backend, ran
    out["pagerank_top10"] = [r["id"] for r in pr["results"]]
    out["pagerank_scores"] = {str(v): s for v, s in scores.items()}
    out["nodes"] = pr["nodes_considered"]
    t = time.perf_counter()
    _, part, ran = service._partitioned(
        db,
        ProjectionOptions(),
        seed=0,
        resolution=1.0,
        cache=cache,
        backend=service.get_backend(backend),
    )
    out["louvain_s"] = time.perf_counter() - t
    assert ran == backend, ran
    out["modularity"] = part.modularity
    out["communities"] = [[str(v) for v in c] for c in part.communities]
    t = time.perf_counter()
    bt = service.centrality(db, "betweenness", top=10, k=k, seed=0, cache=cache, backend=backend)
    out["betweenness_s"] = time.perf_counter() - t
    out["betweenness_top10"] = [r["id"] for r in bt["results"]]
    out["peak_rss_mb"] = peak_mb()
    db.close()
    return out


def nmi(a: list[list[str]], b: list[list[str]]) -> float:
    la = {v: i for i, c in enumerate(a) for v in c}
    lb = {v: i for i, c in enumerate(b) for v in c}
    n = len(la)
    joint = Counter((la[v], lb[v]) for v in la)
    pa, pb = Counter(la.values()), Counter(lb.values())
    mi = sum(c / n * math.log(c * n / (pa[x] * pb[y])) for (x, y), c in joint.items())
    ha = -sum(c / n * math.log(c / n) for c in pa.values())
    hb = -sum(c / n * math.log(c / n) for c in pb.values())
    return 1.0 if ha + hb == 0 else 2 * mi / (ha + hb)


def run_worker(uri: str, backend: str, k: int, out_dir: Path) -> dict[str, Any]:
    result = out_dir / f"{backend}.json"
    subprocess.run(
        [sys.executable, __file__, "--worker", backend, "--uri", uri, "--k", str(k),
         "--out", str(result)],
        check=True,
        env=dict(os.environ, PYTHONPATH=os.environ.get("PYTHONPATH", "")),
    )  # fmt: skip
    data: dict[str, Any] = json.loads(result.read_text())
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entities", type=int, default=200_000)
    ap.add_argument("--k", type=int, default=256, help="sampled betweenness sources")
    ap.add_argument("--uri", help="a Neo4j with GDS (EMPTIED first unless --worker)")
    ap.add_argument("--worker", choices=("local", "gds"), help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        args.out.write_text(json.dumps(worker(args.uri, args.worker, args.k)))
        return 0

    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="casegraph-bench-backends-"))
    data = work / "neo4j"
    try:
        t = time.perf_counter()
        uri = args.uri or local_neo4j.start(
            local_neo4j.free_port(), data, with_gds=True, heap="4g", pagecache="2g", timeout=600
        )
        print(f"Neo4j {local_neo4j.GDS_NEO4J_VERSION} + GDS {local_neo4j.GDS_VERSION} "
              f"ready in {time.perf_counter() - t:.0f} s: {uri}", flush=True)  # fmt: skip
        db = GraphDB(uri)
        db.write("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        init_schema(db)
        path = work / "graph.jsonl"
        n_ent, n_rel = write_jsonl(path, args.entities)
        t = time.perf_counter()
        bulk_load(db, path)
        print(f"loaded {n_ent:,} entities, {n_rel:,} relationships in "
              f"{time.perf_counter() - t:.0f} s", flush=True)  # fmt: skip
        db.close()
        results = {b: run_worker(uri, b, args.k, work) for b in ("local", "gds")}
    finally:
        if not args.uri:
            local_neo4j.stop(data)
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()

    loc, gds = results["local"], results["gds"]
    diff = max(
        abs(loc["pagerank_scores"][v] - gds["pagerank_scores"][v]) for v in loc["pagerank_scores"]
    )
    rows = [
        ("projection + PageRank", "pagerank_s",
         f"top 10 same: {loc['pagerank_top10'] == gds['pagerank_top10']}; max |diff| {diff:.1e}"),
        ("Louvain", "louvain_s",
         f"Q {loc['modularity']:.4f} / {gds['modularity']:.4f}; "
         f"NMI {nmi(loc['communities'], gds['communities']):.3f}"),
        (f"betweenness, sampled k={args.k}", "betweenness_s",
         f"top 10 overlap {len(set(loc['betweenness_top10']) & set(gds['betweenness_top10']))}/10"),
    ]  # fmt: skip
    print(f"\n{args.entities:,} entities, {n_rel:,} relationships; default projection: "
          f"{loc['nodes']:,} nodes (local) / {gds['nodes']:,} (gds)")  # fmt: skip
    print("| step | local s | gds s | local/gds | check |")
    print("|---|---:|---:|---:|---|")
    for label, key, check in rows:
        print(
            f"| {label} | {loc[key]:.2f} | {gds[key]:.2f} | {loc[key] / gds[key]:.1f}x | {check} |"
        )
    print(f"| peak RSS of the Python process, MB | {loc['peak_rss_mb']:.0f} | "
          f"{gds['peak_rss_mb']:.0f} | {loc['peak_rss_mb'] / gds['peak_rss_mb']:.1f}x | "
          f"after imports: {loc['rss_after_imports_mb']:.0f} / "
          f"{gds['rss_after_imports_mb']:.0f} |")  # fmt: skip
    print(f"\nload average before: {' '.join(f'{x:.2f}' for x in load_before)}; "
          f"after: {' '.join(f'{x:.2f}' for x in load_after)}; CPUs: {os.cpu_count()}")  # fmt: skip
    print("command: .venv/bin/python bench/analytics_backends.py "
          f"--entities {args.entities} --k {args.k}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
