"""A/B load test: the API of another commit against this tree's, on the same Neo4j, with
wrk runs interleaved so that a machine whose load drifts weighs on both alike.

``bench/load.py`` measures one server; on a shared machine two of its runs minutes apart
differ by half (the same code gave 45 and 108 mix requests a second, 12.4 and 8.4 ms of API
CPU per request). Here both servers run side by side (the idle one costs a poll every
half second), and the mix is sent to them in turns, after ``--warm-turns`` unmeasured ones
each: A B B A A B ... (``--rounds`` pairs), each turn ``--duration`` seconds. It prints
every turn and, per side, the medians of throughput, p99 and CPU milliseconds per request
of the API and Neo4j, and their ratio.

The "before" side is ``git archive <ref> casegraph`` unpacked under the data directory and
put first on the server's ``PYTHONPATH``; the "after" side is this tree. Same graph, key,
targets and Lua script as ``bench/load.py``.

Usage::

    .venv/bin/python bench/load_ab.py --before main --entities 10000 --clients 20 \\
        --duration 20 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import run_wrk, settle  # noqa: E402
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
from wrk_figures import lua_data  # noqa: E402

from casegraph import local_neo4j  # noqa: E402
from casegraph.api.auth import create_key  # noqa: E402
from casegraph.graph.db import GraphDB  # noqa: E402
from casegraph.graph.schema import init_schema  # noqa: E402


def unpack(ref: str, into: Path) -> str:
    """``casegraph/`` of commit ``ref`` under ``into`` (replaced); its full commit id."""
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", ref], capture_output=True, text=True, check=True
    ).stdout.strip()
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "casegraph"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    vendor = ROOT / "casegraph" / "web" / "vendor"  # not in git: copied as the setup does
    if vendor.is_dir():
        shutil.copytree(vendor, into / "casegraph" / "web" / "vendor")
    return commit


def summary(turns: list[dict[str, Any]]) -> dict[str, float]:
    def med(f: Any) -> float:
        return round(statistics.median(f(t) for t in turns), 2)

    return {
        "req_s": med(lambda t: t["throughput_rps"]),
        "p50_ms": med(lambda t: t["p50_ms"]),
        "p99_ms": med(lambda t: t["p99_ms"]),
        "api_ms": med(lambda t: t["cpu_ms_per_request"]["api"]),
        "neo4j_ms": med(lambda t: t["cpu_ms_per_request"]["neo4j"]),
        "errors": sum(t["non_2xx"] + sum(t["socket_errors"].values()) for t in turns),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--before", default="main", help="git ref of the A side (default main)")
    ap.add_argument("--entities", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=20, help="wrk connections")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds per turn")
    ap.add_argument("--rounds", type=int, default=3, help="A/B pairs (ABBA order)")
    ap.add_argument(
        "--warm-turns",
        type=int,
        default=1,
        help="unmeasured mix turns per side first (Neo4j's and the JIT's warm-up: the first "
        "turns after a start cost several times the later ones)",
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--heap", default="2g", help="Neo4j's heap (default 2g)")
    ap.add_argument("--pagecache", default="1g", help="Neo4j's page cache (default 1g)")
    ap.add_argument("--role", default="viewer")
    ap.add_argument("--data", type=Path, default=ROOT / ".casegraph" / "bench-load")
    ap.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "load-ab.json")
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `sudo apt-get install -y wrk` (or `make load`)")
    command = shlex.join(
        [".venv/bin/python", "bench/load_ab.py", *(sys.argv[1:] if argv is None else argv)]
    )
    args.data.mkdir(parents=True, exist_ok=True)
    before_tree = args.data / "ab-before"
    before_commit = unpack(args.before, before_tree)
    after_commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "casegraph"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    uri = local_neo4j.start(
        free_port(), args.data / "neo4j", heap=args.heap, pagecache=args.pagecache
    )
    neo4j_pid = int((args.data / "neo4j" / "neo4j.pid").read_text())
    servers: dict[str, Server] = {}
    db = GraphDB(uri)
    try:
        db.wait_until_ready(120)
        init_schema(db)
        ensure_graph(db, args.entities, args.data)
        key = create_key(db, args.role, "load-ab").key
        people, terms = targets(db)
        data_file = args.data / "load_data.lua"
        data_file.write_text(lua_data(key, terms, people))
        data_file.chmod(0o600)
        for side, path in (("before", before_tree), ("after", ROOT)):
            servers[side] = start_server(
                uri,
                args.data,
                workers=args.workers,
                name=f"uvicorn-{side}",
                env={
                    "PYTHONPATH": str(path),
                    "CASEGRAPH_AUDIT_PATH": str(args.data / f"audit-{side}.log"),
                },
            )
        wait_until_up(list(servers.values()), 180)
        for side, server in servers.items():
            t = time.perf_counter()
            rounds = asyncio.run(warm_up(server.base, key, people, terms, args.workers))
            print(f"warm-up {side}: {rounds} rounds in {time.perf_counter() - t:.0f} s")
        order = [side for _ in range(args.warm_turns) for side in ("before", "after")]
        warm = len(order)
        for i in range(args.rounds):
            order += ["before", "after"] if i % 2 == 0 else ["after", "before"]
        turns: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
        loads = []
        for i, side in enumerate(order):
            server = servers[side]
            load = os.getloadavg()[0]
            r = run_wrk(
                server.base,
                data_file,
                "mix",
                threads=max(1, min(args.threads, args.clients)),
                connections=args.clients,
                duration=args.duration,
                timeout=30.0,
                api_pid=server.proc.pid,
                neo4j_pid=neo4j_pid,
            )
            r["loadavg_before"] = round(load, 1)
            cpu = r["cpu_ms_per_request"]
            if i >= warm:
                turns[side].append(r)
                loads.append(load)
            tag = "TURN" if i >= warm else "WARM"
            print(
                f"{tag} {side:<6} {r['throughput_rps']:>7} req/s  p50 {r['p50_ms']} ms"
                f"  p99 {r['p99_ms']} ms  non-2xx {r['non_2xx']}  CPU ms/request API"
                f" {cpu['api']} Neo4j {cpu['neo4j']}  (load average {load:.1f})"
            )
            settle(args.data / f"audit-{side}.log", limit=5)
        result = {
            "command": command,
            "before": before_commit,
            "after": after_commit + (" (with uncommitted changes)" if dirty else ""),
            "setup": f"wrk {args.clients} connections, {args.rounds * 2} turns of"
            f" {args.duration:.0f} s, role {args.role}, {args.workers} workers each,"
            f" {args.entities:,} entities",
            "loadavg_1min": [round(x, 1) for x in loads],
            "median": {side: summary(t) for side, t in turns.items()},
            "turns": turns,
        }
        b, a = result["median"]["before"], result["median"]["after"]
        print()
        print(result["setup"])
        print(f"before {before_commit[:10]}  after {result['after'][:10]}")
        for name in ("req_s", "p50_ms", "p99_ms", "api_ms", "neo4j_ms"):
            ratio = a[name] / b[name] if b[name] else float("nan")
            print(f"  {name:<9} before {b[name]:>9}  after {a[name]:>9}  after/before {ratio:.2f}")
        print(f"  errors    before {b['errors']:>9}  after {a['errors']:>9}")
        print(f"load average (1 min) at each turn: {result['loadavg_1min']}")
        print(f"reproduce: {command}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))
        print(f"written {args.out}")
    finally:
        stop_servers(list(servers.values()))
        db.close()
        local_neo4j.stop(args.data / "neo4j")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
