"""Load test: wrk with C connections for D seconds against ``casegraph serve`` on 127.0.0.1.

The client is ``wrk`` (a C load generator; Debian package ``wrk``, which
``scripts/ensure-system.sh load`` installs) driven by ``bench/load_mix.lua``, so that it
takes little of the CPU the server needs. The mix (per request, drawn at random in Lua):
45% search (``GET /entities?q=`` with a 4-letter surname prefix, ``limit=20``), 45%
depth-2 neighborhood of a random person (``limit=50``), 10% cached centrality
(``GET /analytics/centrality?measure=degree&top=10``). The prefixes and person ids are
drawn from the loaded graph here and handed to Lua in a data file. Requests carry a VIEWER
key by default, so every answer goes through authentication, victim redaction and the
audit log.

It starts its own Neo4j (kept in ``--data`` between runs, so the 100,000-entity graph from
``bench/synthetic.py`` is loaded once), creates a key, starts uvicorn with ``--workers``
worker processes, warms the caches, then runs a short baseline (``GET /health``, which
touches Neo4j but no graph data) and the mix. For each it prints wrk's own report and
throughput, p50/p90/p99 latency, non-2xx answers, socket errors and timeouts, and the CPU
milliseconds per request of the API (the ``casegraph serve`` process and all its workers),
of Neo4j (its JVM) and of wrk, from /proc before and after the run: the figure that carries
across machines. For the mix, the server's audit log gives the requests, non-2xx answers
and server-side p50/p99 per kind.

Usage::

    .venv/bin/python bench/load.py                          # 100k entities, 50 connections, 60 s
    .venv/bin/python bench/load.py --entities 10000 --duration 15 --clients 20
    .venv/bin/python bench/load.py --role admin             # no redaction work
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from serving import (  # noqa: E402
    ensure_graph,
    free_port,
    start_server,
    stop_servers,
    targets,
    wait_until_up,
    warm_up,
)
from wrk_figures import audit_by_kind, audit_lines_since, cpu_ms, lua_data, parse_wrk  # noqa: E402

from casegraph import local_neo4j  # noqa: E402
from casegraph.api.auth import create_key  # noqa: E402
from casegraph.graph.db import GraphDB  # noqa: E402
from casegraph.graph.schema import init_schema  # noqa: E402

LUA = ROOT / "bench" / "load_mix.lua"


def children_cpu_ms() -> float:
    """CPU time (ms) of this process's children that ended and were waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def run_wrk(
    base: str,
    data_file: Path,
    mode: str,
    *,
    threads: int,
    connections: int,
    duration: float,
    timeout: float,
    api_pid: int,
    neo4j_pid: int,
) -> dict[str, Any]:
    """One wrk run of ``mode`` ("mix" or "health"); its figures with the CPU milliseconds
    per request of the API, Neo4j and wrk."""
    cmd = [
        shutil.which("wrk") or "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(duration))}s",
        "--latency",
        "--timeout",
        f"{max(1, round(timeout))}s",
        "-s",
        str(LUA),
        base,
        "--",
        str(data_file),
        mode,
    ]
    api0, neo0, wrk0 = cpu_ms(api_pid), cpu_ms(neo4j_pid), children_cpu_ms()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    api1, neo1, wrk1 = cpu_ms(api_pid), cpu_ms(neo4j_pid), children_cpu_ms()
    print("$ " + shlex.join(cmd))
    print(done.stdout.rstrip())
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    figures = parse_wrk(done.stdout)
    n = max(1, figures["requests"])
    figures["cpu_ms_total"] = {
        "api": round(api1 - api0),
        "neo4j": round(neo1 - neo0),
        "wrk": round(wrk1 - wrk0),
    }
    figures["cpu_ms_per_request"] = {k: round(v / n, 2) for k, v in figures["cpu_ms_total"].items()}
    figures["wrk_command"] = shlex.join(cmd)
    return figures


def start_profile(out: Path, pid: int, duration: float) -> subprocess.Popen[bytes]:
    """py-spy recording ``pid`` and its workers for ``duration`` seconds, without pausing
    them (``--nonblocking``), as collapsed stacks with thread ids and idle frames dropped."""
    spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        spy,
        "record",
        "--pid",
        str(pid),
        "--subprocesses",
        "--nonblocking",
        "--format",
        "raw",
        "--rate",
        "200",
        "--duration",
        str(max(1, round(duration))),
        "-o",
        str(out),
    ]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def settle(path: Path, quiet: float = 1.0, limit: float = 15.0) -> None:
    """Wait until the audit log at ``path`` has not grown for ``quiet`` seconds (its
    records are written by a background thread in each worker)."""
    deadline = time.monotonic() + limit
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else 0
        if size != last:
            last, since = size, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.2)


def show(title: str, r: dict[str, Any]) -> None:
    cpu = r["cpu_ms_per_request"]
    print(
        f"{title}: {r['requests']:,} requests in {r['seconds']} s = {r['throughput_rps']} req/s;"
        f" p50 {r['p50_ms']} ms, p90 {r['p90_ms']} ms, p99 {r['p99_ms']} ms;"
        f" non-2xx {r['non_2xx']} {r['statuses']}, socket errors {r['socket_errors']};"
        f" CPU ms/request: API {cpu['api']}, Neo4j {cpu['neo4j']}, wrk {cpu['wrk']}"
    )
    for kind, k in r.get("by_kind", {}).items():
        print(
            f"  {kind:<13} {k['n']:>7,} answered, non-2xx {k['non_2xx']},"
            f" server p50 {k['server_p50_ms']} ms, p99 {k['server_p99_ms']} ms"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=50, help="wrk connections")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--baseline-duration", type=float, default=10.0)
    ap.add_argument("--timeout", type=float, default=30.0, help="wrk's request timeout, s")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--role", default="viewer")
    ap.add_argument("--heap", default="2g", help="Neo4j's heap (default 2g)")
    ap.add_argument(
        "--pagecache",
        default="1g",
        help="Neo4j's page cache (default 1g; the 1M graph's store is 2.3 GiB)",
    )
    ap.add_argument("--data", type=Path, default=ROOT / ".casegraph" / "bench-load")
    ap.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "load.json")
    ap.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="record the API (every worker) with py-spy during the mix into this collapsed-"
        "stack file (py-spy's own sampling then adds to the API's CPU figures)",
    )
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `sudo apt-get install -y wrk` (or `make load`)")
    threads = max(1, min(args.threads, args.clients))
    command = shlex.join(
        [".venv/bin/python", "bench/load.py", *(sys.argv[1:] if argv is None else argv)]
    )

    args.data.mkdir(parents=True, exist_ok=True)
    uri = local_neo4j.start(
        free_port(), args.data / "neo4j", heap=args.heap, pagecache=args.pagecache
    )
    neo4j_pid = int((args.data / "neo4j" / "neo4j.pid").read_text())
    servers = []
    db = GraphDB(uri)
    try:
        db.wait_until_ready(120)
        init_schema(db)
        ensure_graph(db, args.entities, args.data)
        key = create_key(db, args.role, "load-bench").key
        people, terms = targets(db)
        data_file = args.data / "load_data.lua"
        data_file.write_text(lua_data(key, terms, people))
        data_file.chmod(0o600)  # it holds the key
        servers = [start_server(uri, args.data, workers=args.workers)]
        wait_until_up(servers, 120)
        server = servers[0]
        # warm every worker's caches (centrality, the victim index) until answers are fast
        t = time.perf_counter()
        rounds = asyncio.run(warm_up(server.base, key, people, terms, args.workers))
        print(f"warm-up: {rounds} rounds in {time.perf_counter() - t:.0f} s")

        audit = args.data / "audit.log"
        common = {
            "threads": threads,
            "connections": args.clients,
            "timeout": args.timeout,
            "api_pid": server.proc.pid,
            "neo4j_pid": neo4j_pid,
        }
        load_before = os.getloadavg()
        results: dict[str, Any] = {"command": command}
        baseline = run_wrk(
            server.base, data_file, "health", duration=args.baseline_duration, **common
        )
        results["baseline_health"] = baseline
        settle(audit)
        offset = audit.stat().st_size if audit.exists() else 0
        spy = start_profile(args.profile, server.proc.pid, args.duration) if args.profile else None
        mix = run_wrk(server.base, data_file, "mix", duration=args.duration, **common)
        if spy is not None:
            spy.wait(60)
            print(f"profile: {args.profile} (py-spy, collapsed stacks; bench/profile_top.py)")
        settle(audit)
        mix["by_kind"] = audit_by_kind(audit_lines_since(audit, offset))
        results["mix"] = mix
        load_after = os.getloadavg()
        results["setup"] = (
            f"wrk {threads} thread(s), {args.clients} connections, {args.duration:.0f} s mix"
            f" ({args.baseline_duration:.0f} s baseline), role {args.role},"
            f" {args.workers} uvicorn workers, {args.entities:,} entities,"
            f" Neo4j heap {args.heap}, page cache {args.pagecache}"
        )
        results["cpus"] = os.cpu_count()
        results["loadavg_before"] = [round(x, 1) for x in load_before]
        results["loadavg_after"] = [round(x, 1) for x in load_after]
        print()
        print(results["setup"])
        show("baseline GET /health", baseline)
        show("mix", mix)
        print(
            f"cpus {results['cpus']}, load average before {results['loadavg_before']},"
            f" after {results['loadavg_after']}"
        )
        print(f"reproduce: {command}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))
        print(f"written {args.out}")
    finally:
        stop_servers(servers)
        db.close()
        local_neo4j.stop(args.data / "neo4j")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
