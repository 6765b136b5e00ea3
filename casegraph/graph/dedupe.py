"""Possible duplicates as stored: the keys that the matcher compares, and the flagged pairs
(``POSSIBLY_SAME_AS``). The matching itself is :mod:`casegraph.ingest.dedupe`'s.
"""

from __future__ import annotations

from typing import Any

from casegraph.graph.db import GraphDB

__all__ = ["entity_keys", "flagged"]

# Protected people are left out: their names are sealed, and their pseudonyms say nothing.
ENTITY_KEYS = """
MATCH (n:Entity) WHERE NOT n:Source AND n.protection IS NULL
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS kind,
       coalesce(n.search_keys, [n.name_key]) AS keys
"""

FLAGGED = """
MATCH (a:Entity)-[r:POSSIBLY_SAME_AS]->(b:Entity)
RETURN a.id AS a, a.name AS a_name, b.id AS b, b.name AS b_name,
       [l IN labels(a) WHERE l <> 'Entity'][0] AS kind, r.score AS score, r.method AS method
ORDER BY r.score DESC, a.id, b.id
LIMIT $limit
"""


def entity_keys(db: GraphDB) -> list[tuple[str, str, list[str]]]:
    """``(id, kind, name keys)`` of every entity that may be matched (not sources, not
    protected people)."""
    return [(r["id"], r["kind"], list(r["keys"] or [])) for r in db.read(ENTITY_KEYS)]


def flagged(db: GraphDB, limit: int = 1000) -> list[dict[str, Any]]:
    """The flagged pairs, best score first."""
    return db.read(FLAGGED, {"limit": limit})
