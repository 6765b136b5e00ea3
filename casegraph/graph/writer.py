"""The batched writer: validated records into Neo4j, ``UNWIND $rows`` per batch.

Entities merge by ``id``; relationships merge by (from, type, to, identity key), where the
identity key holds the properties that tell two events apart (a payment's amount and
date, see :class:`~casegraph.graph.model.RelType`). ``sources`` and ``aliases`` are
unioned, never replaced, so a second source asserting a fact adds to it. Loading the same
records twice changes nothing.

Labels and relationship types are spelled into the Cypher text only after
:func:`~casegraph.graph.model.check_kind` / :func:`~casegraph.graph.model.check_rel_type`
accepted them; every value travels as a parameter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction

from casegraph.graph.db import GraphDB
from casegraph.graph.model import RELATIONSHIPS, SOURCE, check_kind, check_rel_type
from casegraph.graph.names import name_key, search_keys
from casegraph.ingest.records import EntityRecord, Record, RelationshipRecord, SourceRecord

# -- Cypher, kept as data -------------------------------------------------------------

_UNION = "[x IN coalesce({old}, []) WHERE NOT x IN {new}] + {new}"

MERGE_NODES = (
    """
UNWIND $rows AS row
OPTIONAL MATCH (old:Entity {{id: row.id}})
WITH row, CASE WHEN old IS NULL THEN null ELSE properties(old) END AS before
MERGE (n:Entity {{id: row.id}})
SET n:{label},
    n.name = row.name,
    n.name_key = row.name_key,
    n += row.props,
    n.aliases = """
    + _UNION.format(old="n.aliases", new="row.aliases")
    + """,
    n.sources = """
    + _UNION.format(old="n.sources", new="row.sources")
    + """
WITH n, row, before,
     [k IN """
    + _UNION.format(old="n.search_keys", new="row.keys")
    + """ WHERE k <> ''] AS keys
SET n.search_keys = keys,
    n.search_text = reduce(t = '', k IN keys | t + ' ' + k)
RETURN sum(CASE WHEN before IS NULL THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN before IS NOT NULL AND before <> properties(n) THEN 1 ELSE 0 END)
         AS updated
"""
)

MERGE_RELATIONSHIPS = (
    """
UNWIND $rows AS row
MATCH (a:Entity {{id: row.from}})
MATCH (b:Entity {{id: row.to}})
OPTIONAL MATCH (a)-[old:{rtype} {{key: row.key}}]->(b)
WITH a, b, row, CASE WHEN old IS NULL THEN null ELSE properties(old) END AS before
MERGE (a)-[r:{rtype} {{key: row.key}}]->(b)
SET r += row.props,
    r.sources = """
    + _UNION.format(old="r.sources", new="row.sources")
    + """
RETURN sum(CASE WHEN before IS NULL THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN before IS NOT NULL AND before <> properties(r) THEN 1 ELSE 0 END)
         AS updated
"""
)

KINDS_OF_IDS = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS kind
"""


@dataclass
class WriteCounts:
    """What one load did, per kind label or relationship type."""

    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, key: str, total: int, created: int, updated: int) -> None:
        self.created[key] += created
        self.updated[key] += updated
        self.unchanged[key] += total - created - updated

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    def as_dict(self) -> dict[str, Any]:
        keys = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return {
            k: {
                "created": self.created.get(k, 0),
                "updated": self.updated.get(k, 0),
                "unchanged": self.unchanged.get(k, 0),
            }
            for k in keys
        }


def source_row(rec: SourceRecord) -> dict[str, Any]:
    return {
        "id": rec.id,
        "name": rec.title,
        "name_key": name_key(rec.title),
        "aliases": [],
        "keys": search_keys(rec.title),
        "props": {**rec.properties, "title": rec.title},
        "sources": [rec.id],
    }


def entity_row(rec: EntityRecord) -> dict[str, Any]:
    return {
        "id": rec.id,
        "name": rec.name,
        "name_key": name_key(rec.name),
        "aliases": list(rec.aliases),
        "keys": search_keys(rec.name, list(rec.aliases)),
        "props": rec.properties,
        "sources": list(rec.sources),
    }


def relationship_row(rec: RelationshipRecord) -> dict[str, Any]:
    identity = RELATIONSHIPS[rec.type].identity
    return {
        "from": rec.from_id,
        "to": rec.to_id,
        "key": rec.identity_key(identity),
        "props": rec.properties,
        "sources": list(rec.sources),
    }


ProgressFn = Callable[[int], None]


class GraphWriter:
    """Writes records in batches: one transaction per batch of ``batch_size`` rows.

    Records may arrive in any order as long as every relationship comes after the
    entities at its ends (or they already exist). Call :meth:`flush` at the end.
    """

    def __init__(
        self, db: GraphDB, *, batch_size: int = 5000, progress: ProgressFn | None = None
    ) -> None:
        self.db = db
        self.batch_size = batch_size
        self.progress = progress
        self.counts = WriteCounts()
        self._nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._rels: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._pending_nodes = 0
        self.changed = False

    def add(self, record: Record) -> None:
        if isinstance(record, SourceRecord):
            self._add_node(SOURCE, source_row(record))
        elif isinstance(record, EntityRecord):
            self._add_node(check_kind(record.label), entity_row(record))
        else:
            # Relationships may point at nodes still buffered: write those first.
            if self._pending_nodes:
                self._flush_nodes()
            rtype = check_rel_type(record.type)
            batch = self._rels[rtype]
            batch.append(relationship_row(record))
            if len(batch) >= self.batch_size:
                self._write_rels(rtype, batch)
                self._rels[rtype] = []

    def add_all(self, records: Iterable[Record]) -> WriteCounts:
        for rec in records:
            self.add(rec)
        self.flush()
        return self.counts

    def _add_node(self, label: str, row: dict[str, Any]) -> None:
        batch = self._nodes[label]
        batch.append(row)
        self._pending_nodes += 1
        if len(batch) >= self.batch_size:
            self._write_nodes(label, batch)
            self._pending_nodes -= len(batch)
            self._nodes[label] = []

    def _flush_nodes(self) -> None:
        for label, batch in list(self._nodes.items()):
            if batch:
                self._write_nodes(label, batch)
            self._nodes[label] = []
        self._pending_nodes = 0

    def flush(self) -> None:
        self._flush_nodes()
        for rtype, batch in list(self._rels.items()):
            if batch:
                self._write_rels(rtype, batch)
            self._rels[rtype] = []
        if self.changed:
            self.db.bump_graph_version()
            self.changed = False

    def _run(self, cypher: str, rows: list[dict[str, Any]]) -> tuple[int, int]:
        def work(tx: ManagedTransaction) -> tuple[int, int]:
            rec = tx.run(cypher, rows=rows).single()
            return (int(rec["created"]), int(rec["updated"])) if rec else (0, 0)

        return self.db.execute_write(work)

    def _write_nodes(self, label: str, rows: list[dict[str, Any]]) -> None:
        created, updated = self._run(MERGE_NODES.format(label=check_kind(label)), rows)
        self._account(label, len(rows), created, updated)

    def _write_rels(self, rtype: str, rows: list[dict[str, Any]]) -> None:
        created, updated = self._run(MERGE_RELATIONSHIPS.format(rtype=check_rel_type(rtype)), rows)
        self._account(rtype, len(rows), created, updated)

    def _account(self, key: str, total: int, created: int, updated: int) -> None:
        self.counts.add(key, total, created, updated)
        if created or updated:
            self.changed = True
        if self.progress:
            self.progress(total)


def kinds_of_ids(db: GraphDB, ids: Iterable[str], chunk: int = 10_000) -> dict[str, str]:
    """The kind label of every id in ``ids`` that exists in the graph."""
    out: dict[str, str] = {}
    batch: list[str] = []

    def lookup(items: list[str]) -> None:
        for row in db.read(KINDS_OF_IDS, {"ids": items}):
            out[row["id"]] = row["kind"]

    for i in ids:
        batch.append(i)
        if len(batch) >= chunk:
            lookup(batch)
            batch = []
    if batch:
        lookup(batch)
    return out
