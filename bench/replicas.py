"""Two API replicas against one, under the load bench's mix, in the same run.

One Neo4j (kept in ``--data``, so the synthetic graph is loaded once), one viewer key, then
for each replica count N in ``--replicas`` (default ``1 2``): N ``casegraph serve``
processes on their own ports (``--workers`` uvicorn workers each), sharing what replicas
share in production (the graph, the protection key file, ``CASEGRAPH_AUDIT_SINK=both``);
the clients are split round-robin across the replicas, as a load balancer would, and run
``bench/load.py``'s mix (45% search, 45% depth-2 neighborhood, 10% cached centrality) for
``--duration`` seconds. It prints throughput and p50/p99 per N and the ratio to N=1.

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
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import Stats, ensure_graph, free_port, run_load, warm_up  # noqa: E402

from casegraph import local_neo4j  # noqa: E402
from casegraph.api.auth import create_key  # noqa: E402
from casegraph.graph.db import GraphDB  # noqa: E402
from casegraph.graph.schema import init_schema  # noqa: E402


def start_replicas(
    n: int, uri: str, workers: int, data: Path
) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    """Start ``n`` ``casegraph serve`` processes and wait until each answers /health."""
    procs: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    for i in range(n):
        port = free_port()
        env = {
            **os.environ,
            "CASEGRAPH_NEO4J_URI": uri,
            "CASEGRAPH_AUDIT_PATH": str(data / f"audit-{i}.log"),
            "CASEGRAPH_AUDIT_SINK": "both",
            "CASEGRAPH_AUDIT_INSTANCE": f"replica-{i}",
            "CASEGRAPH_PROTECTION_KEY_FILE": str(data / "protection.key"),
        }
        cmd = [
            str(ROOT / ".venv" / "bin" / "casegraph"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
        log = (data / f"uvicorn-{i}.log").open("wb")
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log))
        bases.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 180
    for base in bases:
        up = False
        while time.monotonic() < deadline and not up:
            try:
                up = httpx.get(base + "/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                time.sleep(0.3)
        if not up:
            stop_all(procs)
            raise SystemExit(f"a replica did not answer on {base}: see {data}/uvicorn-*.log")
    return procs, bases


def stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()


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
            run_load(
                b, key, clients=c, duration=duration, people=people, terms=terms, mix="mix", seed=i
            )
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
        people = [
            r["id"] for r in db.read("MATCH (p:Person) RETURN p.id AS id ORDER BY p.id LIMIT 5000")
        ]
        names = [
            r["n"] for r in db.read("MATCH (p:Person) RETURN p.name AS n ORDER BY p.id LIMIT 2000")
        ]
        terms = sorted({n.split()[-1][:4] for n in names if n and n.split()})
        for n in args.replicas:
            procs, bases = start_replicas(n, uri, args.workers, args.data)
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
                stop_all(procs)
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
