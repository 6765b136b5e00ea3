"""What the security layer costs per request: the same requests, in process, with
authentication off (baseline), with an admin key (auth + audit), and with a viewer key
(auth + victim redaction + audit), on the seed dataset. Medians of sequential requests.

Usage::

    .venv/bin/python bench/security_overhead.py            # starts its own Neo4j
    .venv/bin/python bench/security_overhead.py --n 500
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from casegraph import local_neo4j
from casegraph.api.app import create_app
from casegraph.api.auth import create_key
from casegraph.graph.db import GraphDB
from casegraph.graph.schema import init_schema
from casegraph.ingest.seed import load_seed
from casegraph.settings import Settings

REQUESTS = (
    ("search", "/entities", {"q": "Questra"}),
    ("entity", "/entities/per-girl-16-almaty", {}),
    ("neighborhood d2", "/entities/per-girl-16-almaty/neighborhood", {"depth": 2}),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="casegraph-secbench-"))
    uri = local_neo4j.start(free_port(), work / "neo4j", heap="512m", pagecache="128m")
    db = GraphDB(uri)
    try:
        db.wait_until_ready(120)
        init_schema(db)
        load_seed(db)
        base = Settings(neo4j_uri=uri, audit_path=work / "audit.log")
        configs = {
            "auth off (baseline)": (Settings(**{**base.model_dump(), "auth_disabled": True}), None),
            "admin: auth + audit": (base, "admin"),
            "viewer: auth + redaction + audit": (base, "viewer"),
        }
        clients = {}
        for title, (settings, role) in configs.items():
            headers = {"Authorization": f"Bearer {create_key(db, role).key}"} if role else {}
            clients[title] = TestClient(create_app(db=db, settings=settings), headers=headers)
            clients[title].__enter__()
        # interleaved (each round calls every configuration once), so that a machine whose
        # load drifts during the run weighs on every configuration alike
        times: dict[str, dict[str, list[float]]] = {t: {} for t in configs}
        for name, url, params in REQUESTS:
            for i in range(args.n + 20):
                for title, client in clients.items():
                    t = time.perf_counter()
                    assert client.get(url, params=params).status_code == 200
                    if i >= 20:  # the first 20 warm up
                        times[title].setdefault(name, []).append((time.perf_counter() - t) * 1000)
        for client in clients.values():
            client.__exit__(None, None, None)
        medians = {t: {n: statistics.median(v) for n, v in m.items()} for t, m in times.items()}
        names = [n for n, _, _ in REQUESTS]
        print(f"median ms over {args.n} sequential requests (seed dataset, in process)")
        print(f"{'':36}" + "".join(f"{n:>18}" for n in names))
        first = next(iter(medians.values()))
        for title, m in medians.items():
            cells = "".join(f"{m[n]:>8.2f} ({m[n] / first[n]:4.2f}x)" for n in names)
            print(f"{title:36}{cells}")
        print("command: .venv/bin/python bench/security_overhead.py --n", args.n)
    finally:
        db.close()
        local_neo4j.stop(work / "neo4j")
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
