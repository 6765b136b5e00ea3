"""Review sets, merges and dedupe rejections as stored: labels of their own, never ``:Entity``.

- ``(:ReviewSet {id, sha256, language, media_type, staged_at, staged_by, sealed})``: one per
  document (``id`` = ``rs-`` + the first 16 hex digits of its sha256). ``sealed`` holds the
  document's text, title, URL and file name, encrypted with the protection key (AES-256-GCM,
  the set's id as associated data): Neo4j holds no clear text of a staged document.
- ``(:ReviewItem {id, set_id, seq, type, kind, level, fingerprint, status, ...})``: one
  proposal (an entity or a relationship). Its names, mentions, quotes and evidence are in
  ``sealed`` (the item's id as associated data); ``fingerprint`` is a keyed hash of what it
  proposes, so a rejected proposal is known again without storing it in clear.
- ``(:MergeRecord {id, kept, removed, at, by, undone_at, sealed})``: a merge of two entities
  with everything needed to undo it (sealed: the two nodes and the removed one's
  relationships).
- ``(:DedupeRejection {a, b, at, by})``: a pair of entities that is never flagged again.

None of these is linked to the entity graph by a relationship, so nothing that walks,
counts, searches or exports entities meets them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from neo4j import ManagedTransaction

from casegraph.graph.db import GraphDB

SCHEMA = (
    "CREATE CONSTRAINT review_set_id IF NOT EXISTS FOR (n:ReviewSet) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT review_item_id IF NOT EXISTS FOR (n:ReviewItem) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX review_item_set IF NOT EXISTS FOR (n:ReviewItem) ON (n.set_id)",
    "CREATE CONSTRAINT merge_record_id IF NOT EXISTS FOR (n:MergeRecord) REQUIRE n.id IS UNIQUE",
)

UPSERT_SET = """
MERGE (s:ReviewSet {id: $id})
ON CREATE SET s.created_at = $now, s.created_by = $user
SET s.sha256 = $sha256, s.language = $language, s.media_type = $media_type,
    s.sealed = $sealed, s.staged_at = $now, s.staged_by = $user
"""

DROP_PENDING = """
MATCH (i:ReviewItem {set_id: $id}) WHERE i.status = 'pending' DELETE i
"""

DECIDED_FINGERPRINTS = """
MATCH (i:ReviewItem {set_id: $id}) WHERE i.status <> 'pending'
RETURN i.fingerprint AS fingerprint, i.id AS id, i.status AS status
"""

CREATE_ITEMS = """
UNWIND $rows AS row
CREATE (i:ReviewItem) SET i = row
"""

LIST_SETS = """
MATCH (s:ReviewSet)
OPTIONAL MATCH (i:ReviewItem {set_id: s.id})
WITH s, i.status AS status, count(i) AS n
WITH s, collect([status, n]) AS counts
ORDER BY s.staged_at DESC
RETURN s {.*} AS review_set, counts
LIMIT $limit
"""

GET_SET = "MATCH (s:ReviewSet {id: $id}) RETURN s {.*} AS set"

GET_ITEMS = """
MATCH (i:ReviewItem {set_id: $id}) RETURN i {.*} AS item ORDER BY i.seq
"""

GET_ITEM = "MATCH (i:ReviewItem {id: $id}) RETURN i {.*} AS item"

UPDATE_ITEMS = """
UNWIND $rows AS row
MATCH (i:ReviewItem {id: row.id})
SET i += row.props
"""

ENTITY_OF = """
MATCH (n:Entity {id: $id}) WHERE NOT n:Source
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS kind, n.name AS name,
       coalesce(n.aliases, []) AS aliases, n.protection AS level, n.sealed AS sealed
"""

LEVELS_OF = """
UNWIND $ids AS id
MATCH (n:Entity {id: id}) WHERE n:Person AND n.protection IS NOT NULL
RETURN n.id AS id, n.protection AS level
"""

# -- merges -----------------------------------------------------------------------------

NODE_DUMP = """
MATCH (n:Entity {id: $id})
RETURN labels(n) AS labels, properties(n) AS props
"""

RELS_OF = """
MATCH (n:Entity {id: $id})-[r]-(o)
RETURN DISTINCT elementId(r) AS eid, type(r) AS type, startNode(r).id AS start,
       endNode(r).id AS end, properties(r) AS props
"""

CREATE_RELS = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.start})
MATCH (b:Entity {id: row.end})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props
RETURN elementId(r) AS eid
"""

DELETE_RELS = """
UNWIND $eids AS eid
MATCH ()-[r]->() WHERE elementId(r) = eid
DELETE r
"""

DELETE_NODE = "MATCH (n:Entity {id: $id}) DETACH DELETE n"

SET_NODE = "MATCH (n:Entity {id: $id}) SET n = $props"

CREATE_NODE = "CREATE (n:$($labels)) SET n = $props"

CREATE_MERGE = """
CREATE (m:MergeRecord {id: $id})
SET m.kept = $kept, m.removed = $removed, m.at = $at, m.by = $by, m.sealed = $sealed
"""

GET_MERGE = "MATCH (m:MergeRecord {id: $id}) RETURN m {.*} AS merge"

LIST_MERGES = """
MATCH (m:MergeRecord) RETURN m {.id, .kept, .removed, .at, .by, .undone_at, .undone_by} AS merge
ORDER BY m.at DESC LIMIT $limit
"""

MARK_UNDONE = "MATCH (m:MergeRecord {id: $id}) SET m.undone_at = $at, m.undone_by = $by"

# -- dedupe rejections --------------------------------------------------------------------

REJECT_PAIR = """
MERGE (d:DedupeRejection {a: $a, b: $b})
ON CREATE SET d.at = $at, d.by = $by
WITH d
OPTIONAL MATCH (:Entity {id: $a})-[r:POSSIBLY_SAME_AS]-(:Entity {id: $b})
DELETE r
"""

REJECTED_PAIRS = "MATCH (d:DedupeRejection) RETURN d.a AS a, d.b AS b"


def init_review_schema(db: GraphDB) -> None:
    for statement in SCHEMA:
        db.write(statement)


def stage_set(
    db: GraphDB, set_row: dict[str, Any], items: list[dict[str, Any]], keep: Iterable[str]
) -> None:
    """Store a review set: its pending items replaced by ``items`` (decided ones stay)."""
    del keep  # decided items are never touched here

    def work(tx: ManagedTransaction) -> None:
        tx.run(UPSERT_SET, set_row).consume()
        tx.run(DROP_PENDING, id=set_row["id"]).consume()
        if items:
            tx.run(CREATE_ITEMS, rows=items).consume()

    db.execute_write(work)


def decided_fingerprints(db: GraphDB, set_id: str) -> dict[str, dict[str, Any]]:
    return {r["fingerprint"]: r for r in db.read(DECIDED_FINGERPRINTS, {"id": set_id})}


def list_sets(db: GraphDB, limit: int = 200) -> list[dict[str, Any]]:
    out = []
    for row in db.read(LIST_SETS, {"limit": limit}):
        s = dict(row["review_set"])
        s["counts"] = {status: n for status, n in row["counts"] if status is not None}
        out.append(s)
    return out


def get_set(db: GraphDB, set_id: str) -> dict[str, Any] | None:
    rows = db.read(GET_SET, {"id": set_id})
    return dict(rows[0]["set"]) if rows else None


def get_items(db: GraphDB, set_id: str) -> list[dict[str, Any]]:
    return [dict(r["item"]) for r in db.read(GET_ITEMS, {"id": set_id})]


def get_item(db: GraphDB, item_id: str) -> dict[str, Any] | None:
    rows = db.read(GET_ITEM, {"id": item_id})
    return dict(rows[0]["item"]) if rows else None


def update_items(db: GraphDB, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.write(UPDATE_ITEMS, {"rows": rows})


def entity_of(db: GraphDB, entity_id: str) -> dict[str, Any] | None:
    rows = db.read(ENTITY_OF, {"id": entity_id})
    return rows[0] if rows else None


def protection_levels(db: GraphDB, ids: Iterable[str]) -> dict[str, str]:
    return {r["id"]: r["level"] for r in db.read(LEVELS_OF, {"ids": sorted(set(ids))})}


# -- merges -------------------------------------------------------------------------------


def node_dump(tx: ManagedTransaction, entity_id: str) -> dict[str, Any] | None:
    rec = tx.run(NODE_DUMP, id=entity_id).single()
    return {"labels": list(rec["labels"]), "props": dict(rec["props"])} if rec else None


def rels_of(tx: ManagedTransaction, entity_id: str) -> list[dict[str, Any]]:
    return [r.data() for r in tx.run(RELS_OF, id=entity_id)]


def create_rels(tx: ManagedTransaction, rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    return [r["eid"] for r in tx.run(CREATE_RELS, rows=rows)]


def delete_rels(tx: ManagedTransaction, eids: list[str]) -> None:
    if eids:
        tx.run(DELETE_RELS, eids=eids).consume()


def delete_node(tx: ManagedTransaction, entity_id: str) -> None:
    tx.run(DELETE_NODE, id=entity_id).consume()


def set_node(tx: ManagedTransaction, entity_id: str, props: dict[str, Any]) -> None:
    tx.run(SET_NODE, id=entity_id, props=props).consume()


def create_node(tx: ManagedTransaction, labels: list[str], props: dict[str, Any]) -> None:
    tx.run(CREATE_NODE, labels=labels, props=props).consume()


def create_merge(tx: ManagedTransaction, row: dict[str, Any]) -> None:
    tx.run(CREATE_MERGE, row).consume()


def get_merge(db: GraphDB, merge_id: str) -> dict[str, Any] | None:
    rows = db.read(GET_MERGE, {"id": merge_id})
    return dict(rows[0]["merge"]) if rows else None


def list_merges(db: GraphDB, limit: int = 100) -> list[dict[str, Any]]:
    return [dict(r["merge"]) for r in db.read(LIST_MERGES, {"limit": limit})]


def mark_undone(tx: ManagedTransaction, merge_id: str, at: str, by: str) -> None:
    tx.run(MARK_UNDONE, id=merge_id, at=at, by=by).consume()


def reject_pair(db: GraphDB, a: str, b: str, at: str, by: str) -> None:
    a, b = sorted((a, b))
    db.write(REJECT_PAIR, {"a": a, "b": b, "at": at, "by": by})


def rejected_pairs(db: GraphDB) -> set[tuple[str, str]]:
    return {(r["a"], r["b"]) for r in db.read(REJECTED_PAIRS)}
