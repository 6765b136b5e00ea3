"""What victim protection costs (issue 10, "Measured"), on a Neo4j of its own.

1. **In process**, on a synthetic network where half the people are victims: the medians of
   the same requests made as a viewer (who sees protected people as pseudonyms) and as an
   admin (for whom the API decrypts them, and whose search also asks the blind index):
   a search for a common surname, the entity page of a protected person, and the depth-2
   neighborhood of a case with many victims. Sequential requests through FastAPI's
   ``TestClient``, interleaved (each round asks every request as both roles, the roles'
   order alternating), warm-up rounds dropped. Goal: either role at most 1.2x the other.
2. **Ingest throughput** of two files of the same shape and size: one where 50% of the
   people are victims (a quarter of those marked by ``role``, a quarter minors by
   ``age``/``is_minor``, half only by a ``VICTIM_IN`` relationship, plus case descriptions
   and relationship notes naming them, which are scrubbed), and one with none (the same
   people as witnesses, ``WITNESS_IN``, adult ages). Each load starts from an empty
   database (``reset_database`` + ``init_schema``), same batch size, end to end
   (``ingest_file``: validate, then write). The files are loaded in alternating pairs
   ending with the victims file (``--ingest-rounds`` 2: victims none none victims);
   records/s per file is the median over its loads. Goal: victims/none at least 0.8.

The database is left holding the victims file for part 1.

Usage::

    .venv/bin/python bench/protection.py                      # defaults: a few minutes
    .venv/bin/python bench/protection.py --persons 100000 --relationships 200000 --n 200
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import secrets
import shlex
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from casegraph import local_neo4j
from casegraph.api.app import create_app
from casegraph.api.auth import create_key
from casegraph.graph.db import GraphDB
from casegraph.graph.schema import init_schema, reset_database
from casegraph.ingest.pipeline import ingest_file
from casegraph.settings import Settings

SOURCE_ID = "src-bench-protection"
BIG_CASE = "case-bench-many-victims"
SURNAME = "Nurlanova"  # the common surname searched for (and its male form, Nurlanov)
SURNAME_SHARE = 0.03
FIRST = {
    "female": ("Aigerim", "Akmaral", "Aliya", "Asel", "Dana", "Dinara", "Gulnara", "Madina"),
    "male": ("Arman", "Askar", "Aidos", "Daniyar", "Duman", "Erlan", "Kairat", "Marat"),
}
SYLLABLES = ("ba", "be", "da", "ka", "kar", "ko", "ma", "mu", "na", "sa", "se", "ta", "tu")
SURNAME_ENDINGS = {"female": ("ova", "eva", "ina"), "male": ("ov", "ev", "in")}
# relationship type, kinds of its ends, share of the relationships that are not case roles
OTHER_RELS = (
    ("ASSOCIATE_OF", "Person", "Person", 0.30),
    ("RECRUITED", "Person", "Person", 0.15),
    ("PAID", "Person", "Person", 0.25),
    ("LOCATED_IN", "Person", "Location", 0.15),
    ("EMPLOYED_BY", "Person", "Organization", 0.15),
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the synthetic files ---------------------------------------------------------------------


def _surname(rng: random.Random, gender: str) -> str:
    if rng.random() < SURNAME_SHARE:
        return SURNAME if gender == "female" else SURNAME[:-1]
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return stem.capitalize() + rng.choice(SURNAME_ENDINGS[gender])


def write_file(
    path: Path, persons: int, relationships: int, *, victims: bool, case_victims: int, seed: int
) -> dict[str, int]:
    """Write one file; with ``victims`` half the people are victims, without them the same
    people (same names, same relationships) are witnesses. Returns counts by kind."""
    rng = random.Random(seed)  # the same draws for both files: only the markers differ
    n_cases, n_orgs, n_locations = max(1, persons // 100), max(1, persons // 100), 50
    records: list[dict[str, Any]] = [
        {"kind": "source", "id": SOURCE_ID, "title": "Synthetic protection bench", "language": "en"}
    ]
    src = [SOURCE_ID]
    people = []
    for i in range(persons):
        gender = rng.choice(("female", "male"))
        name = f"{rng.choice(FIRST[gender])} {_surname(rng, gender)}"
        people.append((f"person-{i}", name))
        # Even people are the victims (or, without victims, witnesses): i % 8 == 0 marked by
        # their role, 2 minors by age, 4 and 6 only by their VICTIM_IN. Odd ones are neither.
        group = i % 8
        minor = victims and group == 2
        age = rng.randint(13, 17) if minor else rng.randint(20, 70)
        props: dict[str, Any] = {"gender": gender, "age": age, "is_minor": minor}
        if group == 0:
            props["role"] = "victim of trafficking" if victims else "witness"
        records.append(
            {"kind": "entity", "id": people[-1][0], "label": "Person", "name": name,
             "properties": props, "sources": src}
        )  # fmt: skip
    for i in range(n_orgs):
        records.append(
            {"kind": "entity", "id": f"org-{i}", "label": "Organization",
             "name": f"{rng.choice(SYLLABLES).capitalize()}{i} Trading LLP", "sources": src}
        )  # fmt: skip
    for i in range(n_locations):
        records.append(
            {"kind": "entity", "id": f"loc-{i}", "label": "Location",
             "name": f"Town {i}", "properties": {"location_type": "city"}, "sources": src}
        )  # fmt: skip
    # Case roles: every person of the first half (even ones) is a victim in a case, or a
    # witness; the first ``case_victims`` in the big case. Cases name two of them.
    in_case = [p for i, p in enumerate(people) if i % 2 == 0][: relationships // 2]
    cases: dict[str, list[str]] = {BIG_CASE: []}
    role_rels = []
    for j, (pid, name) in enumerate(in_case):
        case = BIG_CASE if j < case_victims else f"case-{rng.randrange(n_cases)}"
        cases.setdefault(case, []).append(name)
        role_rels.append(
            {"kind": "relationship", "type": "VICTIM_IN" if victims else "WITNESS_IN",
             "from": pid, "to": case, "sources": src,
             "properties": {"notes": f"{name.split()[0]} gave a statement"}}
        )  # fmt: skip
    for i in range(n_cases):
        cases.setdefault(f"case-{i}", [])
    for case, names in cases.items():
        named = " and ".join(names[:2]) or "nobody"
        records.append(
            {"kind": "entity", "id": case, "label": "Case", "name": f"Case {case}",
             "properties": {"case_type": "trafficking", "status": "open",
                            "description": f"Statements of {named} were taken."},
             "sources": src}
        )  # fmt: skip
    records.extend(role_rels)
    weights = [w for *_, w in OTHER_RELS]
    ends = {"Person": [p for p, _ in people], "Organization": [f"org-{i}" for i in range(n_orgs)]}
    ends["Location"] = [f"loc-{i}" for i in range(n_locations)]
    seen: set[tuple[str, str, str]] = set()
    made = 0
    while made < relationships - len(role_rels):
        rtype, a_kind, b_kind, _ = rng.choices(OTHER_RELS, weights)[0]
        a, b = rng.choice(ends[a_kind]), rng.choice(ends[b_kind])
        if a == b or (rtype, a, b) in seen:
            continue
        seen.add((rtype, a, b))
        props = {}
        if rtype == "PAID":
            props = {"amount": round(rng.lognormvariate(7, 1.5), 2), "currency": "KZT",
                     "date": f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-01"}  # fmt: skip
        records.append(
            {"kind": "relationship", "type": rtype, "from": a, "to": b,
             "properties": props, "sources": src}
        )  # fmt: skip
        made += 1
    with path.open("w", encoding="utf-8") as out:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    return {
        "persons": persons,
        "other entities": n_orgs + n_locations + len(cases),
        "relationships": len(role_rels) + made,
        "records": len(records),
    }


# -- part 2: ingest --------------------------------------------------------------------------


def load(db: GraphDB, path: Path, batch_size: int) -> tuple[int, float]:
    """Empty the database, load ``path``; (records, seconds)."""
    reset_database(db)
    init_schema(db)
    start = time.perf_counter()
    report = ingest_file(db, path, batch_size=batch_size)
    return report.records, time.perf_counter() - start


# -- part 1: requests ------------------------------------------------------------------------


def pick_targets(db: GraphDB) -> dict[str, str]:
    """A protected person (level ``all``) with the common surname, for the entity page."""
    key = db.protection_key
    rows = db.read(
        "MATCH (p:Person) WHERE p.protection = 'all' AND (p)-[:VICTIM_IN]->(:Case {id: $case}) "
        "RETURN p.id AS id, p.sealed AS sealed ORDER BY p.id",
        {"case": BIG_CASE},
    )
    for row in rows:
        if SURNAME[:-1] in str(key.unseal(row["sealed"], row["id"]).get("name")):
            return {"entity": row["id"]}
    return {"entity": rows[0]["id"]}


def measure_requests(
    db: GraphDB, settings: Settings, n: int, warmup: int
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, int]]]:
    target = pick_targets(db)["entity"]
    requests: tuple[tuple[str, str, dict[str, Any]], ...] = (
        ("search", "/entities", {"q": SURNAME}),
        ("entity (protected)", f"/entities/{target}", {}),
        ("neighborhood d2", f"/entities/{BIG_CASE}/neighborhood", {"depth": 2, "limit": 2000}),
    )
    clients: dict[str, TestClient] = {}
    for role in ("viewer", "admin"):
        headers = {"Authorization": f"Bearer {create_key(db, role, name='bench').key}"}
        clients[role] = TestClient(create_app(db=db, settings=settings), headers=headers)
        clients[role].__enter__()
    times: dict[str, dict[str, list[float]]] = {
        r: {name: [] for name, *_ in requests} for r in clients
    }
    sizes: dict[str, dict[str, int]] = {r: {} for r in clients}
    try:
        for i in range(warmup + n):
            order = list(clients) if i % 2 == 0 else list(reversed(clients))
            for name, url, params in requests:
                for role in order:
                    t = time.perf_counter()
                    resp = clients[role].get(url, params=params)
                    elapsed = (time.perf_counter() - t) * 1000
                    assert resp.status_code == 200, (role, url, resp.text[:300])
                    if i >= warmup:
                        times[role][name].append(elapsed)
                    elif i == 0:
                        body = resp.json()
                        items = body.get("results", body.get("nodes"))
                        sizes[role][name] = 1 if items is None else len(items)
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)
    medians = {r: {k: statistics.median(v) for k, v in m.items()} for r, m in times.items()}
    return medians, sizes


# -- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=20_000, help="people in each file")
    ap.add_argument("--relationships", type=int, default=40_000, help="relationships per file")
    ap.add_argument("--case-victims", type=int, default=200, help="victims of the big case")
    ap.add_argument("--batch-size", type=int, default=10_000)
    ap.add_argument("--ingest-rounds", type=int, default=2, help="loads of each file")
    ap.add_argument("--n", type=int, default=100, help="measured rounds of requests")
    ap.add_argument("--warmup", type=int, default=10, help="rounds of requests not counted")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--heap", default="1g", help="heap of the Neo4j started here")
    ap.add_argument("--pagecache", default="512m", help="page cache of the Neo4j started here")
    args = ap.parse_args(argv)
    cmd = " ".join(
        ["python bench/protection.py", shlex.join(argv if argv is not None else sys.argv[1:])]
    ).rstrip()
    load_before = os.getloadavg()

    work = Path(tempfile.mkdtemp(prefix="casegraph-bench-protection-"))
    data = work / "neo4j"
    try:
        uri = local_neo4j.start(free_port(), data, heap=args.heap, pagecache=args.pagecache)
        settings = Settings(
            neo4j_uri=uri,
            neo4j_data=data,
            audit_path=work / "audit.log",
            protection_key=base64.b64encode(secrets.token_bytes(32)).decode(),
        )
        db = GraphDB.from_settings(settings)
        db.wait_until_ready(120)
        init_schema(db)

        files = {}
        for label, victims in (("victims", True), ("none", False)):
            path = work / f"{label}.jsonl"
            counts = write_file(
                path,
                args.persons,
                args.relationships,
                victims=victims,
                case_victims=args.case_victims,
                seed=args.seed,
            )
            files[label] = (path, counts)
        # warm Neo4j and Python up on a small file of each kind (not counted)
        for label, victims in (("victims", True), ("none", False)):
            small = work / f"warmup-{label}.jsonl"
            write_file(small, 2000, 4000, victims=victims, case_victims=50, seed=args.seed + 1)
            load(db, small, args.batch_size)

        # part 2: ingest, victims/none alternating (V N N V ...), ending with victims loaded
        rates: dict[str, list[float]] = {"victims": [], "none": []}
        seconds: dict[str, list[float]] = {"victims": [], "none": []}
        order: list[str] = []
        for r in range(args.ingest_rounds):  # ... N V V N N V: the last loads victims
            order += ["none", "victims"] if (args.ingest_rounds - r) % 2 else ["victims", "none"]
        for label in order:
            n_records, s = load(db, files[label][0], args.batch_size)
            rates[label].append(n_records / s)
            seconds[label].append(s)
            print(
                f"loaded {label}: {n_records:,} records in {s:.1f} s", file=sys.stderr, flush=True
            )
        protected = db.read(
            "MATCH (p:Person) RETURN p.protection AS level, count(*) AS n ORDER BY level"
        )

        # part 1: requests as viewer and admin
        medians, sizes = measure_requests(db, settings, args.n, args.warmup)
        db.close()
        load_after = os.getloadavg()

        counts = files["victims"][1]
        print(
            "victim protection bench (in process, own Neo4j "
            f"{args.heap} heap / {args.pagecache} page cache; {os.cpu_count()} CPUs)"
        )
        print(
            f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}"
            f"; after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}"
        )
        print(
            f"files: {counts['persons']:,} persons + {counts['other entities']:,} other entities"
            f" + {counts['relationships']:,} relationships = {counts['records']:,} records each"
        )
        print(
            "people stored, by protection level (victims file): "
            + ", ".join(f"{r['level'] or 'clear'} {r['n']:,}" for r in protected)
        )
        print()
        print(f"1. requests: median ms over {args.n} interleaved rounds ({args.warmup} warm-up)")
        print(f"{'':22}{'viewer':>10}{'admin':>10}{'viewer/admin':>14}{'admin/viewer':>14}  items")
        worst = 0.0
        for name in medians["viewer"]:
            v, a = medians["viewer"][name], medians["admin"][name]
            worst = max(worst, v / a, a / v)
            items = f"{sizes['viewer'].get(name, 0)} / {sizes['admin'].get(name, 0)}"
            print(f"{name:22}{v:>10.2f}{a:>10.2f}{v / a:>14.2f}{a / v:>14.2f}  {items}")
        verdict = "met" if worst <= 1.2 else "NOT met"
        print(f"   worst ratio {worst:.2f} (goal <= 1.2: {verdict})")
        print()
        print(
            f"2. ingest, end to end (validate + write), batch size {args.batch_size:,}, "
            f"empty database each time, order {' '.join(order)}"
        )
        for label in ("none", "victims"):
            took = ", ".join(f"{x:.1f}" for x in seconds[label])
            print(
                f"   {label:8} {statistics.median(rates[label]):>9,.0f} records/s "
                f"(median; loads took {took} s)"
            )
        ratio = statistics.median(rates["victims"]) / statistics.median(rates["none"])
        verdict = "met" if ratio >= 0.8 else "NOT met"
        print(f"   victims/none: {ratio:.2f} (goal >= 0.8: {verdict})")
        print()
        print(f"command: .venv/bin/{cmd}")
    finally:
        local_neo4j.stop(data)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
