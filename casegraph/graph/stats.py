"""What the graph holds: entities per kind and relationships per type (``casegraph db stats``).

Both counts come from Neo4j's count store (a label or type count is not a scan).
"""

from __future__ import annotations

from casegraph.graph.db import GraphDB

__all__ = ["counts"]

NODE_COUNTS = """
MATCH (n:Entity) WITH [l IN labels(n) WHERE l <> 'Entity'][0] AS kind, count(*) AS c
RETURN kind, c ORDER BY kind
"""
REL_COUNTS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS c ORDER BY type"


def counts(db: GraphDB) -> dict[str, dict[str, int]]:
    """``{"nodes": {kind: n}, "relationships": {type: n}}``, each in name order."""
    return {
        "nodes": {r["kind"]: r["c"] for r in db.read(NODE_COUNTS)},
        "relationships": {r["type"]: r["c"] for r in db.read(REL_COUNTS)},
    }
