"""Write centrality scores back onto the entity nodes, for saved Cypher queries.

The score of measure ``m`` goes into the node property ``centrality_<m>`` (for example
``centrality_pagerank``); the property name is spelled into Cypher only after the measure
was checked against :data:`~casegraph.graph.analytics.centrality.MEASURES`. Nodes outside
the projection keep whatever they had. Writing bumps the graph version.

Examples
--------
>>> property_name("pagerank")
'centrality_pagerank'
>>> write_scores(db, "pagerank", {"per-duman-taev": 0.2})
1
>>> db.read("MATCH (p:Person {id: 'per-duman-taev'}) RETURN p.centrality_pagerank AS s")
[{'s': 0.2}]
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from neo4j import ManagedTransaction

from casegraph.graph.analytics.centrality import check_measure
from casegraph.graph.db import GraphDB

WRITE_SCORES = """
UNWIND $rows AS row
MATCH (n:Entity {{id: row.id}})
SET n.`{prop}` = row.score
RETURN count(n) AS written
"""

BATCH = 10_000


def property_name(measure: str) -> str:
    """The node property that holds ``measure``'s score."""
    return f"centrality_{check_measure(measure)}"


def write_scores(db: GraphDB, measure: str, scores: dict[Hashable, float]) -> int:
    """Store ``scores`` as ``centrality_<measure>`` on their nodes; return how many."""
    query = WRITE_SCORES.format(prop=property_name(measure))
    rows: list[dict[str, Any]] = [{"id": str(k), "score": float(v)} for k, v in scores.items()]
    written = 0
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]

        def work(tx: ManagedTransaction, chunk: list[dict[str, Any]] = chunk) -> int:
            rec = tx.run(query, rows=chunk).single()
            return int(rec["written"]) if rec else 0

        written += db.execute_write(work)
    if written:
        db.bump_graph_version()
    return written
