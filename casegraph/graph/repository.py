"""Read queries over entities: search, one entity, its neighborhood.

Every function returns plain dicts. Graph-shaped answers use one shape (DESIGN.md)::

    {"nodes": [{"id", "label", "name", ...}], "edges": [{"type", "from", "to", ...}]}
"""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction
from neo4j.graph import Node, Relationship

from casegraph.errors import InvalidRequestError, NotFoundError
from casegraph.graph.db import GraphDB
from casegraph.graph.model import ENTITY_LABEL, check_kind
from casegraph.graph.names import name_key
from casegraph.graph.schema import FULLTEXT_INDEX

INTERNAL_PROPS = frozenset(
    {
        "name_key",
        "search_text",
        "search_keys",
        "key",
        "sealed",
        "sealed_text",
        "blind_text",
        "protection",
    }
)
#: Keys of an answer's node and edge dicts that only the disclosure step reads
#: (:mod:`casegraph.graph.disclosure`), which removes them before anything leaves.
HIDDEN = {"sealed": "_sealed", "protection": "_level", "sealed_text": "_sealed_text"}
MAX_DEPTH = 3
MAX_NEIGHBORHOOD = 2000
MAX_SEARCH = 500

SEARCH_FULLTEXT = f"""
CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $lucene) YIELD node, score
WHERE $label IS NULL OR $label IN labels(node)
RETURN node, score
ORDER BY score DESC, node.name
LIMIT $limit
"""

SEARCH_BLIND = """
CALL db.index.fulltext.queryNodes('entity_blind', $lucene) YIELD node, score
WHERE node.protection IN $levels AND ($label IS NULL OR $label IN labels(node))
RETURN node, score
ORDER BY score DESC, node.name
LIMIT $limit
"""

BLIND_HIT = """
CALL db.index.fulltext.queryNodes('entity_blind', $lucene) YIELD node
RETURN count(node) > 0 AS hit
"""

SEARCH_KEY_PREFIX = """
MATCH (node:Entity)
WHERE node.name_key STARTS WITH $key AND ($label IS NULL OR $label IN labels(node))
RETURN node, 100.0 AS score
ORDER BY node.name
LIMIT $limit
"""

LIST_ENTITIES = """
MATCH (node:Entity)
WHERE $label IS NULL OR $label IN labels(node)
RETURN node, 0.0 AS score
ORDER BY node.name, node.id
LIMIT $limit
"""

GET_ENTITY = """
MATCH (n:Entity {id: $id})
OPTIONAL MATCH (n)-[r]-()
WITH n, type(r) AS t, count(r) AS c
WITH n, collect(CASE WHEN t IS NULL THEN null ELSE {type: t, count: c} END) AS by_type
OPTIONAL MATCH (s:Source) WHERE s.id IN coalesce(n.sources, [])
RETURN n, by_type, collect(s) AS sources
"""

NEIGHBORS = """
UNWIND $ids AS nid
MATCH (n:Entity {id: nid})-[r]-(m:Entity)
WHERE ($with_sources OR (NOT m:Source AND type(r) <> 'MENTIONED_IN'))
RETURN n.id AS from_id, r, m
LIMIT $cap
"""

EDGES_AMONG = """
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a.id IN $ids AND b.id IN $ids
  AND ($with_sources OR type(r) <> 'MENTIONED_IN')
RETURN r, a.id AS from_id, b.id AS to_id
"""


def kind_of(node: Node) -> str:
    """The kind label of an entity node (its label other than ``Entity``)."""
    for label in node.labels:
        if label != ENTITY_LABEL:
            return label
    return ENTITY_LABEL


def node_dict(node: Node) -> dict[str, Any]:
    """An entity node as the API shows it."""
    props = {k: v for k, v in dict(node).items() if k not in INTERNAL_PROPS}
    out: dict[str, Any] = {
        "id": props.pop("id", None),
        "label": kind_of(node),
        "name": props.pop("name", None),
    }
    out["aliases"] = props.pop("aliases", []) or []
    out["sources"] = props.pop("sources", []) or []
    out["properties"] = {k: _jsonable(v) for k, v in sorted(props.items())}
    _hide(node, out)
    return out


def _hide(entity: Node | Relationship, out: dict[str, Any]) -> None:
    for prop, hidden in HIDDEN.items():
        value = entity.get(prop)
        if value is not None:
            out[hidden] = value


def edge_dict(
    rel: Relationship, from_id: str | None = None, to_id: str | None = None
) -> dict[str, Any]:
    """A relationship as the API shows it."""
    props = {k: _jsonable(v) for k, v in dict(rel).items() if k not in INTERNAL_PROPS}
    start = from_id if from_id is not None else (rel.start_node["id"] if rel.start_node else None)
    end = to_id if to_id is not None else (rel.end_node["id"] if rel.end_node else None)
    out = {
        "type": rel.type,
        "from": start,
        "to": end,
        "sources": props.pop("sources", []) or [],
        "properties": props,
    }
    _hide(rel, out)
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


def _lucene(q: str) -> str:
    tokens = name_key(q).split()
    return " AND ".join(f"{t}*" if len(t) > 1 else t for t in tokens)


def blind_lucene(db: GraphDB, q: str) -> str:
    """The full-text query that finds protected people by the blind tokens of ``q``'s
    words (every word must match; words are whole, not prefixes)."""
    key = db.protection_key
    return " AND ".join(key.blind_token(w) for w in name_key(q).split())


def names_protected_person(db: GraphDB, q: str) -> bool:
    """Whether ``q`` is (every word of) a protected person's name."""
    lucene = blind_lucene(db, q)
    if not lucene:
        return False
    rows = db.read(BLIND_HIT, {"lucene": lucene})
    return bool(rows and rows[0]["hit"])


def search(
    db: GraphDB,
    q: str = "",
    *,
    label: str | None = None,
    limit: int = 20,
    levels: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """Find entities by name or alias, in Latin or Cyrillic script.

    Exact and prefix matches of the normalized name come first, then full-text matches
    over names and aliases (each word as a prefix). Protected people are stored under
    pseudonyms; with ``levels`` (the protection levels the caller may see) they are found
    by their real names too, through the blind index (whole words only).
    """
    if label is not None:
        check_kind(label)
    if not 1 <= limit <= MAX_SEARCH:
        raise InvalidRequestError(f"limit must be between 1 and {MAX_SEARCH}")
    params: dict[str, Any] = {"label": label, "limit": limit}
    key = name_key(q)
    if not key:
        if q.strip():
            return []
        return [dict(node_dict(r["node"]), score=0.0) for r in _run(db, LIST_ENTITIES, params)]
    seen: dict[str, dict[str, Any]] = {}
    queries: list[tuple[str, dict[str, Any]]] = [
        (SEARCH_KEY_PREFIX, {"key": key}),
        (SEARCH_FULLTEXT, {"lucene": _lucene(q)}),
    ]
    if levels and label in (None, "Person"):
        queries.insert(0, (SEARCH_BLIND, {"lucene": blind_lucene(db, q), "levels": list(levels)}))
    for query, extra in queries:
        for row in _run(db, query, {**params, **extra}):
            item = node_dict(row["node"])
            if item["id"] not in seen:
                seen[item["id"]] = dict(item, score=round(float(row["score"]), 4))
    return list(seen.values())[:limit]


def _run(db: GraphDB, query: str, params: dict[str, Any]) -> list[Any]:
    def work(tx: ManagedTransaction) -> list[Any]:
        return list(tx.run(query, params))

    return db.execute_read(work)


def get_entity(db: GraphDB, entity_id: str) -> dict[str, Any]:
    """One entity with its properties, its sources (resolved) and its degree."""
    rows = _run(db, GET_ENTITY, {"id": entity_id})
    if not rows:
        raise NotFoundError(f"no entity with id {entity_id!r}")
    row = rows[0]
    out = node_dict(row["n"])
    by_type = sorted((x for x in row["by_type"] if x), key=lambda x: x["type"])
    out["degree"] = sum(x["count"] for x in by_type)
    out["relationship_counts"] = {x["type"]: x["count"] for x in by_type}
    out["source_documents"] = [
        {k: _jsonable(v) for k, v in dict(s).items() if k not in INTERNAL_PROPS}
        for s in row["sources"]
    ]
    return out


def neighborhood(
    db: GraphDB,
    entity_id: str,
    *,
    depth: int = 1,
    limit: int = 200,
    with_sources: bool = False,
) -> dict[str, Any]:
    """The entities within ``depth`` hops of ``entity_id`` and the relationships among them.

    Breadth first: nearer entities are kept before farther ones, up to ``limit`` nodes
    (``truncated`` says whether the limit cut the answer). Links to source documents
    (``MENTIONED_IN``) are left out unless ``with_sources``: every entity of an article
    is one hop from it, which would make every neighborhood the whole article.
    """
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidRequestError(f"depth must be between 1 and {MAX_DEPTH}")
    if not 1 <= limit <= MAX_NEIGHBORHOOD:
        raise InvalidRequestError(f"limit must be between 1 and {MAX_NEIGHBORHOOD}")

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        centre = tx.run("MATCH (n:Entity {id: $id}) RETURN n", id=entity_id).single()
        if centre is None:
            raise NotFoundError(f"no entity with id {entity_id!r}")
        nodes: dict[str, dict[str, Any]] = {entity_id: dict(node_dict(centre["n"]), depth=0)}
        frontier = [entity_id]
        truncated = False
        for level in range(1, depth + 1):
            if not frontier or truncated:
                break
            nxt: list[str] = []
            result = tx.run(
                NEIGHBORS, ids=frontier, with_sources=with_sources, cap=limit * 50 + 1000
            )
            for row in result:
                m = row["m"]
                mid = m["id"]
                if mid in nodes:
                    continue
                if len(nodes) >= limit:
                    truncated = True
                    break
                nodes[mid] = dict(node_dict(m), depth=level)
                nxt.append(mid)
            result.consume()
            frontier = nxt
        edges = [
            edge_dict(r["r"], r["from_id"], r["to_id"])
            for r in tx.run(EDGES_AMONG, ids=list(nodes), with_sources=with_sources)
        ]
        return {
            "center": entity_id,
            "depth": depth,
            "nodes": list(nodes.values()),
            "edges": edges,
            "truncated": truncated,
        }

    return db.execute_read(work)


NODES_BY_ELEMENT_ID = "MATCH (n) WHERE elementId(n) IN $ids RETURN n"


def nodes_by_element_id(tx: ManagedTransaction, ids: list[str]) -> list[Node]:
    """The nodes with these element ids (within one transaction: element ids are only
    stable inside it), e.g. the ends of relationships that a Cypher answer returned alone."""
    return [row["n"] for row in tx.run(NODES_BY_ELEMENT_ID, ids=ids)]
