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

With ``--existing URI`` it measures, on a graph already in that Neo4j (not emptied: e.g. a
bulk-built 200k or 1M database), what issue 13 asks of analytics at scale:

- the projection: NetworkX (:func:`project`) beside the CSR projection (:func:`csr.fetch`),
  default and all kinds (every entity relationship);
- PageRank on the CSR (:func:`csr.pagerank`) beside ``networkx.pagerank`` on the same
  projection, with the largest difference;
- the naive workflow, the baseline: driver export (one record per relationship) →
  ``nx.DiGraph`` → ``nx.pagerank``;
- the API (``casegraph serve --workers N``, an empty cache folder): the cold PageRank (202s
  until the 200) and its ratio to the naive workflow; the same after a restart (the
  projection and scores mapped from the cache folder); the workers' RSS and PSS.

Usage::

    .venv/bin/python bench/analytics.py                 # starts its own Neo4j
    .venv/bin/python bench/analytics.py --sizes 10000   # one size
    .venv/bin/python bench/analytics.py --uri bolt://127.0.0.1:7687   # a Neo4j you have
                                                         # (it is EMPTIED first)
    .venv/bin/python bench/analytics.py --existing bolt://127.0.0.1:7687 --workers 2
"""

from __future__ import annotations

import argparse
import functools
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
from casegraph.graph.analytics import centrality, csr, service
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


def plain_projection(db: GraphDB, graph_class: type[nx.Graph] = nx.Graph) -> nx.Graph:
    """The baseline: one record per relationship, ``add_edge`` each, into a new
    ``graph_class``."""
    G = graph_class()

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


NEO4J_PID: list[int] = []
"""The Neo4j JVM's pid (``--neo4j-data``), to read its CPU time from /proc."""


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (its threads included), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_cpu(fn: Callable[[], T]) -> tuple[float, T, str]:
    """(wall seconds, value, "CPU: here X s, Neo4j Y s"): CPU time carries across machines
    and loads better than wall time."""
    neo = cpu_seconds(NEO4J_PID[0]) if NEO4J_PID else 0.0
    own = time.process_time()
    wall, value = timed(fn)
    own = time.process_time() - own
    note = f"CPU: here {own:.1f} s"
    if NEO4J_PID:
        note += f", Neo4j {cpu_seconds(NEO4J_PID[0]) - neo:.1f} s"
    return wall, value, note


def _rss_pss(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process in MiB, from /proc (PSS shares mapped pages out)."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return fields["Rss"] / 1024, fields["Pss"] / 1024


def _workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children] or [pid]


def _cold_pagerank(base: str, key: str, limit: float = 1200) -> tuple[float, int, list[str]]:
    """Seconds from the first request to the 200 answer (following 202s), how many 202s,
    and the ids of the top 10."""
    import httpx

    url = base + "/analytics/centrality?measure=pagerank&top=10"
    headers = {"Authorization": f"Bearer {key}"}
    running = 0
    t = time.perf_counter()
    with httpx.Client(timeout=limit) as client:
        while True:
            r = client.get(url, headers=headers)
            if r.status_code == 200:
                break
            assert r.status_code == 202, r.text
            running += 1
            time.sleep(0.2)  # Retry-After says 1 s; poll faster to time the answer closely
            assert time.perf_counter() - t < limit, "no answer in time"
    return time.perf_counter() - t, running, [row["id"] for row in r.json()["results"]]


def projection_only(uri: str, repeat: int) -> list[str]:
    """The CSR projection of every entity relationship (issue 13's "projection of 5M
    relationships"), read ``repeat`` times after one unmeasured read that warms Neo4j's
    page cache: each run's wall time and CPU, and the median wall time."""
    all_kinds = ProjectionOptions(kinds=("Person", "Organization", "Location", "Case"))
    out = ["| run | wall s | edges | CPU |", "|---:|---:|---:|---|"]
    walls = []
    with GraphDB(uri) as db:
        db.wait_until_ready(120)
        csr.fetch(db, all_kinds)
        for i in range(1, repeat + 1):
            wall, g, cpu = with_cpu(lambda: csr.fetch(db, all_kinds))
            walls.append(wall)
            out.append(f"| {i} | {wall:.1f} | {g.edges():,} | {cpu} |")
            print(out[-1], flush=True)
    out.append(f"\nmedian wall: {statistics.median(walls):.1f} s")
    return out


def run_existing(uri: str, work_dir: Path, workers: int, naive: bool) -> list[str]:
    """The figures of issue 13, point 4, on the graph already in ``uri`` (see the module
    docstring)."""
    out, key, t_naive = _in_process(uri, naive)  # frees its graphs before the API runs
    return out + _through_the_api(uri, work_dir, workers, key, t_naive)


def _in_process(uri: str, naive: bool) -> tuple[list[str], str, float | None]:
    """The projection and PageRank in this process, and the naive workflow."""
    from casegraph.api.auth import create_key

    out: list[str] = []
    all_kinds = ProjectionOptions(kinds=("Person", "Organization", "Location", "Case"))
    with GraphDB(uri) as db:
        db.wait_until_ready(120)
        n_ent = db.read("MATCH (n:Entity) RETURN count(n) AS c")[0]["c"]
        n_rel = db.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
        key = create_key(db, "viewer", name="bench-analytics").key
        print(f"{n_ent:,} entities, {n_rel:,} relationships", flush=True)
        csr.fetch(db, all_kinds)  # warm Neo4j's page cache for everyone below
        t_all, g_all, cpu_all = with_cpu(lambda: csr.fetch(db, all_kinds))
        t_csr, g, cpu_csr = with_cpu(lambda: csr.fetch(db, ProjectionOptions()))
        t_nx, G, cpu_nx = with_cpu(lambda: project(db))
        out.append(
            f"**{n_ent:,} entities, {n_rel:,} relationships.** Default projection: {len(g):,} "
            f"nodes, {g.edges():,} edges; all kinds: {len(g_all):,} nodes, "
            f"{g_all.edges():,} edges.\n"
        )
        out.append("| step | casegraph s | baseline s | speed-up | check |")
        out.append("|---|---:|---:|---:|---|")
        out.append(row("projection, default, CSR", t_csr, t_nx, f"{cpu_csr}; NetworkX {cpu_nx}"))
        label = f"projection, all kinds ({g_all.edges():,} edges), CSR"
        out.append(row(label, t_all, None, cpu_all))
        t_pr, values, cpu_pr = with_cpu(lambda: csr.pagerank(g))
        t_pr_nx, expected = timed(lambda: nx.pagerank(G))
        diff = max(abs(values[i] - expected[g.entity_id(i)]) for i in range(len(g)))
        out.append(
            row(
                "PageRank, default, CSR vs nx.pagerank",
                t_pr,
                t_pr_nx,
                f"max |diff| {diff:.1e}; {cpu_pr}",
            )
        )
        t_pr_all, _, cpu_pr_all = with_cpu(lambda: csr.pagerank(g_all))
        out.append(row("PageRank, all kinds, CSR", t_pr_all, None, cpu_pr_all))
        t_naive = None
        if naive:

            def naive_workflow() -> dict[Any, float]:
                return dict(nx.pagerank(plain_projection(db, nx.DiGraph)))

            t_naive, _, cpu_naive = with_cpu(naive_workflow)
            out.append(row("naive: export → nx.DiGraph → nx.pagerank", t_naive, None, cpu_naive))
    return out, key, t_naive


def _through_the_api(
    uri: str, work_dir: Path, workers: int, key: str, t_naive: float | None
) -> list[str]:
    """Cold PageRank from ``casegraph serve``, then after a restart; the workers' memory."""
    from serving import start_server, stop_servers, wait_until_up

    out: list[str] = []
    cache_dir = work_dir / "analytics-cache"
    env = {
        "CASEGRAPH_ANALYTICS_CACHE_DIR": str(cache_dir),
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "CASEGRAPH_AUDIT_PATH": str(work_dir / "audit.log"),
    }
    for attempt in ("cold", "restart"):
        server = start_server(uri, work_dir, workers=workers, env=env)
        try:
            wait_until_up([server])
            pids = _workers(server.proc.pid)
            api0 = sum(cpu_seconds(pid) for pid in pids)
            base = server.base
            t_api, (_, running, _), cpu = with_cpu(functools.partial(_cold_pagerank, base, key))
            api = sum(cpu_seconds(pid) for pid in pids) - api0
            note = f"{running} answers 202 first; API {api:.1f} s " + cpu.replace("here", "client")
            if attempt == "cold":
                out.append(row("API PageRank, cold (empty cache folder)", t_api, t_naive, note))
            else:
                out.append(
                    row("API PageRank after a restart (cache folder kept)", t_api, t_naive, note)
                )
            mem = [_rss_pss(pid) for pid in pids]
            rss = ", ".join(f"{r:.0f}/{p:.0f}" for r, p in mem)
            out.append(f"|   workers' RSS/PSS MiB after it ({attempt}) | {rss} | | | |")
        finally:
            stop_servers([server])
    files = sum(f.stat().st_size for f in cache_dir.rglob("*") if f.is_file())
    out.append(f"\nCache folder: {files / 2**20:.0f} MiB.")
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
    parser.add_argument("--existing", help="measure the graph already in this Neo4j (kept)")
    parser.add_argument("--workers", type=int, default=2, help="with --existing: API workers")
    parser.add_argument("--no-naive", action="store_true", help="with --existing: skip it")
    parser.add_argument(
        "--projection-only",
        type=int,
        metavar="N",
        help="with --existing: only time the CSR projection of every relationship, N times",
    )
    parser.add_argument(
        "--neo4j-data", type=Path, help="with --existing: its local folder (for Neo4j's CPU time)"
    )
    args = parser.parse_args(argv)
    if args.neo4j_data:
        NEO4J_PID.append(int((args.neo4j_data / "neo4j.pid").read_text()))
    if args.existing:
        with tempfile.TemporaryDirectory() as tmp:
            nx.pagerank(nx.path_graph(3))  # import SciPy before timing anything
            before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            if args.projection_only:
                lines = projection_only(args.existing, args.projection_only)
            else:
                lines = run_existing(args.existing, Path(tmp), args.workers, not args.no_naive)
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            lines.append(
                "\nCommand: `.venv/bin/python bench/analytics.py --existing URI "
                + (
                    f"--projection-only {args.projection_only}"
                    if args.projection_only
                    else f"--workers {args.workers}"
                )
                + f" --neo4j-data DIR`; load average before {before}, after {load} on "
                f"{os.cpu_count()} CPUs."
            )
        print("\n=== results ===\n" + "\n".join(lines))
        return 0
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
