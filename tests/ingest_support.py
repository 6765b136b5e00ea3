"""Helpers shared by the ingest tests: what the graph holds after a load. (The records and
files to load are built with :mod:`tests.builders`.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casegraph.graph.db import GraphDB

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"


def graph_counts(db: GraphDB) -> tuple[int, int]:
    """(nodes, relationships) in the whole graph."""
    nodes = db.read("MATCH (n) RETURN count(n) AS c")[0]["c"]
    rels = db.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    return int(nodes), int(rels)


def kinds(db: GraphDB) -> dict[str, int]:
    rows = db.read(
        "MATCH (n:Entity) RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS k, count(*) AS c"
    )
    return {r["k"]: r["c"] for r in rows}


def types(db: GraphDB) -> dict[str, int]:
    rows = db.read("MATCH (:Entity)-[r]->(:Entity) RETURN type(r) AS t, count(*) AS c")
    return {r["t"]: r["c"] for r in rows}


def entity(db: GraphDB, rid: str) -> dict[str, Any]:
    rows = db.read("MATCH (n:Entity {id: $id}) RETURN properties(n) AS p", {"id": rid})
    return dict(rows[0]["p"]) if rows else {}


def rels(db: GraphDB, rtype: str) -> list[dict[str, Any]]:
    rows = db.read(
        "MATCH (a)-[r]->(b) WHERE type(r) = $t "
        "RETURN a.id AS from, b.id AS to, properties(r) AS p ORDER BY a.id, b.id, r.key",
        {"t": rtype},
    )
    return [{"from": r["from"], "to": r["to"], **r["p"]} for r in rows]
