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

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction

from casegraph.errors import RecordError
from casegraph.graph.db import GraphDB
from casegraph.graph.model import (
    KINDS,
    PERSON,
    RELATIONSHIPS,
    SOURCE,
    check_kind,
    check_rel_type,
    stronger_level,
)
from casegraph.graph.names import name_key, search_keys
from casegraph.graph.protected_writes import (
    REL_AAD,
    Needles,
    ToProtect,
    has_text,
    protect_and_scrub,
    scrub_linked,
    scrub_nodes,
    scrub_relationships,
    scrub_rewritten,
    scrubbed_props,
    sealed_values,
)
from casegraph.graph.protection import own_level
from casegraph.graph.records import EntityRecord, Record, RelationshipRecord, SourceRecord

# -- Cypher, kept as data -------------------------------------------------------------
#
# Two paths per batch. MERGE is the general one: it unions ``sources``/``aliases`` and
# reports created (the node or relationship had no ``sources`` before, which every written
# one has) and updated (its properties differ after the SET). CREATE is the fast path for
# records the caller knows are new: an entity whose id is neither in the graph nor repeated
# in the input, a relationship with a new entity at one end that the input holds once.

_UNION = "[x IN coalesce({old}, []) WHERE NOT x IN {new}] + {new}"
# What scrubbing needs of a relationship with a protected end (protected_writes.REL_TEXT),
# returned by the statement that writes it rather than looked up again by element id.
_TOUCHED = """{{rid: elementId(r), props: properties(r), ida: a.id, idb: b.id,
       clear_a: CASE WHEN a.protection IS NULL THEN elementId(a) END,
       clear_b: CASE WHEN b.protection IS NULL THEN elementId(b) END,
       victims: [v IN [a, b] WHERE v.protection IS NOT NULL | [v.id, v.sealed]]}}"""

MERGE_NODES = (
    """
UNWIND $rows AS row
MERGE (n:Entity {{id: row.id}})
WITH n, row, n.sources IS NULL AS created, properties(n) AS before
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
WITH n, row, before, created,
     [k IN """
    + _UNION.format(old="n.search_keys", new="row.keys")
    + """ WHERE k <> ''] AS keys
SET n.search_keys = keys,
    n.search_text = reduce(t = '', k IN keys | t + ' ' + k)
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT created AND before <> properties(n) THEN 1 ELSE 0 END) AS updated
"""
)

CREATE_NODES = """
UNWIND $rows AS row
CREATE (n:Entity:{label} {{id: row.id}})
SET n += row.props,
    n.name = row.name,
    n.name_key = row.name_key,
    n.aliases = row.aliases,
    n.sources = row.sources,
    n.search_keys = row.keys,
    n.search_text = reduce(t = '', k IN row.keys | t + ' ' + k)
RETURN count(n) AS created, 0 AS updated
"""

MERGE_RELATIONSHIPS = (
    """
UNWIND $rows AS row
MATCH (a:Entity) WHERE a.id IN row.f
MATCH (b:Entity) WHERE b.id IN row.t
MERGE (a)-[r:{rtype} {{key: row.k}}]->(b)
WITH a, b, r, row, r.sources IS NULL AS created, properties(r) AS before
SET r += row.p,
    r.sources = """
    + _UNION.format(old="r.sources", new="row.s")
    + """
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT created AND before <> properties(r) THEN 1 ELSE 0 END) AS updated,
       count(DISTINCT row.i) AS matched,
       collect(CASE WHEN a.protection IS NOT NULL OR b.protection IS NOT NULL
                    THEN """
    + _TOUCHED
    + """ END) AS touched
"""
)

# New nodes whose every stored property the writer computed (text linked to a protected
# person, scrubbed before it is written: see GraphWriter._send_nodes).
CREATE_NODES_STORED = """
UNWIND $rows AS row
CREATE (n:Entity:{label})
SET n = row
RETURN count(n) AS created, 0 AS updated
"""

# The writer scrubs a new relationship's own text before sending it (``row.v``: it knows
# which ends are protected); it asks back only for the unprotected ends whose text must be
# scrubbed again (``row.x``), and for everything about a row with a protected end it did
# not expect (``touched``, as MERGE_RELATIONSHIPS).
CREATE_RELATIONSHIPS = (
    """
UNWIND $rows AS row
MATCH (a:Entity) WHERE a.id IN row.f
MATCH (b:Entity) WHERE b.id IN row.t
CREATE (a)-[r:{rtype} {{key: row.k, sources: row.s}}]->(b)
SET r += row.p
RETURN count(r) AS created, 0 AS updated, count(DISTINCT row.i) AS matched,
       collect(CASE WHEN row.x THEN [CASE WHEN a.protection IS NULL THEN elementId(a) END,
                                     CASE WHEN b.protection IS NULL THEN elementId(b) END]
               END) AS ends,
       collect(CASE WHEN row.v IS NULL AND (a.protection IS NOT NULL OR b.protection IS NOT NULL)
                    THEN """
    + _TOUCHED
    + """ END) AS touched
"""
)

# Which rows of a relationship batch have an end that is not in the graph (run only when a
# batch matched fewer rows than it sent): the row's index and the end(s) missing.
MISSING_ENDS = """
UNWIND $rows AS row
WITH row,
     EXISTS { MATCH (a:Entity) WHERE a.id IN row.f } AS has_from,
     EXISTS { MATCH (b:Entity) WHERE b.id IN row.t } AS has_to
WHERE NOT (has_from AND has_to)
RETURN row.i AS i, has_from, has_to
"""

# Each id as given, or (for a protected person) under its pseudonymous id.
KINDS_OF_IDS = """
UNWIND $rows AS row
OPTIONAL MATCH (c:Entity {id: row.id})
OPTIONAL MATCH (p:Entity {id: row.pid})
WITH row, coalesce(c, p) AS n WHERE n IS NOT NULL
RETURN row.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS kind, n.protection AS level
"""


@dataclass
class WriteCounts:
    """What one load did, per kind label or relationship type."""

    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # protected people written (see GraphWriter._account)
    protected: int = 0
    # rows a write statement matched nothing for (an end not in the graph): never counted as
    # unchanged, reported as errors with the record's line
    missed: list[RecordError] = field(default_factory=list)
    # wall time the sending thread spent in write transactions (for profiling)
    db_seconds: float = 0.0

    def add(self, key: str, total: int, created: int, updated: int) -> None:
        self.created[key] += created
        self.updated[key] += updated
        self.unchanged[key] += total - created - updated
        for table in (self.created, self.updated, self.unchanged):
            if table[key] == 0:
                del table[key]  # a key no row reached (every row missed) is not listed

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    def as_dict(self) -> dict[str, Any]:
        keys = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        out: dict[str, Any] = {
            k: {
                "created": self.created.get(k, 0),
                "updated": self.updated.get(k, 0),
                "unchanged": self.unchanged.get(k, 0),
            }
            for k in keys
        }
        if self.protected:
            out[PROTECTED_KEY] = {"written": self.protected}
        return out


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
        "f": rec.from_id,
        "t": rec.to_id,
        "k": rec.identity_key(identity) if identity else "",
        "p": rec.properties,
        "s": list(rec.sources),
    }


def created_node_props(row: Mapping[str, Any]) -> dict[str, Any]:
    """The properties :data:`CREATE_NODES` stores for ``row`` (an :func:`entity_row`)."""
    out: dict[str, Any] = {"id": row["id"]}
    for k, v in row["props"].items():
        if v is not None:  # SET n += {k: null} stores nothing
            out[k] = list(v) if isinstance(v, tuple) else v
    keys = list(row["keys"])
    out.update(
        name=row["name"],
        name_key=row["name_key"],
        aliases=list(row["aliases"]),
        sources=list(row["sources"]),
        search_keys=keys,
        search_text="".join(" " + k for k in keys),
    )
    return out


def created_rel_props(row: Mapping[str, Any]) -> dict[str, Any]:
    """The properties :data:`CREATE_RELATIONSHIPS` stores for ``row`` (a
    :func:`relationship_row`)."""
    out: dict[str, Any] = {"key": row["k"], "sources": list(row["s"])}
    for k, v in row["p"].items():
        if v is not None:
            out[k] = list(v) if isinstance(v, tuple) else v
    return out


ProgressFn = Callable[[int], None]

# A batch for the sending thread: (count key, work in one transaction, rows).
# work returns (created, updated, rows that matched nothing)
_Work = Callable[[ManagedTransaction], tuple[int, int, int]]
_Job = tuple[str, _Work, int]
PROTECTED_KEY = "Person (protected)"


class GraphWriter:
    """Writes records in batches: one transaction per batch of ``batch_size`` rows.

    Rows are built on the calling thread and sent by one background thread, so that
    Python's parsing and Neo4j's writing overlap; batches are sent in the order they were
    filled. Records may arrive in any order as long as every relationship comes after the
    entities at its ends (or they already exist). Call :meth:`flush` at the end: it waits
    for every batch and raises the first error a batch met.

    ``add(record, new=True)`` takes the CREATE path (see the module docstring); the caller
    vouches that the record is new.

    Victims are protected in the transaction that writes them: ``protect`` maps the real
    ids of people the input protects to their level (:mod:`casegraph.graph.protection`).
    A person it names, or whose own properties call for it, is written sealed under her
    pseudonymous id; a relationship that names one is written to that id, and protects
    her first if the graph still holds her in clear. ``kinds`` (id → kind of the input's
    entities, every one of them looked up in the graph under both ids, those it holds
    protected put in ``protect``) spares the pseudonymous lookup for the ends it names. ``links``
    (``hash(id)`` → pseudonymous ids, see :class:`~casegraph.graph.protected_writes.Needles`)
    names the protected people the input links an entity to: its text is scrubbed of their
    names in the transaction that writes it, before the relationships are written.
    """

    def __init__(
        self,
        db: GraphDB,
        *,
        batch_size: int = 10_000,
        progress: ProgressFn | None = None,
        protect: Mapping[str, str] | None = None,
        kinds: Mapping[str, str] | None = None,
        links: Mapping[int, Collection[str]] | None = None,
    ) -> None:
        self.db = db
        self.key = db.protection_key
        self.batch_size = batch_size
        self.progress = progress
        self.protect = protect if protect is not None else {}
        self.kinds = kinds if kinds is not None else {}
        self.needles = Needles(self.key, links=links or {})
        self.counts = WriteCounts()
        # (label or type, new?) -> rows waiting
        self._nodes: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
        self._rels: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
        self._people: list[ToProtect] = []
        self._pending_nodes = 0
        # people this writer stored protected (a relationship to one needs no conversion)
        self._sealed: set[str] = set()
        # ids of the nodes this writer created with their text already scrubbed of every
        # protected person the input links them to (``Needles.links``): a relationship to
        # one of those people changes nothing in them. Used by the sending thread only;
        # emptied whenever a person is (re)sealed, since her names may have changed.
        self._clean: set[str] = set()
        self._pids: dict[str, str] = {}
        # identities in each open MERGE batch: a repeat starts a new batch, because one
        # statement cannot tell a row's own creation from an earlier row's
        self._merge_keys: dict[tuple[str, bool], set[Any]] = defaultdict(set)
        self.changed = False
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=3)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def add(self, record: Record, *, new: bool = False, where: str = "") -> None:
        """Buffer one record. ``where`` is put before the field names of the errors about
        it (e.g. ``relationships.csv:``)."""
        if isinstance(record, SourceRecord):
            self._add_node(SOURCE, source_row(record), new)
        elif isinstance(record, EntityRecord):
            label = check_kind(record.label)
            level = (
                stronger_level(self.protect.get(record.id), own_level(record.properties))
                if label == PERSON
                else None
            )
            if level is not None:
                self._add_person(record, level, new)
            else:
                self._add_node(label, entity_row(record), new)
        else:
            # Relationships may point at nodes still buffered: send those first.
            if self._pending_nodes:
                self._flush_nodes()
            rtype = check_rel_type(record.type)
            row = relationship_row(record)
            row["_where"] = (where, record)
            row["f"] = self._ends(record.from_id)
            row["t"] = self._ends(record.to_id)
            marked = [r for r in (record.from_id, record.to_id) if r in self.protect]
            if marked:
                row["_protect"] = marked
            slot = (rtype, new)
            if not new:
                ident = (record.from_id, record.to_id, row["k"])
                if ident in self._merge_keys[slot]:
                    self._send_rels(rtype, new, self._rels[slot])
                    self._rels[slot] = []
                self._merge_keys[slot].add(ident)
            batch = self._rels[slot]
            batch.append(row)
            if len(batch) >= self.batch_size:
                self._send_rels(rtype, new, batch)
                self._rels[(rtype, new)] = []

    def _ends(self, rid: str) -> list[str]:
        """The ids a relationship end may be stored under. An entity of the input that is
        not in ``protect`` is stored under its own id: the caller looked every id of the
        input up in the graph, under both ids, and put those the graph holds protected in
        ``protect`` (one id to match, not two, is a quarter faster). An id the writer was not
        told about may be either."""
        if rid in self.protect:
            return [self._pseudo_id(rid)]
        if rid in self.kinds:
            return [rid]
        return [rid, self._pseudo_id(rid)]

    def _pseudo_id(self, rid: str) -> str:
        """``key.pseudo_id(rid)``, remembered: a person is at the end of many relationships."""
        pid = self._pids.get(rid)
        if pid is None:
            if len(self._pids) >= 500_000:
                self._pids.clear()
            pid = self._pids[rid] = self.key.pseudo_id(rid)
        return pid

    def add_all(self, records: Iterable[Record]) -> WriteCounts:
        for rec in records:
            self.add(rec)
        self.flush()
        return self.counts

    def _add_person(self, record: EntityRecord, level: str, new: bool = False) -> None:
        payload = {
            "id": record.id,
            "name": record.name,
            "aliases": list(record.aliases),
            "properties": dict(record.properties),
        }
        self._people.append(ToProtect(record.id, level, payload, tuple(record.sources), new))
        self._sealed.add(record.id)
        self._pending_nodes += 1
        if len(self._people) >= max(1, self.batch_size // 5):
            self._send_people()

    def _add_node(self, label: str, row: dict[str, Any], new: bool) -> None:
        slot = (label, new)
        if not new:
            if row["id"] in self._merge_keys[slot]:
                self._send_nodes(label, new, self._nodes[slot])
                self._pending_nodes -= len(self._nodes[slot])
                self._nodes[slot] = []
            self._merge_keys[slot].add(row["id"])
        batch = self._nodes[slot]
        batch.append(row)
        self._pending_nodes += 1
        if len(batch) >= self.batch_size:
            self._send_nodes(label, new, batch)
            self._pending_nodes -= len(batch)
            self._nodes[(label, new)] = []

    def send_entities(self) -> None:
        """Send the entities buffered so far: their batches run before those of any record
        added later (the pipeline writes the people it protects first)."""
        self._flush_nodes()

    def _flush_nodes(self) -> None:
        self._send_people()  # protected people first: text linked to them is scrubbed
        for (label, new), batch in list(self._nodes.items()):
            if batch:
                self._send_nodes(label, new, batch)
            self._nodes[(label, new)] = []
        self._pending_nodes = 0

    def flush(self) -> None:
        """Send every buffered row, wait for all batches, bump the graph version."""
        try:
            self._flush_nodes()
            for (rtype, new), batch in list(self._rels.items()):
                if batch:
                    self._send_rels(rtype, new, batch)
                self._rels[(rtype, new)] = []
        finally:
            self._stop_thread()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if self.changed:
            self.db.bump_graph_version()
            self.changed = False

    def close(self) -> None:
        """Stop the sending thread without sending what is still buffered."""
        self._stop_thread()
        self._error = None

    # -- sending ----------------------------------------------------------------------

    def _send_people(self) -> None:
        people, self._people = self._people, []
        if not people:
            return
        self._pending_nodes -= len(people)
        needles, clean = self.needles, self._clean

        def work(tx: ManagedTransaction) -> tuple[int, int, int]:
            if protect_and_scrub(tx, needles, people):
                clean.clear()
            return (0, 0, 0)

        self._submit((PROTECTED_KEY, work, len(people)))

    def _send_nodes(self, label: str, new: bool, rows: list[dict[str, Any]]) -> None:
        self._merge_keys.pop((label, new), None)
        cypher = (CREATE_NODES if new else MERGE_NODES).format(label=check_kind(label))
        needles = self.needles
        linked = [r["id"] for r in rows if needles.linked(r["id"])]
        if new and linked:
            self._send_new_linked_nodes(label, rows)
            return

        def work(tx: ManagedTransaction) -> tuple[int, int, int]:
            rec = tx.run(cypher, rows=rows).single()
            if not new:  # text rewritten next to a protected person is scrubbed again
                scrub_rewritten(tx, needles, [r["id"] for r in rows])
            if linked:  # text the input links to a protected person: scrubbed already
                scrub_linked(tx, needles, linked)
            return (int(rec["created"]), int(rec["updated"]), 0) if rec else (0, 0, 0)

        self._submit((label, work, len(rows)))

    def _send_new_linked_nodes(self, label: str, rows: list[dict[str, Any]]) -> None:
        """New nodes, some linked by the input to protected people: the text of those is
        scrubbed of their names here and written scrubbed, in one statement (a new node
        has no relationship in the graph yet, so its linked people are all it needs)."""
        needles, key, clean = self.needles, self.key, self._clean
        plain = [r for r in rows if not needles.linked(r["id"])]
        linked = [r for r in rows if needles.linked(r["id"])]
        kind = KINDS.get(label)
        names = kind.scrub_names if kind else True
        create = CREATE_NODES.format(label=check_kind(label))
        create_stored = CREATE_NODES_STORED.format(label=check_kind(label))

        def work(tx: ManagedTransaction) -> tuple[int, int, int]:
            wanted = {p for r in linked for p in needles.linked(r["id"])}
            sealed = sealed_values(tx, needles, wanted)
            stored, done = [], []
            for row in linked:
                pids = needles.linked(row["id"])
                parts = needles.union((p, sealed[p]) for p in pids if p in sealed)
                props = created_node_props(row)
                stored.append(scrubbed_props(props, parts, key, str(row["id"]), names=names))
                if all(p in sealed for p in pids):
                    done.append(row["id"])
            created = 0
            for cypher, batch in ((create, plain), (create_stored, stored)):
                if batch:
                    rec = tx.run(cypher, rows=batch).single()
                    created += int(rec["created"]) if rec else 0
            clean.update(done)
            return (created, 0, 0)

        self._submit((label, work, len(rows)))

    def _send_rels(self, rtype: str, new: bool, rows: list[dict[str, Any]]) -> None:
        self._merge_keys.pop((rtype, new), None)
        cypher = (CREATE_RELATIONSHIPS if new else MERGE_RELATIONSHIPS).format(
            rtype=check_rel_type(rtype)
        )
        # People this input protects whom the graph may still hold in clear: protected in
        # this batch's transaction. Jobs run in the order they are submitted, so a later
        # batch finds them protected.
        convert = []
        # rows with a protected end: (index, pseudonymous ids of those ends, other ends)
        marked: list[tuple[int, list[str], list[str]]] = []
        wheres = []
        for i, row in enumerate(rows):
            row["i"] = i
            wheres.append(row.pop("_where"))
            reals = row.pop("_protect", ())
            for real in reals:
                if real not in self._sealed:
                    convert.append(ToProtect(real, self.protect[real]))
                    self._sealed.add(real)
            if reals and new:
                _, rec_ = wheres[-1]
                pids = [self._pseudo_id(r) for r in reals]
                others = [e for e in (rec_.from_id, rec_.to_id) if e not in self.protect]
                marked.append((i, pids, others))
        key, needles, missed, clean = self.key, self.needles, self.counts.missed, self._clean

        def prepared(tx: ManagedTransaction) -> list[dict[str, Any]]:
            """The rows to send on the CREATE path: a relationship's text scrubbed of its
            protected ends' names, and ``x`` where an unprotected end needs scrubbing."""
            if not marked:
                return rows
            out = list(rows)
            texts = [m for m in marked if has_text(rows[m[0]]["p"])]
            sealed = sealed_values(tx, needles, {p for m in texts for p in m[1]})
            for i, pids, others in marked:
                row = {**out[i], "v": True}
                if texts and has_text(row["p"]):
                    parts = needles.union((p, sealed[p]) for p in pids if p in sealed)
                    row["p"] = scrubbed_props(
                        created_rel_props(row), parts, key, REL_AAD, names=False
                    )
                if any(e not in clean for e in others):
                    row["x"] = True
                out[i] = row
            return out

        def work(tx: ManagedTransaction) -> tuple[int, int, int]:
            if convert and protect_and_scrub(tx, needles, convert):
                clean.clear()
            sent = prepared(tx) if new else rows
            rec = tx.run(cypher, rows=sent).single()
            matched = int(rec["matched"]) if rec is not None else 0
            if matched < len(rows):  # an end not in the graph: an error, never "unchanged"
                found = [r.data() for r in tx.run(MISSING_ENDS, rows=rows)]
                missed.extend(_missed(found, wheres))
            if rec is None:
                return (0, 0, len(rows))
            if new and rec["ends"]:
                scrub_nodes(tx, needles, {e for pair in rec["ends"] for e in pair if e})
            if rec["touched"]:
                scrub_relationships(tx, needles, (), rows=_unless_clean(rec["touched"], clean))
            return (int(rec["created"]), int(rec["updated"]), len(rows) - matched)

        self._submit((rtype, work, len(rows)))

    def _submit(self, job: _Job) -> None:
        if self._error is not None:
            self._stop_thread()
            error, self._error = self._error, None
            raise error
        if self._thread is None:
            self._thread = threading.Thread(target=self._worker, name="graph-writer", daemon=True)
            self._thread.start()
        self._queue.put(job)

    def _stop_thread(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _worker(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if self._error is not None:
                continue  # drain after a failure
            key, work, total = job
            started = time.perf_counter()
            missed_before = len(self.counts.missed)
            try:
                created, updated, lost = self.db.execute_write(work)
            except BaseException as exc:  # handed to the caller's thread
                self._error = exc
                continue
            self.counts.db_seconds += time.perf_counter() - started
            # a retried transaction may have listed its misses more than once: keep each once
            missed = self.counts.missed[missed_before:]
            del self.counts.missed[missed_before:]
            unique = list(dict.fromkeys(missed))
            self.counts.missed.extend(unique)
            self._account(key, total - lost, created, updated)

    def _account(self, key: str, total: int, created: int, updated: int) -> None:
        if key == PROTECTED_KEY:
            # Protected people are counted, never told apart as created or updated: the
            # difference would confirm guesses about what is stored of them.
            self.counts.protected += total
            self.changed = True
        else:
            self.counts.add(key, total, created, updated)
        if created or updated:
            self.changed = True
        if self.progress:
            self.progress(total)


def _unless_clean(touched: list[dict[str, Any]], clean: Collection[str]) -> list[dict[str, Any]]:
    """``touched`` rows without the unprotected ends that need no scrubbing (``clean``)."""
    out = []
    for row in touched:
        row = dict(row)
        if row["ida"] in clean:
            row["clear_a"] = None
        if row["idb"] in clean:
            row["clear_b"] = None
        out.append(row)
    return out


def _missed(
    found: list[dict[str, Any]], wheres: list[tuple[str, RelationshipRecord]]
) -> list[RecordError]:
    """Errors for the rows of a batch whose ends :data:`MISSING_ENDS` did not find."""
    out = []
    for row in found:
        where, rec = wheres[row["i"]]
        for end, present, rid in (
            ("from", row["has_from"], rec.from_id),
            ("to", row["has_to"], rec.to_id),
        ):
            if not present:
                out.append(
                    RecordError(
                        rec.line,
                        f"{where}{end}",
                        f"{rec.type} not written: no entity with id {rid!r} in the graph "
                        "when it was written",
                    )
                )
    return out


def kinds_of_ids(
    db: GraphDB, ids: Iterable[str], chunk: int = 10_000
) -> dict[str, tuple[str, str | None]]:
    """(kind label, protection level) of every id in ``ids`` that exists in the graph, as
    given or as a protected person's pseudonymous id."""
    key = db.protection_key
    out: dict[str, tuple[str, str | None]] = {}
    batch: list[str] = []

    def lookup(items: list[str]) -> None:
        rows = [{"id": i, "pid": key.pseudo_id(i)} for i in items]
        for row in db.read(KINDS_OF_IDS, {"rows": rows}):
            out[row["id"]] = (row["kind"], row["level"])

    for i in ids:
        batch.append(i)
        if len(batch) >= chunk:
            lookup(batch)
            batch = []
    if batch:
        lookup(batch)
    return out
