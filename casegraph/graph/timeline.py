"""An entity's timeline: every dated fact of the entity and its neighbours on one axis.

Facts are the relationships among the entity and its neighbours that carry a ``date`` or a
``start_date``/``end_date`` (payments, employment, roles in cases …), and the dated
properties of those entities (a case's ``start_date``/``end_date``, a source's
``published``). Dates stay as the data gives them (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``),
so they sort as text. The answer is bounded inside the Cypher: at most ``MAX_NEIGHBOURS``
neighbours and ``limit`` events, the earliest first; ``truncated`` says when a bound cut it.

Nodes come as :func:`~casegraph.graph.repository.node_dict` gives them, so the caller's
disclosure applies to protected people as everywhere else.
"""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction

from casegraph.errors import InvalidRequestError, NotFoundError
from casegraph.graph.db import GraphDB
from casegraph.graph.repository import edge_dict, node_dict

__all__ = ["DATE_PROPS", "MAX_EVENTS", "MAX_NEIGHBOURS", "timeline"]

MAX_NEIGHBOURS = 500
MAX_EVENTS = 2000
#: dated properties of entities, and the event each stands for
DATE_PROPS = {
    "start_date": "start",
    "end_date": "end",
    "published": "published",
    "date": "date",
}

EGO = """
MATCH (n:Entity {id: $id})
CALL (n) {
  MATCH (n)--(m:Entity) WHERE NOT m:Source
  RETURN DISTINCT m LIMIT $max_neighbours
}
WITH n, collect(m) AS ms
RETURN n, ms, size(ms) >= $max_neighbours AS cut
"""

DATED_EDGES = """
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a.id IN $ids AND b.id IN $ids AND type(r) <> 'MENTIONED_IN'
  AND (r.date IS NOT NULL OR r.start_date IS NOT NULL OR r.end_date IS NOT NULL)
WITH a, r, b, coalesce(r.date, r.start_date, r.end_date) AS at
ORDER BY at, type(r), a.id, b.id
LIMIT $limit
RETURN r, a.id AS from_id, b.id AS to_id
"""


def timeline(db: GraphDB, entity_id: str, *, limit: int = 500) -> dict[str, Any]:
    """``{"entity", "nodes", "events", "truncated"}`` for one entity.

    Each event: ``{"date", "end"?, "kind": "relationship"|"entity", "type", "entity"?,
    "from"?, "to"?, "sources", "properties"}``, earliest first.
    """
    if not 1 <= limit <= MAX_EVENTS:
        raise InvalidRequestError(f"limit must be between 1 and {MAX_EVENTS}")

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        ego = tx.run(EGO, id=entity_id, max_neighbours=MAX_NEIGHBOURS).single()
        if ego is None:
            raise NotFoundError(f"no entity with id {entity_id!r}")
        nodes = [node_dict(ego["n"]), *(node_dict(m) for m in ego["ms"])]
        ids = [n["id"] for n in nodes]
        events: list[dict[str, Any]] = []
        for row in tx.run(DATED_EDGES, ids=ids, limit=limit + 1):
            edge = edge_dict(row["r"], row["from_id"], row["to_id"])
            props = edge["properties"]
            start = props.get("date") or props.get("start_date") or props.get("end_date")
            event = {"date": start, "kind": "relationship", **edge}
            if props.get("end_date") and props.get("end_date") != start:
                event["end"] = props["end_date"]
            events.append(event)
        cut = len(events) > limit
        for node in nodes:
            for prop, what in DATE_PROPS.items():
                value = node["properties"].get(prop)
                if isinstance(value, str) and value:
                    events.append(
                        {
                            "date": value,
                            "kind": "entity",
                            "type": what,
                            "entity": node["id"],
                            "sources": node["sources"],
                            "properties": {prop: value},
                        }
                    )
        events.sort(key=lambda e: (str(e["date"]), e["kind"], e["type"]))
        cut = cut or len(events) > limit
        return {
            "entity": entity_id,
            "nodes": nodes,
            "events": events[:limit],
            "truncated": bool(ego["cut"]) or cut,
        }

    return db.execute_read(work)
