"""What the load benches share: the synthetic graph, the request targets drawn from it, and
``casegraph serve`` processes started on 127.0.0.1, polled until they answer, warmed, stopped.

Used by ``bench/load.py`` (one server, wrk as the client) and ``bench/replicas.py`` (N
servers, a Python client).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from synthetic import write_jsonl  # noqa: E402

from casegraph.graph.db import GraphDB  # noqa: E402
from casegraph.graph.schema import init_schema, reset_database  # noqa: E402
from casegraph.ingest.pipeline import ingest_file  # noqa: E402
from casegraph.local_neo4j import free_port  # noqa: E402


def ensure_graph(db: GraphDB, n: int, work: Path) -> None:
    """Load ``bench/synthetic.py``'s graph of ``n`` entities unless the database has as many."""
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


def targets(db: GraphDB) -> tuple[list[str], list[str]]:
    """The mix's targets: up to 5,000 person ids and the 4-letter surname prefixes of up to
    2,000 persons (the same for every run on the same graph)."""
    people = [
        r["id"] for r in db.read("MATCH (p:Person) RETURN p.id AS id ORDER BY p.id LIMIT 5000")
    ]
    names = [
        r["n"] for r in db.read("MATCH (p:Person) RETURN p.name AS n ORDER BY p.id LIMIT 2000")
    ]
    terms = sorted({n.split()[-1][:4] for n in names if n and n.split()})
    return people, terms


@dataclass
class Server:
    """One ``casegraph serve`` process on 127.0.0.1."""

    proc: subprocess.Popen[bytes]
    base: str
    log: Path


def start_server(
    uri: str, data: Path, *, workers: int, name: str = "uvicorn", env: dict[str, str] | None = None
) -> Server:
    """Start ``casegraph serve --workers N`` on a free port against the Neo4j at ``uri``;
    its stderr goes to ``data/<name>.log``, its audit log to ``data/audit.log`` unless
    ``env`` says otherwise. Returns at once: see :func:`wait_until_up`."""
    port = free_port()
    full_env = {
        **os.environ,
        # the code of this tree, not the checkout the shared venv's editable install names
        # (from another worktree, `.venv/bin/casegraph` would serve /work/main's code)
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "CASEGRAPH_NEO4J_URI": uri,
        "CASEGRAPH_AUDIT_PATH": str(data / "audit.log"),
        **(env or {}),
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
    log = data / f"{name}.log"
    with log.open("wb") as handle:
        proc = subprocess.Popen(cmd, env=full_env, stdout=subprocess.DEVNULL, stderr=handle)
    return Server(proc, f"http://127.0.0.1:{port}", log)


def wait_until_up(servers: list[Server], timeout: float = 180) -> None:
    """Poll ``GET /health`` of each server until it answers 200; stop them all and exit
    naming the log if one does not within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    for server in servers:
        up = False
        while time.monotonic() < deadline and not up:
            if server.proc.poll() is not None:
                break
            try:
                up = httpx.get(server.base + "/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                time.sleep(0.3)
        if not up:
            stop_servers(servers)
            raise SystemExit(f"the API did not answer on {server.base}: see {server.log}")


def stop_servers(servers: list[Server]) -> None:
    for server in servers:
        server.proc.terminate()
    for server in servers:
        try:
            server.proc.wait(15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


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
