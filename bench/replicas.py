"""Two API replicas against one, under the load bench's mix, in the same run.

One Neo4j (kept in ``--data``, so the synthetic graph is loaded once), one viewer key, then
for each replica count N in ``--replicas`` (default ``1 2``): N ``casegraph serve``
processes on their own ports (``--workers`` uvicorn workers each), sharing what replicas
share in production (the graph, the protection key file, ``CASEGRAPH_AUDIT_SINK=both``);
the clients are split round-robin across the replicas, as a load balancer would, and run
the load bench's mix (45% search, 45% depth-2 neighborhood, 10% cached centrality) for
``--duration`` seconds. The clients are ``httpx`` ones in this process (``bench/load.py``
uses wrk). It prints throughput and p50/p99 per N and the ratio to N=1.

On one 2-core machine the replicas share the cores with Neo4j and the clients, so the
figure says what a second process adds on the same host (little, when the CPUs are already
busy), not what a second host adds. See docs/deploy.md.

Usage::

    .venv/bin/python bench/replicas.py                      # 20k entities, 40 clients, 30 s
    .venv/bin/python bench/replicas.py --entities 100000 --duration 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from serving import (  # noqa: E402
    Server,
    ensure_graph,
    free_port,
    start_server,
    stop_servers,
    targets,
    wait_until_up,
    warm_up,
)
from wrk_figures import pct  # noqa: E402

from casegraph import local_neo4j  # noqa: E402
from casegraph.api.auth import create_key  # noqa: E402
from casegraph.graph.db import GraphDB  # noqa: E402
from casegraph.graph.schema import init_schema  # noqa: E402


class Stats:
    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.error_samples: list[str] = []

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        if ok:
            self.lat.setdefault(kind, []).append(seconds * 1000)
        else:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{kind}: {detail}")

    def report(self, title: str, elapsed: float) -> dict[str, Any]:
        every = [x for v in self.lat.values() for x in v]
        n_err = sum(self.errors.values())
        out = {
            "title": title,
            "requests": len(every) + n_err,
            "seconds": round(elapsed, 1),
            "throughput_rps": round((len(every) + n_err) / elapsed, 1),
            "p50_ms": round(pct(every, 50), 1),
            "p90_ms": round(pct(every, 90), 1),
            "p99_ms": round(pct(every, 99), 1),
            "errors": n_err,
            "by_endpoint": {
                k: {
                    "n": len(v),
                    "p50_ms": round(pct(v, 50), 1),
                    "p99_ms": round(pct(v, 99), 1),
                    "mean_ms": round(statistics.fmean(v), 1),
                }
                for k, v in sorted(self.lat.items())
            },
        }
        print(json.dumps(out, indent=2))
        for s in self.error_samples:
            print("  error:", s)
        return out


async def run_load(
    base: str,
    key: str,
    *,
    clients: int,
    duration: float,
    people: list[str],
    terms: list[str],
    seed: int = 0,
) -> tuple[Stats, float]:
    """``clients`` concurrent httpx clients on the load bench's mix for ``duration`` s."""
    stats = Stats()
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=30.0
    ) as client:
        stop = time.perf_counter() + duration

        async def one_client() -> None:
            while time.perf_counter() < stop:
                params: dict[str, Any]
                r = rng.random()
                if r < 0.45:
                    kind, url = "search", "/entities"
                    params = {"q": rng.choice(terms), "limit": 20}
                elif r < 0.90:
                    kind = "neighborhood"
                    url = f"/entities/{rng.choice(people)}/neighborhood"
                    params = {"depth": 2, "limit": 50}
                else:
                    kind, url = "centrality", "/analytics/centrality"
                    params = {"measure": "degree", "top": 10}
                t = time.perf_counter()
                try:
                    resp = await client.get(url, params=params)
                    ok = resp.status_code == 200
                    detail = f"{resp.status_code} {resp.text[:120]}"
                except httpx.HTTPError as exc:
                    ok, detail = False, repr(exc)
                stats.add(kind, time.perf_counter() - t, ok, detail)

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        return stats, time.perf_counter() - started


def start_replicas(n: int, uri: str, workers: int, data: Path) -> list[Server]:
    """Start ``n`` ``casegraph serve`` processes and wait until each answers /health."""
    servers = [
        start_server(
            uri,
            data,
            workers=workers,
            name=f"uvicorn-{i}",
            env={
                "CASEGRAPH_AUDIT_PATH": str(data / f"audit-{i}.log"),
                "CASEGRAPH_AUDIT_SINK": "both",
                "CASEGRAPH_AUDIT_INSTANCE": f"replica-{i}",
                "CASEGRAPH_PROTECTION_KEY_FILE": str(data / "protection.key"),
            },
        )
        for i in range(n)
    ]
    wait_until_up(servers, 180)
    return servers


async def spread_load(
    bases: list[str], key: str, clients: int, duration: float, people: list[str], terms: list[str]
) -> tuple[Stats, float]:
    """The load bench's mix with the clients split round-robin over ``bases``."""
    shares = [
        clients // len(bases) + (1 if i < clients % len(bases) else 0) for i in range(len(bases))
    ]
    started = time.perf_counter()
    parts = await asyncio.gather(
        *(
            run_load(b, key, clients=c, duration=duration, people=people, terms=terms, seed=i)
            for i, (b, c) in enumerate(zip(bases, shares, strict=True))
        )
    )
    elapsed = time.perf_counter() - started
    merged = Stats()
    for stats, _ in parts:
        for kind, values in stats.lat.items():
            merged.lat.setdefault(kind, []).extend(values)
        for kind, count in stats.errors.items():
            merged.errors[kind] = merged.errors.get(kind, 0) + count
        merged.error_samples.extend(stats.error_samples[:2])
    return merged, elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--entities", type=int, default=20_000)
    ap.add_argument("--clients", type=int, default=40)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn workers per replica")
    ap.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--data", type=Path, default=ROOT / ".casegraph" / "bench-replicas")
    ap.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "replicas.json")
    args = ap.parse_args(argv)

    args.data.mkdir(parents=True, exist_ok=True)
    uri = local_neo4j.start(free_port(), args.data / "neo4j", heap="2g", pagecache="1g")
    db = GraphDB(uri)
    results: dict[str, Any] = {"runs": []}
    try:
        db.wait_until_ready(120)
        init_schema(db)
        ensure_graph(db, args.entities, args.data)
        key = create_key(db, "viewer", f"replicas-bench-{time.time():.0f}").key
        people, terms = targets(db)
        for n in args.replicas:
            servers = start_replicas(n, uri, args.workers, args.data)
            bases = [s.base for s in servers]
            try:
                for base in bases:
                    asyncio.run(warm_up(base, key, people, terms, args.workers))
                load_before = os.getloadavg()
                stats, elapsed = asyncio.run(
                    spread_load(bases, key, args.clients, args.duration, people, terms)
                )
                run = stats.report(
                    f"{n} replica(s) x {args.workers} worker(s), {args.clients} clients, "
                    f"{args.duration:.0f} s, viewer, {args.entities:,} entities",
                    elapsed,
                )
                run["replicas"] = n
                run["loadavg_before"] = [round(x, 1) for x in load_before]
                results["runs"].append(run)
            finally:
                stop_servers(servers)
        one = next((r for r in results["runs"] if r["replicas"] == 1), None)
        print("\nreplicas  req/s   p50 ms   p99 ms  errors  vs 1 replica")
        for r in results["runs"]:
            ratio = r["throughput_rps"] / one["throughput_rps"] if one else float("nan")
            print(
                f"{r['replicas']:>8}  {r['throughput_rps']:>6}  {r['p50_ms']:>7}  {r['p99_ms']:>7}"
                f"  {r['errors']:>6}  {ratio:.2f}x"
            )
        results["command"] = " ".join(
            [".venv/bin/python", "bench/replicas.py", *(argv or sys.argv[1:])]
        )
        results["cpus"] = os.cpu_count()
        results["loadavg_after"] = [round(x, 1) for x in os.getloadavg()]
        print(f"cpus {results['cpus']}, load average after {results['loadavg_after']}")
        print(f"reproduce: {results['command']}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))
    finally:
        db.close()
        local_neo4j.stop(args.data / "neo4j")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
