"""What the read-only runner costs: each saved query run through ``run_saved`` (parameter
coercion, EXPLAIN plan check, READ transaction with timeout, row limit, JSON conversion)
against the same Cypher run bare with ``GraphDB.read`` (the baseline), on the seed plus the
query fixture plus a synthetic network, in the same run.

It EMPTIES the database at ``--uri`` first (``--yes`` is required): point it at a
throw-away Neo4j, e.g. one started with ``casegraph neo4j start`` on a scratch folder.

Command line::

    python bench/queries.py --uri bolt://127.0.0.1:7687 --entities 20000 --repeat 15 --yes
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_jsonl

from casegraph.graph.db import GraphDB
from casegraph.graph.schema import init_schema, reset_database
from casegraph.ingest.pipeline import ingest_file
from casegraph.ingest.seed import load_seed
from casegraph.queries.errors import QueryTimeoutError
from casegraph.queries.library import load_checked_library
from casegraph.queries.service import run_saved
from casegraph.settings import Settings

FIXTURE = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "queries" / "network.jsonl"
)

PARAMS: dict[str, dict[str, Any]] = {
    "victims-by-destination": {"country": "Bahrain"},
    "pyramid-reach": {"org_id": "fx-org-goldstar", "hops": 2},
    "money-flow-paths": {"from_id": "fx-per-inv-1", "to_id": "fx-org-shell-nomad"},
    "nearest-convicted-trafficker": {"entity_id": "fx-per-boss"},
    "entity-timeline": {"entity_id": "fx-per-v3"},
    "fact-sources": {"entity_id": "per-anna-ryl"},
    "pyramid-top-investors": {"org_id": "fx-org-goldstar"},
    "pyramid-top-recruiters": {"org_id": "fx-org-goldstar"},
    "case-participants": {"case_id": "fx-case-dubai"},
}


def median_ms(fn: Any, repeat: int) -> float:
    fn()  # warm the plan cache
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uri", default="bolt://127.0.0.1:7687")
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--yes", action="store_true", help="really empty the database")
    args = parser.parse_args(argv)
    if not args.yes:
        parser.error("this empties the database at --uri; pass --yes to proceed")
    settings = Settings(neo4j_uri=args.uri)
    with GraphDB.from_settings(settings) as db:
        reset_database(db)
        init_schema(db)
        load_seed(db)
        ingest_file(db, FIXTURE)
        if args.entities:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "synthetic.jsonl"
                write_jsonl(path, args.entities, 5.0, 0)
                ingest_file(db, path)
        n = db.read("MATCH (n:Entity) RETURN count(n) AS n")[0]["n"]
        r = db.read("MATCH ()-[r]->() RETURN count(r) AS r")[0]["r"]
        t = time.perf_counter()
        lib = load_checked_library(db)
        load_ms = (time.perf_counter() - t) * 1000
        print(f"graph: {n:,} entities, {r:,} relationships; repeat={args.repeat}")
        print(f"library load + EXPLAIN check of {len(lib.queries)} files: {load_ms:.0f} ms")
        print(f"{'query':32} {'rows':>6} {'bare ms':>9} {'runner ms':>10} {'ratio':>6}")
        ratios = []
        for q in lib.list():
            params = PARAMS.get(q.name, {})
            try:
                result = run_saved(db, lib, q.name, params, settings)
            except QueryTimeoutError:
                print(f"{q.name:32} timed out after {settings.query_timeout:g} s")
                continue
            values = {p.name: p.default for p in q.params} | params
            bare = median_ms(lambda q=q, v=values: db.read(q.cypher, v), args.repeat)
            runner = median_ms(
                lambda q=q, p=params: run_saved(db, lib, q.name, p, settings), args.repeat
            )
            ratios.append(runner / bare)
            ratio = runner / bare
            print(f"{q.name:32} {len(result.rows):>6} {bare:>9.2f} {runner:>10.2f} {ratio:>6.2f}")
        print(f"median ratio runner/bare: {statistics.median(ratios):.2f}")
    print(
        f"reproduce: python bench/queries.py --uri URI --entities {args.entities} "
        f"--repeat {args.repeat} --yes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
