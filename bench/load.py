"""Load test: N concurrent clients for D seconds against ``casegraph serve`` on 127.0.0.1.

The mix (per request, drawn at random): 45% search (``GET /entities?q=`` with a name
prefix), 45% depth-2 neighborhood of a random person (``limit=50``), 10% cached centrality
(``GET /analytics/centrality?measure=degree&top=10``). Clients carry a VIEWER key by
default, so every answer goes through authentication, victim redaction and the audit log.

It starts its own Neo4j (kept in ``--data`` between runs, so the 100,000-entity graph from
``bench/synthetic.py`` is loaded once), creates a key, starts uvicorn with ``--workers``
worker processes, warms the caches, then runs a short baseline (``GET /health``, which
touches Neo4j but no graph data) and the mix, and prints throughput, p50/p90/p99 latency
and errors for both, and per endpoint.

Usage::

    .venv/bin/python bench/load.py                          # 100k entities, 50 clients, 60 s
    .venv/bin/python bench/load.py --entities 10000 --duration 20 --clients 20
    .venv/bin/python bench/load.py --role admin             # no redaction work
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synthetic import write_jsonl  # noqa: E402

from casegraph import local_neo4j  # noqa: E402
from casegraph.api.auth import create_key  # noqa: E402
from casegraph.graph.db import GraphDB  # noqa: E402
from casegraph.graph.schema import init_schema, reset_database  # noqa: E402
from casegraph.ingest.pipeline import ingest_file  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def ensure_graph(db: GraphDB, n: int, work: Path) -> None:
    have = db.read("MATCH (n:Entity) RETURN count(n) AS c")[0]["c"]
    if have >= n:
        print(f"graph: {have:,} entities already loaded")
        return
    reset_database(db)
    init_schema(db)
    path = work / f"synthetic-{n}.jsonl"
    t = time.perf_counter()
    write_jsonl(path, n, 5.0, 0)
    report = ingest_file(db, path)
    print(f"graph: loaded {report.records:,} records in {time.perf_counter() - t:.0f} s")


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
    mix: str,
    seed: int = 0,
) -> tuple[Stats, float]:
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
                if mix == "health":
                    kind, url, params = "health", "/health", {}
                else:
                    r = rng.random()
                    if r < 0.45:
                        kind, url, params = (
                            "search",
                            "/entities",
                            {"q": rng.choice(terms), "limit": 20},
                        )
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


async def warm_up(
    base: str, key: str, people: list[str], terms: list[str], workers: int, limit: float = 600
) -> int:
    """Send rounds of concurrent requests of every kind (long timeouts) until a whole round
    answers 200 within 3 s each, twice running: every worker has its caches then."""
    headers = {"Authorization": f"Bearer {key}"}
    deadline = time.perf_counter() + limit
    rounds = streak = 0
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=600.0) as client:
        while time.perf_counter() < deadline:
            rounds += 1
            calls = []
            for i in range(4 * workers):
                calls.append(("/analytics/centrality", {"measure": "degree", "top": 10}))
                calls.append((f"/entities/{people[i]}/neighborhood", {"depth": 2, "limit": 50}))
                calls.append(("/entities", {"q": terms[i % len(terms)]}))

            async def one(url: str, params: dict[str, Any]) -> tuple[int, float]:
                t = time.perf_counter()
                r = await client.get(url, params=params)
                return r.status_code, time.perf_counter() - t

            answers = await asyncio.gather(*(one(u, p) for u, p in calls))
            fast = all(s == 200 and dt < 3.0 for s, dt in answers)
            streak = streak + 1 if fast else 0
            if streak >= 2:
                return rounds
    return rounds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--baseline-duration", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--role", default="viewer")
    ap.add_argument("--data", type=Path, default=ROOT / ".casegraph" / "bench-load")
    ap.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "load.json")
    args = ap.parse_args(argv)

    args.data.mkdir(parents=True, exist_ok=True)
    neo_port = free_port()
    uri = local_neo4j.start(neo_port, args.data / "neo4j", heap="2g", pagecache="1g")
    api_port = free_port()
    server: subprocess.Popen[bytes] | None = None
    db = GraphDB(uri)
    try:
        db.wait_until_ready(120)
        init_schema(db)
        ensure_graph(db, args.entities, args.data)
        key = create_key(db, args.role, "load-bench").key
        people = [
            r["id"] for r in db.read("MATCH (p:Person) RETURN p.id AS id ORDER BY p.id LIMIT 5000")
        ]
        names = [
            r["n"] for r in db.read("MATCH (p:Person) RETURN p.name AS n ORDER BY p.id LIMIT 2000")
        ]
        terms = sorted({n.split()[-1][:4] for n in names if n and n.split()})
        env = {
            **os.environ,
            "CASEGRAPH_NEO4J_URI": uri,
            "CASEGRAPH_AUDIT_PATH": str(args.data / "audit.log"),
        }
        cmd = [
            str(ROOT / ".venv" / "bin" / "casegraph"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(api_port),
            "--workers",
            str(args.workers),
        ]
        log = (args.data / "uvicorn.log").open("wb")
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
        base = f"http://127.0.0.1:{api_port}"
        deadline = time.monotonic() + 120
        up = False
        while time.monotonic() < deadline and not up:
            try:
                up = httpx.get(base + "/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                time.sleep(0.3)
        if not up:
            raise SystemExit(f"the API did not answer on {base}: see {args.data}/uvicorn.log")
        # warm every worker's caches (centrality, the victim index) until answers are fast
        t = time.perf_counter()
        rounds = asyncio.run(warm_up(base, key, people, terms, args.workers))
        print(f"warm-up: {rounds} rounds in {time.perf_counter() - t:.0f} s")
        load_before = os.getloadavg()
        results = {}
        base_stats, el = asyncio.run(
            run_load(
                base,
                key,
                clients=args.clients,
                duration=args.baseline_duration,
                people=people,
                terms=terms,
                mix="health",
            )
        )
        results["baseline_health"] = base_stats.report("baseline: GET /health", el)
        stats, el = asyncio.run(
            run_load(
                base,
                key,
                clients=args.clients,
                duration=args.duration,
                people=people,
                terms=terms,
                mix="mix",
            )
        )
        results["mix"] = stats.report(
            f"mix: {args.clients} clients, {args.duration:.0f} s, role {args.role}, "
            f"{args.workers} uvicorn workers, {args.entities:,} entities",
            el,
        )
        results["command"] = " ".join(
            [".venv/bin/python", "bench/load.py", *(argv or sys.argv[1:])]
        )
        results["cpus"] = os.cpu_count()
        results["loadavg_before"] = [round(x, 1) for x in load_before]
        results["loadavg_after"] = [round(x, 1) for x in os.getloadavg()]
        print(f"load average before {results['loadavg_before']}, after {results['loadavg_after']}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))
        print(f"written {args.out}")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
        db.close()
        local_neo4j.stop(args.data / "neo4j")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
