"""The snapshot that every export serializes: entities (of some kinds, default all) and the
relationships among them, in the graph shape of DESIGN.md.

Whatever protects a graph-shaped answer (the caller's disclosure of victims) then protects an
export too; the writers of :mod:`casegraph.formats.writers` only serialize the snapshot.
"""

from __future__ import annotations

from typing import Any

from casegraph.errors import InvalidRequestError
from casegraph.graph.db import GraphDB
from casegraph.graph.model import check_kind
from casegraph.graph.repository import edge_dict, node_dict

MAX_EXPORT = 200_000

NODES = """
MATCH (n:Entity)
WHERE ($labels IS NULL OR any(l IN labels(n) WHERE l IN $labels))
RETURN n ORDER BY n.id LIMIT $limit
"""

EDGES = """
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a.id IN $ids AND b.id IN $ids AND ($with_sources OR type(r) <> 'MENTIONED_IN')
RETURN r, a.id AS from_id, b.id AS to_id
ORDER BY from_id, type(r), to_id
"""


def graph_snapshot(
    db: GraphDB,
    *,
    labels: list[str] | None = None,
    with_sources: bool = False,
    limit: int = MAX_EXPORT,
) -> dict[str, Any]:
    """The entities (of ``labels``, default all) and the relationships among them."""
    if labels:
        labels = [check_kind(label) for label in labels]
    if not 1 <= limit <= MAX_EXPORT:
        raise InvalidRequestError(f"limit must be between 1 and {MAX_EXPORT}")

    def work(tx: Any) -> dict[str, Any]:
        nodes = [node_dict(r["n"]) for r in tx.run(NODES, labels=labels or None, limit=limit + 1)]
        truncated = len(nodes) > limit
        nodes = nodes[:limit]
        ids = [n["id"] for n in nodes]
        edges = [
            edge_dict(r["r"], r["from_id"], r["to_id"])
            for r in tx.run(EDGES, ids=ids, with_sources=with_sources)
        ]
        return {"nodes": nodes, "edges": edges, "truncated": truncated}

    return db.execute_read(work)
