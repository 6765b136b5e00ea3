"""Shortest paths between two entities, computed in Neo4j.

All the shortest paths (Cypher ``allShortestPaths``) of at most ``max_depth`` hops, over
every relationship type except the links to documents (``MENTIONED_IN``, unless
``with_sources``). The answer has the graph shape of DESIGN.md (``nodes``, ``edges`` as
:func:`~casegraph.graph.repository.node_dict` / :func:`~casegraph.graph.repository.edge_dict`
give them) plus ``paths``: each path is its node ids in order and its hops, each hop
with its relationship type, its direction as stored, and the sources that assert it.

``max_depth`` is checked to be an int in 1..:data:`MAX_DEPTH` and only then spelled into
the Cypher text (variable-length bounds cannot be parameters).

Examples
--------
On the seed dataset, two organizations suspected in the same case and linked to the same
group of people are two hops apart, along two shortest paths:

>>> found = shortest_paths(db, "org-questra-world", "org-questra-holding", max_depth=4)
>>> found["length"], sorted(p["nodes"][1] for p in found["paths"])
(2, ['case-questra-pyramid', 'per-group-questra-suspects'])
>>> [(h["type"], h["direction"]) for h in found["paths"][0]["hops"]]
[('AFFILIATED_WITH', 'backward'), ('AFFILIATED_WITH', 'forward')]
"""

from __future__ import annotations

from typing import Any

import neo4j
from neo4j import ManagedTransaction
from neo4j.exceptions import ClientError

from casegraph.errors import InvalidRequestError, NotFoundError
from casegraph.graph.db import GraphDB
from casegraph.graph.repository import edge_dict, node_dict, type_pattern

MAX_DEPTH = 10
MAX_PATHS = 100

ENDPOINTS = "UNWIND $ids AS id OPTIONAL MATCH (n:Entity {id: id}) RETURN id, n IS NOT NULL AS ok"

# The relationship types are spelled into the pattern (the closed vocabulary, without
# MENTIONED_IN unless with_sources), so the bidirectional search reads only their chains.
ALL_SHORTEST = """
MATCH (a:Entity {{id: $source}}), (b:Entity {{id: $target}})
MATCH p = allShortestPaths((a)-[{types}*..{depth}]-(b))
RETURN p
LIMIT $limit
"""

#: Seconds a search may take before the answer is "too far" (``CASEGRAPH_PATH_TIMEOUT``).
DEFAULT_TIME_LIMIT = 2.0
_TIMEOUT_CODES = ("TransactionTimedOut", "TransactionTerminated")


def check_depth(max_depth: object) -> int:
    """``max_depth`` as a validated int in 1..MAX_DEPTH.

    >>> check_depth(3)
    3
    >>> check_depth(99)
    Traceback (most recent call last):
    ...
    casegraph.errors.InvalidRequestError: max_depth must be between 1 and 10, got 99
    """
    if isinstance(max_depth, bool) or not isinstance(max_depth, int):
        raise InvalidRequestError(f"max_depth must be an integer, got {max_depth!r}")
    if not 1 <= max_depth <= MAX_DEPTH:
        raise InvalidRequestError(f"max_depth must be between 1 and {MAX_DEPTH}, got {max_depth}")
    return max_depth


def shortest_paths(
    db: GraphDB,
    source: str,
    target: str,
    *,
    max_depth: int = 4,
    limit: int = MAX_PATHS,
    with_sources: bool = False,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> dict[str, Any]:
    """All shortest paths from ``source`` to ``target`` (either direction of each hop).

    Raises :class:`NotFoundError` for an unknown id and :class:`InvalidRequestError` for
    a bad depth or limit, or when source and target are the same entity. Bounded in hops
    (``max_depth``) and in time (``time_limit`` seconds, the transaction's timeout in
    Neo4j): no path within ``max_depth`` is ``too_far: "max_depth"`` and a search stopped
    by the time limit ``too_far: "time_limit"``, both with an empty ``paths`` list, not an
    error.
    """
    depth = check_depth(max_depth)
    if not 1 <= limit <= MAX_PATHS:
        raise InvalidRequestError(f"limit must be between 1 and {MAX_PATHS}, got {limit}")
    if source == target:
        raise InvalidRequestError("source and target must be different entities")
    if not time_limit > 0:
        raise InvalidRequestError(f"time_limit must be positive, got {time_limit}")
    query = ALL_SHORTEST.format(depth=int(depth), types=type_pattern(with_sources))

    def answer(records: list[Any], too_far: str | None) -> dict[str, Any]:
        nodes: dict[str, dict[str, Any]] = {}
        edges: dict[str, dict[str, Any]] = {}
        paths: list[dict[str, Any]] = []
        truncated = len(records) > limit
        for rec in records[:limit]:
            p = rec["p"]
            ids = [n["id"] for n in p.nodes]
            for n in p.nodes:
                nodes.setdefault(n["id"], node_dict(n))
            hops = []
            for i, rel in enumerate(p.relationships):
                e = edge_dict(rel)
                edges.setdefault(rel.element_id, e)
                hops.append(
                    {
                        "from": ids[i],
                        "to": ids[i + 1],
                        "type": e["type"],
                        "direction": "forward" if e["from"] == ids[i] else "backward",
                        "sources": e["sources"],
                        "properties": e["properties"],
                    }
                )
            paths.append({"length": len(hops), "nodes": ids, "hops": hops})
        paths.sort(key=lambda q: [h["from"] + h["type"] + h["to"] for h in q["hops"]])
        if not paths and too_far is None:
            too_far = "max_depth"
        return {
            "source": source,
            "target": target,
            "max_depth": depth,
            "length": paths[0]["length"] if paths else None,
            "nodes": list(nodes.values()),
            "edges": list(edges.values()),
            "paths": paths,
            "truncated": truncated,
            "too_far": too_far,
            "time_limit": time_limit,
        }

    @neo4j.unit_of_work(timeout=time_limit)
    def work(tx: ManagedTransaction) -> list[Any]:
        for row in tx.run(ENDPOINTS, ids=[source, target]):
            if not row["ok"]:
                raise NotFoundError(f"no entity with id {row['id']!r}")
        return list(tx.run(query, source=source, target=target, limit=limit + 1))

    try:
        records = db.execute_read(work)
    except ClientError as exc:
        if any(c in (exc.code or "") for c in _TIMEOUT_CODES):
            return answer([], "time_limit")
        raise
    return answer(records, None)
