"""Benchmark of link analysis: casegraph beside plain NetworkX on the same graph, same run.

For each size (default 10,000 and 100,000 entities, about 5 relationships each, power-law
degrees, from ``bench/synthetic.py``) it loads the network into a fresh Neo4j and measures:

- projection: casegraph's streamed projection (default: people and organizations) and the
  projection of every entity and relationship, beside a plain one-record-per-relationship
  read into ``nx.Graph.add_edge`` (the baseline);
- PageRank (casegraph vs ``networkx.pagerank``), exact betweenness (10k: casegraph/igraph vs
  ``networkx.betweenness_centrality``), sampled betweenness k=256 (100k), Louvain — each
  with the largest absolute difference between the two answers;
- the API: ``GET /analytics/centrality`` through a TestClient, first (uncached) and then
  cached (median of 20).

Usage::

    .venv/bin/python bench/analytics.py                 # starts its own Neo4j
    .venv/bin/python bench/analytics.py --sizes 10000   # one size
    .venv/bin/python bench/analytics.py --uri bolt://127.0.0.1:7687   # a Neo4j you have
                                                         # (it is EMPTIED first)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_jsonl

from casegraph import local_neo4j
from casegraph.graph.analytics import centrality, service
from casegraph.graph.analytics.communities import louvain
from casegraph.graph.analytics.projection import ProjectionOptions, project
from casegraph.graph.db import GraphDB
from casegraph.graph.model import check_kind, check_rel_type
from casegraph.graph.schema import init_schema, reset_database

T = TypeVar("T")

PLAIN = "MATCH (a:Person|Organization)-[r]->(b:Person|Organization) RETURN a.id AS a, b.id AS b"
PLAIN_NODES = "MATCH (n:Person|Organization) RETURN n.id AS id"


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def neo4j(uri: str | None) -> Iterator[str]:
    if uri:
        yield uri
        return
    data = Path(tempfile.mkdtemp(prefix="casegraph-bench-analytics-"))
    try:
        yield local_neo4j.start(free_port(), data, pagecache="2g", heap="4g")
    finally:
        local_neo4j.stop(data)
        shutil.rmtree(data, ignore_errors=True)


def bulk_load(db: GraphDB, path: Path, batch: int = 20_000) -> None:
    """Load a synthetic file with plain ``UNWIND … CREATE`` batches (the benchmark measures
    analytics, not ingest; the ingest pipeline has its own benchmark). Same nodes, labels,
    ids, names and relationship properties as the ingest pipeline would write."""
    nodes: dict[str, list[dict[str, Any]]] = {}
    rels: dict[str, list[dict[str, Any]]] = {}

    def flush_nodes(label: str) -> None:
        q = f"UNWIND $rows AS r CREATE (n:Entity:{check_kind(label)}) SET n = r"
        db.write(q, {"rows": nodes.pop(label)})

    def flush_rels(rtype: str) -> None:
        q = (
            "UNWIND $rows AS r MATCH (a:Entity {id: r.f}) MATCH (b:Entity {id: r.t}) "
            f"CREATE (a)-[x:{check_rel_type(rtype)}]->(b) SET x = r.p"
        )
        db.write(q, {"rows": rels.pop(rtype)})

    with path.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec["kind"] == "source":
                nodes.setdefault("Source", []).append({"id": rec["id"], "name": rec["title"]})
            elif rec["kind"] == "entity":
                rows = nodes.setdefault(rec["label"], [])
                rows.append({"id": rec["id"], "name": rec["name"], "sources": rec["sources"]})
                if len(rows) >= batch:
                    flush_nodes(rec["label"])
            else:
                for label in list(nodes):
                    flush_nodes(label)
                props = dict(rec.get("properties") or {}, sources=rec["sources"])
                rows = rels.setdefault(rec["type"], [])
                rows.append({"f": rec["from"], "t": rec["to"], "p": props})
                if len(rows) >= batch:
                    flush_rels(rec["type"])
    for label in list(nodes):
        flush_nodes(label)
    for rtype in list(rels):
        flush_rels(rtype)
    db.bump_graph_version()


def plain_projection(db: GraphDB) -> nx.Graph:
    """The baseline: one record per relationship, ``add_edge`` each."""
    G = nx.Graph()

    def work(tx: Any) -> None:
        for rec in tx.run(PLAIN_NODES):
            G.add_node(rec["id"])
        for rec in tx.run(PLAIN):
            G.add_edge(rec["a"], rec["b"])

    db.execute_read(work)
    return G


def maxdiff(a: dict[Any, float], b: dict[Any, float]) -> float:
    return max((abs(a[k] - b[k]) for k in b), default=0.0)


def row(label: str, ours: float, base: float | None, note: str = "") -> str:
    ratio = f"{base / ours:7.1f}x" if base else "      -"
    b = f"{base:9.3f}" if base is not None else "        -"
    line = f"| {label:<44} | {ours:9.3f} | {b} | {ratio} | {note} |"
    print(line, flush=True)  # as soon as it is measured: long runs can be cut short
    return line


def run_size(db: GraphDB, n: int, work_dir: Path, exact_limit: int) -> list[str]:
    out: list[str] = []
    reset_database(db)
    db.bump_graph_version()
    init_schema(db)
    path = work_dir / f"synthetic-{n}.jsonl"
    entities, rels = write_jsonl(path, n, 5.0, seed=0)
    t_ingest, _ = timed(lambda: bulk_load(db, path))
    print(
        f"[{n}] ingested {entities} entities, {rels} relationships in {t_ingest:.1f}s", flush=True
    )

    project(db)  # warm the server's caches and query plans once
    t_proj, G = timed(lambda: project(db))
    t_plain, P = timed(lambda: plain_projection(db))
    assert set(G) == set(P) and G.number_of_edges() == P.number_of_edges()
    all_kinds = ProjectionOptions(kinds=("Person", "Organization", "Location", "Case"))
    t_all, A = timed(lambda: project(db, all_kinds))
    n_rel_all = db.read("MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS c")[0]["c"]
    out.append(
        f"**{n:,} entities, {rels:,} relationships** (bulk load {t_ingest:.0f} s). Default "
        f"projection: {len(G):,} nodes, {G.number_of_edges():,} edges; all kinds: "
        f"{len(A):,} nodes, {A.number_of_edges():,} edges from {n_rel_all:,} relationships.\n"
    )
    out.append("| step | casegraph s | NetworkX / plain s | speed-up | check |")
    out.append("|---|---:|---:|---:|---|")
    out.append(row("projection, default (Person+Organization)", t_proj, t_plain, "same graph"))
    out.append(row(f"projection, all kinds ({n_rel_all:,} rels)", t_all, None, ""))

    t_pr, pr = timed(lambda: centrality.pagerank(G))
    t_pr_nx, pr_nx = timed(lambda: nx.pagerank(G))
    out.append(row("PageRank", t_pr, t_pr_nx, f"max |diff| {maxdiff(pr, pr_nx):.1e}"))

    if n <= exact_limit:
        t_bc, bc = timed(lambda: centrality.betweenness(G))
        print(f"[{n}] exact betweenness casegraph {t_bc:.1f}s; networkx running…", flush=True)
        t_bc_nx, bc_nx = timed(lambda: nx.betweenness_centrality(G))
        out.append(row("betweenness, exact", t_bc, t_bc_nx, f"max |diff| {maxdiff(bc, bc_nx):.1e}"))
    t_sb, sb = timed(lambda: centrality.betweenness(G, k=256, seed=0))
    print(f"[{n}] sampled betweenness casegraph {t_sb:.1f}s; networkx running…", flush=True)
    t_sb_nx, sb_nx = timed(lambda: nx.betweenness_centrality(G, k=256, seed=0))
    out.append(
        row("betweenness, sampled k=256", t_sb, t_sb_nx, f"max |diff| {maxdiff(sb, sb_nx):.1e}")
    )

    t_lv, part = timed(lambda: louvain(G, seed=0))
    t_lv_nx, parts_nx = timed(lambda: nx.community.louvain_communities(G, seed=0))
    same = sorted(map(sorted, part.communities)) == sorted(map(sorted, parts_nx))
    out.append(
        row(
            "Louvain (+ modularity for casegraph)",
            t_lv,
            t_lv_nx,
            f"same partition: {same}; Q={part.modularity:.4f}",
        )
    )

    from fastapi.testclient import TestClient

    from casegraph.api.app import create_app
    from casegraph.api.auth import create_key
    from casegraph.settings import Settings

    service.CACHE.clear()
    settings = Settings(neo4j_uri=db.uri, audit_path=work_dir / "audit.log")
    app = create_app(db=db, settings=settings)
    headers = {"Authorization": f"Bearer {create_key(db, 'admin', name='bench').key}"}
    with TestClient(app, headers=headers) as client:
        url = "/analytics/centrality?measure=pagerank&top=10"
        t_first, r = timed(lambda: client.get(url))
        assert r.status_code == 200, r.text
        cached = []
        for _ in range(20):
            t, r = timed(lambda: client.get(url))
            assert r.status_code == 200, r.text
            cached.append(t)
    out.append(row("API centrality, first call (projection+measure)", t_first, None, ""))
    out.append(
        row(
            "API centrality, cached (median of 20)",
            statistics.median(cached),
            None,
            f"min {min(cached) * 1000:.1f} ms",
        )
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--uri", help="use this Neo4j (it is emptied) instead of starting one")
    parser.add_argument(
        "--exact-limit",
        type=int,
        default=20_000,
        help="exact betweenness only up to this many entities",
    )
    args = parser.parse_args(argv)
    lines = [
        "Command: `.venv/bin/python bench/analytics.py "
        + " ".join(f"--sizes {' '.join(map(str, args.sizes))}".split())
        + "`\n"
    ]
    with neo4j(args.uri) as uri, GraphDB(uri) as db, tempfile.TemporaryDirectory() as tmp:
        db.wait_until_ready(60)
        nx.pagerank(nx.path_graph(3))  # import SciPy before timing anything
        version = db.ping()
        lines.append(
            f"Neo4j {version['version']} {version['edition']}, networkx {nx.__version__}\n"
        )
        for n in args.sizes:
            lines.extend(run_size(db, n, Path(tmp), args.exact_limit))
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            lines.append(
                f"\n(load average at the end of this size: {load} on {os.cpu_count()} CPUs)"
            )
            lines.append("")
            print("\n".join(lines), flush=True)
    print("\n=== results ===\n" + "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
