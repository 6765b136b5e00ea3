"""What the read-only runner costs: each saved query run through ``run_saved`` (parameter
coercion, EXPLAIN plan check, READ transaction with timeout, row limit, JSON conversion)
against the same Cypher run bare with ``GraphDB.read`` (the baseline), on the seed plus the
query fixture plus a synthetic network, in the same run.

It EMPTIES the database at ``--uri`` first (``--yes`` is required): point it at a
throw-away Neo4j, e.g. one started with ``casegraph neo4j start`` on a scratch folder.

Command line::

    python bench/queries.py --uri bolt://127.0.0.1:7687 --entities 20000 --repeat 15 --yes

``interactive`` (issue 13) measures, one client at a time over HTTP, the interactive reads
of a running API on a graph already loaded (it writes nothing but an API key): common-word
search, rare-name search, entity pages, depth-2 neighborhoods (``limit=50``) of the 10
biggest hubs, shortest paths between 20 random pairs; p50/p95 per kind, the load average,
and the command that gives them. ``--profile`` also runs each kind's repository function
in-process with every statement prefixed by ``PROFILE`` and prints its plan (operators,
rows, db hits); ``--code DIR`` imports casegraph from DIR for that (the code before a
change, e.g. from ``git archive``)::

    python bench/queries.py interactive --uri bolt://127.0.0.1:7741 \
        --url http://127.0.0.1:8771 --repeat 10 [--profile] [--code DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
if "--code" in sys.argv:  # casegraph from another tree (interactive --profile --code DIR)
    sys.path.insert(0, str(Path(sys.argv[sys.argv.index("--code") + 1]).resolve()))

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
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["interactive"]:
        return interactive_main(argv[1:])
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


# -- interactive reads over HTTP (issue 13) -------------------------------------------------

FIRST_NAMES_TRIED = 12


def pick_inputs(db: GraphDB, seed: int = 13) -> dict[str, Any]:
    """What to ask, from the graph itself, deterministically for a given graph and seed: the
    commonest first word of names, a rare full name, 20 entities, the 10 biggest hubs
    (documents left out) and 20 random pairs of people."""
    from synthetic import _FIRST

    counts = {
        w: db.read(
            "MATCH (n:Entity) WHERE n.name_key STARTS WITH $k RETURN count(n) AS c",
            {"k": w.lower() + " "},
        )[0]["c"]
        for w in _FIRST[:FIRST_NAMES_TRIED]
    }
    common = max(counts, key=lambda w: counts[w])
    rng = random.Random(seed)
    people = [
        r["id"]
        for r in db.read(
            "MATCH (n:Person) WHERE n.protection IS NULL RETURN n.id AS id ORDER BY n.id "
            "LIMIT 20000"
        )
    ]
    rare_id = rng.choice(people)
    rare = db.read("MATCH (n:Entity {id: $id}) RETURN n.name AS name", {"id": rare_id})[0]
    hubs = db.read(
        "MATCH (n:Entity) WHERE NOT n:Source "
        "RETURN n.id AS id, COUNT { (n)--() } AS degree ORDER BY degree DESC LIMIT 10"
    )
    entities = rng.sample(people, 20)
    pairs = [tuple(rng.sample(people, 2)) for _ in range(20)]
    return {
        "common": (common, counts[common]),
        "rare": rare["name"],
        "entities": entities,
        "hubs": [(h["id"], h["degree"]) for h in hubs],
        "pairs": pairs,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def requests_of(inputs: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The HTTP requests of each kind (path, params)."""
    return {
        "common-word search": [("/entities", {"q": inputs["common"][0], "limit": 20})],
        "rare name search": [("/entities", {"q": inputs["rare"], "limit": 20})],
        "entity page": [(f"/entities/{e}", {}) for e in inputs["entities"]],
        "depth-2 neighborhood, limit 50, 10 biggest hubs": [
            (f"/entities/{h}/neighborhood", {"depth": 2, "limit": 50}) for h, _ in inputs["hubs"]
        ],
        "shortest paths, 20 random pairs": [
            ("/paths", {"source": a, "target": b, "max_depth": 4}) for a, b in inputs["pairs"]
        ],
        "health": [("/health", {})] * 20,
    }


def measure_http(
    url: str, key: str, requests: dict[str, list[tuple[str, dict[str, Any]]]], repeat: int
) -> dict[str, dict[str, Any]]:
    """p50/p95 (ms) per kind: one warm-up pass over every request, then ``repeat`` passes."""
    import httpx

    out: dict[str, dict[str, Any]] = {}
    with httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60
    ) as client:
        for kind, reqs in requests.items():
            statuses: dict[int, int] = {}
            extra: dict[str, int] = {}
            for path, params in reqs:
                client.get(path, params=params)
            times: list[float] = []
            for _ in range(repeat):
                for path, params in reqs:
                    t = time.perf_counter()
                    resp = client.get(path, params=params)
                    times.append((time.perf_counter() - t) * 1000)
                    statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
                    if path == "/paths" and resp.status_code == 200:
                        verdict = resp.json().get("too_far") or (
                            "found" if resp.json()["paths"] else "none"
                        )
                        extra[verdict] = extra.get(verdict, 0) + 1
            out[kind] = {
                "n": len(times),
                "p50": percentile(times, 0.5),
                "p95": percentile(times, 0.95),
                "max": max(times),
                "statuses": statuses,
                "outcomes": extra,
            }
    return out


def profile_kinds(db: GraphDB, inputs: dict[str, Any]) -> None:
    """Run each kind once in-process, every statement PROFILEd; print the plans."""
    import neo4j

    from casegraph.graph import paths as paths_mod
    from casegraph.graph import repository

    captured: list[tuple[str, Any]] = []
    real_run = neo4j.ManagedTransaction.run

    def profiled(self: Any, query: Any, parameters: Any = None, **kwargs: Any) -> Any:
        text = query if isinstance(query, str) else query.text
        result = real_run(self, "PROFILE " + text, parameters, **kwargs)
        records = list(result)
        captured.append((text, result.consume().profile))
        return _Replay(records)

    neo4j.ManagedTransaction.run = profiled  # type: ignore[method-assign]
    try:
        hub = inputs["hubs"][0][0]
        a, b = inputs["pairs"][0]
        kinds = {
            "common-word search": lambda: repository.search(db, inputs["common"][0]),
            "rare name search": lambda: repository.search(db, inputs["rare"]),
            "entity page": lambda: repository.get_entity(db, inputs["entities"][0]),
            "depth-2 neighborhood of the biggest hub": lambda: repository.neighborhood(
                db, hub, depth=2, limit=50
            ),
            "shortest paths": lambda: paths_mod.shortest_paths(db, a, b, max_depth=4),
        }
        for kind, fn in kinds.items():
            captured.clear()
            fn()
            print(f"\n### PROFILE: {kind}")
            for text, plan in captured:
                print("    " + " ".join(text.split())[:160])
                for line in plan_lines(plan):
                    print("      " + line)
    finally:
        neo4j.ManagedTransaction.run = real_run  # type: ignore[method-assign]


class _Replay(list):  # type: ignore[type-arg]
    """Records already read, with what the code under test asks of a result."""

    def single(self, strict: bool = False) -> Any:
        if strict and len(self) != 1:
            raise ValueError(f"expected one record, got {len(self)}")
        return self[0] if self else None

    def consume(self) -> None:
        return None

    def data(self) -> list[Any]:
        return [r.data() for r in self]


def plan_lines(plan: Any, depth: int = 0) -> list[str]:
    """A profile tree as lines: operator, rows, db hits (deepest first as Neo4j prints)."""
    if plan is None:
        return []
    op = str(plan.get("operatorType", "?")).split("@")[0]
    rows = plan.get("rows", "?")
    hits = plan.get("dbHits", "?")
    details = str(plan.get("args", {}).get("Details", ""))[:70]
    lines = [f"{'  ' * depth}{op} rows={rows} hits={hits} {details}".rstrip()]
    for child in plan.get("children", []):
        lines.extend(plan_lines(child, depth + 1))
    return lines


def interactive_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/queries.py interactive")
    parser.add_argument("--uri", default="bolt://127.0.0.1:7687", help="the loaded Neo4j")
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running API")
    parser.add_argument("--key", default="", help="an API key (default: a new viewer key)")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--label", default="", help="a name for this run in the output")
    parser.add_argument("--code", default="", help="import casegraph from this tree")
    args = parser.parse_args(argv)
    settings = Settings(neo4j_uri=args.uri)
    with GraphDB.from_settings(settings) as db:
        n = db.read("MATCH (n:Entity) RETURN count(n) AS n")[0]["n"]
        r = db.read("MATCH ()-[r]->() RETURN count(r) AS r")[0]["r"]
        inputs = pick_inputs(db, args.seed)
        key = args.key
        if not key and not args.profile:
            from casegraph.api.keys import create_key

            key = create_key(db, "viewer", name="bench-interactive").key
        print(f"graph: {n:,} entities, {r:,} relationships; run {args.label!r}")
        print(
            f"common word {inputs['common'][0]!r} ({inputs['common'][1]:,} names start with "
            f"it); rare name {inputs['rare']!r}; hubs (degree): "
            + ", ".join(f"{h} ({d})" for h, d in inputs["hubs"][:5])
            + " ..."
        )
        if args.profile:
            profile_kinds(db, inputs)
            return 0
    before = os.getloadavg()
    figures = measure_http(args.url, key, requests_of(inputs), args.repeat)
    after = os.getloadavg()
    print(f"{'request':50} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  statuses")
    for kind, f in figures.items():
        outcomes = f" {f['outcomes']}" if f["outcomes"] else ""
        print(
            f"{kind:50} {f['n']:>5} {f['p50']:>8.1f} {f['p95']:>8.1f} {f['max']:>8.1f}  "
            f"{f['statuses']}{outcomes}"
        )
    print(
        "load average (1/5/15 min) before: "
        + " ".join(f"{x:.2f}" for x in before)
        + "; after: "
        + " ".join(f"{x:.2f}" for x in after)
    )
    print(
        f"reproduce: python bench/queries.py interactive --uri {args.uri} --url {args.url} "
        f"--repeat {args.repeat} --seed {args.seed}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
