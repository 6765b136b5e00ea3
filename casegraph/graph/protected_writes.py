"""Writing protected people, in the transaction that writes the facts that protect them.

Every function here takes an open transaction: the writer calls them inside the same
transaction as the batch that makes a person a victim, so no reader ever sees her in clear
(see :mod:`casegraph.graph.protection` for what is stored).

- :func:`protect` writes or converts people as protected: a clear node is rewritten in
  place (its relationships stay) under the pseudonymous id; a protected node gets the new
  facts merged into its sealed payload; the level only rises.
- :func:`scrub_around_people`, :func:`scrub_relationships` and :func:`scrub_nodes` scrub
  free text linked to protected people of the words of their names; the original text is
  sealed beside it (``sealed_text``) for the roles that may see it.
- :func:`migrate` protects the people already in a graph (``casegraph db migrate``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction

from casegraph.errors import NotFoundError
from casegraph.graph.model import KINDS, NON_TEXT_FIELDS, PERSON, RELATIONSHIPS, stronger_level
from casegraph.graph.names import name_key, search_keys
from casegraph.graph.protection import (
    ProtectionKey,
    is_pseudo_id,
    name_parts,
    own_level,
    payload_names,
    pseudonym_of,
    scrub,
)

# Fields of a clear node that are not facts about the person (derived or bookkeeping).
_DERIVED = frozenset({"id", "name", "aliases", "sources", "name_key", "search_keys", "search_text"})
SEALED_TEXT = "sealed_text"
REL_AAD = "relationship"

LOOKUP = """
UNWIND $rows AS row
OPTIONAL MATCH (c:Entity {id: row.real})
OPTIONAL MATCH (p:Entity {id: row.pid})
RETURN row.real AS real,
       CASE WHEN c IS NULL OR c.protection IS NOT NULL THEN null ELSE properties(c) END AS clear,
       CASE WHEN c IS NULL THEN null ELSE [l IN labels(c) WHERE l <> 'Entity'][0] END AS kind,
       p.sealed AS sealed, p.protection AS level, p.sources AS sources
"""

WRITE = """
UNWIND $rows AS row
OPTIONAL MATCH (c:Entity {id: row.real})
FOREACH (_ IN CASE WHEN c IS NOT NULL AND c.protection IS NULL THEN [1] ELSE [] END |
  SET c = row.props)
WITH row
MERGE (n:Entity {id: row.props.id})
SET n = row.props, n:Person
"""

NEIGHBOURS = """
UNWIND $pids AS pid
MATCH (p:Entity {id: pid})-[r]-(e:Entity)
RETURN collect(DISTINCT CASE WHEN e.protection IS NULL THEN elementId(e) END) AS nodes,
       collect(DISTINCT elementId(r)) AS rels
"""

NODE_TEXT = """
UNWIND $eids AS eid
MATCH (e) WHERE elementId(e) = eid
RETURN eid, e.id AS id, [l IN labels(e) WHERE l <> 'Entity'][0] AS kind,
       properties(e) AS props
"""

NODE_VICTIMS = """
UNWIND $eids AS eid
MATCH (e) WHERE elementId(e) = eid
MATCH (e)--(v:Person) WHERE v.protection IS NOT NULL
RETURN eid, collect(DISTINCT [v.id, v.sealed]) AS victims
"""

SEALED_PEOPLE = """
UNWIND $pids AS pid
MATCH (v:Entity {id: pid}) WHERE v:Person AND v.protection IS NOT NULL
RETURN v.id AS id, v.sealed AS sealed
"""

CLEAR_NODES = """
UNWIND $ids AS id
MATCH (e:Entity {id: id}) WHERE e.protection IS NULL
RETURN collect(elementId(e)) AS eids
"""

SET_NODE = """
UNWIND $rows AS row
MATCH (e) WHERE elementId(e) = row.eid
SET e += row.props
"""

REL_TEXT = """
UNWIND $rids AS rid
MATCH (a)-[r]->(b) WHERE elementId(r) = rid
RETURN rid, properties(r) AS props,
       CASE WHEN a.protection IS NULL THEN elementId(a) END AS clear_a,
       CASE WHEN b.protection IS NULL THEN elementId(b) END AS clear_b,
       [v IN [a, b] WHERE v.protection IS NOT NULL | [v.id, v.sealed]] AS victims
"""

SET_REL = """
UNWIND $rows AS row
MATCH ()-[r]->() WHERE elementId(r) = row.rid
SET r += row.props
"""

PROTECTED_IN_CLEAR = """
UNWIND $ids AS id
MATCH (e:Entity {id: id})
WHERE e.protection IS NULL AND EXISTS { (e)--(v:Person) WHERE v.protection IS NOT NULL }
RETURN collect(elementId(e)) AS eids
"""


@dataclass(frozen=True)
class ToProtect:
    """A person to store protected: her real id, the level the input calls for, and the
    facts the input gives about her (``payload``: id, name, aliases, properties; ``None``
    to convert what the graph holds)."""

    real_id: str
    level: str
    payload: Mapping[str, Any] | None = None
    sources: tuple[str, ...] = ()
    # the caller proved her absent from the graph (neither her real nor her pseudonymous
    # id is there) and given once: nothing to read back, nothing linked to scrub
    new: bool = False


@dataclass
class Needles:
    """Name parts of protected people, by (pseudonymous id, sealed value): a cache for one
    writer, so a hub's victims are decrypted once per load, not once per batch.

    ``links`` (from the pipeline's first pass) maps ``hash(entity id)`` to the pseudonymous
    ids of the protected people the input links that entity to: its text is scrubbed of
    their names as soon as it is written, before the relationships that link them are."""

    key: ProtectionKey
    parts: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    links: Mapping[int, Collection[str]] = field(default_factory=dict)
    # sealed values of linked people, read once per load (dropped when one is rewritten)
    sealed: dict[str, str] = field(default_factory=dict)

    def linked(self, entity_id: str) -> Collection[str]:
        """The protected people the input links ``entity_id`` to (pseudonymous ids)."""
        return self.links.get(hash(entity_id), ()) if self.links else ()

    def of(self, pid: str, sealed: str | None) -> frozenset[str]:
        if not sealed:
            return frozenset()
        found = self.parts.get((pid, sealed))
        if found is None:
            found = name_parts(payload_names(self.key.unseal(sealed, pid)))
            if len(self.parts) > 200_000:
                self.parts.clear()
            self.parts[(pid, sealed)] = found
        return found

    def union(self, victims: Iterable[Iterable[Any]]) -> frozenset[str]:
        out: set[str] = set()
        for pid, sealed in (tuple(v) for v in victims):
            out |= self.of(str(pid), sealed)
        return frozenset(out)


def _union(*lists: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(x for lst in lists for x in (lst or [])))


def _payload_of_clear(real_id: str, clear: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": real_id,
        "name": clear.get("name") or "",
        "aliases": list(clear.get("aliases") or []),
        "properties": {k: v for k, v in clear.items() if k not in _DERIVED},
    }


def _merge(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, Any]:
    if old is None:
        return dict(new or {})
    if new is None:
        return dict(old)
    return {
        "id": new.get("id") or old.get("id"),
        "name": new.get("name") or old.get("name") or "",
        "aliases": _union(old.get("aliases") or [], new.get("aliases") or []),
        "properties": {**(old.get("properties") or {}), **(new.get("properties") or {})},
    }


def merge_payloads(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, Any]:
    """Facts about one person from two records: aliases unioned, later values win."""
    return _merge(old, new)


def union(*lists: Iterable[Any]) -> list[Any]:
    """The items of ``lists`` in order, each once (how ``sources`` of a person grow)."""
    return _union(*lists)


def protected_props(
    key: ProtectionKey,
    pid: str,
    payload: Mapping[str, Any],
    level: str | None,
    sources: list[Any],
) -> dict[str, Any]:
    """Every property of the node that stores a protected person (see
    :mod:`casegraph.graph.protection`): written by :func:`protect`, and by the bulk import
    (:mod:`casegraph.graph.bulk`)."""
    pseudonym = pseudonym_of(pid)
    pkey = name_key(pseudonym)
    return {
        "id": pid,
        "name": pseudonym,
        "name_key": pkey,
        "aliases": [],
        "search_keys": [pkey],
        "search_text": " " + pkey,
        "sources": sources,
        "protection": level,
        "sealed": key.seal(payload, pid),
        "blind_text": key.blind_text(payload_names(payload)),
    }


def protect(tx: ManagedTransaction, key: ProtectionKey, items: list[ToProtect]) -> list[str]:
    """Store ``items`` protected (see the module docstring); return their pseudonymous ids."""
    if not items:
        return []
    merged: dict[str, ToProtect] = {}
    for item in items:  # one row per person, so the statement sees each once
        prev = merged.get(item.real_id)
        if prev is not None:
            item = ToProtect(
                item.real_id,
                stronger_level(prev.level, item.level) or item.level,
                _merge(prev.payload, item.payload) if prev.payload or item.payload else None,
                tuple(_union(prev.sources, item.sources)),
            )
        merged[item.real_id] = item
    pids = {real: key.pseudo_id(real) for real in merged}
    lookup = [{"real": real, "pid": pids[real]} for real, it in merged.items() if not it.new]
    found: dict[str, dict[str, Any]] = (
        {r["real"]: r.data() for r in tx.run(LOOKUP, rows=lookup)} if lookup else {}
    )
    rows: list[dict[str, Any]] = []
    for real, item in merged.items():
        pid = pids[real]
        row: dict[str, Any] = found.get(real) or {}
        old = key.unseal(row["sealed"], pid) if row.get("sealed") else None
        clear = row.get("clear")
        if clear is not None and row.get("kind") not in (None, PERSON):
            continue  # another kind under this id: validation refuses such input
        if clear is not None:
            old = _merge(old, _payload_of_clear(real, clear))
        payload = _merge(old, item.payload)
        payload.setdefault("id", real)
        level = stronger_level(
            stronger_level(row.get("level"), item.level),
            own_level(payload.get("properties") or {}),
        )
        sources = _union(row.get("sources") or [], (clear or {}).get("sources") or [], item.sources)
        unchanged = payload == old and level == row.get("level")
        if clear is None and unchanged and sources == (row.get("sources") or []):
            continue  # nothing new: the stored node stays as it is
        rows.append({"real": real, "props": protected_props(key, pid, payload, level, sources)})
    if rows:
        tx.run(WRITE, rows=rows).consume()
    return [str(r["props"]["id"]) for r in rows]


# -- scrubbing linked free text ------------------------------------------------------------


def _is_text(name: str, value: Any) -> bool:
    if name in NON_TEXT_FIELDS or name == SEALED_TEXT:
        return False
    if isinstance(value, str):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def has_text(props: Mapping[str, Any]) -> bool:
    """Whether ``props`` hold free text that scrubbing looks at."""
    return any(_is_text(k, v) for k, v in props.items()) or bool(props.get(SEALED_TEXT))


def _scrubbed_props(
    props: Mapping[str, Any],
    parts: frozenset[str],
    key: ProtectionKey,
    aad: str,
    *,
    names: bool,
) -> dict[str, Any] | None:
    """The property updates that scrub ``props`` of ``parts`` (``None``: nothing to do).
    What was scrubbed is sealed in ``sealed_text`` as {property: [original, scrubbed]}, so
    that text rewritten since is told from text scrubbed before."""
    state: dict[str, Any] = key.unseal(props[SEALED_TEXT], aad) if props.get(SEALED_TEXT) else {}
    new_state: dict[str, Any] = {}
    updates: dict[str, Any] = {}
    for name, current in props.items():
        if not _is_text(name, current) or (name in ("name", "aliases") and not names):
            continue
        kept = state.get(name)
        original = kept[0] if kept is not None and kept[1] == current else current
        if isinstance(original, list):
            cleaned: Any = [scrub(v, parts) for v in original]
        else:
            cleaned = scrub(original, parts)
        if cleaned != original:
            new_state[name] = [original, cleaned]
        if cleaned != current:
            updates[name] = cleaned
    if not updates and new_state == state:
        return None
    if "name" in updates or "aliases" in updates:
        name = str(updates.get("name", props.get("name")) or "")
        aliases = list(updates.get("aliases", props.get("aliases")) or [])
        keys = search_keys(name, aliases)
        updates.update(name_key=name_key(name), search_keys=keys, search_text=" " + " ".join(keys))
    updates[SEALED_TEXT] = key.seal(new_state, aad) if new_state else None
    return updates


def scrubbed_props(
    props: Mapping[str, Any],
    parts: frozenset[str],
    key: ProtectionKey,
    aad: str,
    *,
    names: bool,
) -> dict[str, Any]:
    """``props`` as stored once scrubbed of ``parts`` (what :func:`scrub_nodes` and
    :func:`scrub_relationships` leave in the graph; the bulk import writes it at once)."""
    change = _scrubbed_props(props, parts, key, aad, names=names)
    if change is None:
        return dict(props)
    out = {**props, **change}
    return {k: v for k, v in out.items() if v is not None}


def scrub_nodes(tx: ManagedTransaction, needles: Needles, eids: Iterable[str]) -> int:
    """Scrub the free text of these (unprotected) nodes of every protected neighbour's
    names; return how many changed."""
    with_text = []
    for row in tx.run(NODE_TEXT, eids=list(set(eids))):
        props = row["props"]
        if any(_is_text(k, v) for k, v in props.items()) or props.get(SEALED_TEXT):
            with_text.append(row)
    if not with_text:
        return 0
    victims = {
        r["eid"]: r["victims"] for r in tx.run(NODE_VICTIMS, eids=[r["eid"] for r in with_text])
    }
    # and the protected people the input links them to by relationships not written yet
    linked = {r["eid"]: needles.linked(str(r["id"])) for r in with_text}
    sealed = needles.sealed
    wanted = sorted({pid for pids in linked.values() for pid in pids} - sealed.keys())
    if wanted:
        sealed.update((r["id"], r["sealed"]) for r in tx.run(SEALED_PEOPLE, pids=wanted))
    updates = []
    for row in with_text:
        kind = KINDS.get(row["kind"])
        parts = needles.union(victims.get(row["eid"], [])) | needles.union(
            (pid, sealed[pid]) for pid in linked[row["eid"]] if pid in sealed
        )
        change = _scrubbed_props(
            row["props"],
            parts,
            needles.key,
            str(row["id"]),
            names=kind.scrub_names if kind else True,
        )
        if change is not None:
            updates.append({"eid": row["eid"], "props": change})
    if updates:
        tx.run(SET_NODE, rows=updates).consume()
    return len(updates)


def scrub_relationships(
    tx: ManagedTransaction,
    needles: Needles,
    rids: Iterable[str],
    *,
    ends: bool = True,
    rows: Iterable[Mapping[str, Any]] | None = None,
) -> int:
    """Scrub these relationships' free text of the names of their protected ends, and (with
    ``ends``) their unprotected ends' text of all their protected neighbours' names.

    ``rows`` (instead of ``rids``) gives what :data:`REL_TEXT` reads, from the statement
    that wrote the relationships: looked up by element id in a graph that had no
    relationships when the query was planned, each would be found by a scan of all of
    them (Neo4j plans ``AllRelationshipsScan`` for an empty store, and keeps the plan)."""
    updates = []
    clear_ends: set[str] = set()
    found = rows if rows is not None else tx.run(REL_TEXT, rids=list(set(rids)))
    for row in found:
        if not row["victims"] and not row["props"].get(SEALED_TEXT):
            continue
        clear_ends.update(e for e in (row["clear_a"], row["clear_b"]) if e)
        parts = needles.union(row["victims"])
        change = _scrubbed_props(row["props"], parts, needles.key, REL_AAD, names=False)
        if change is not None:
            updates.append({"rid": row["rid"], "props": change})
    if updates:
        tx.run(SET_REL, rows=updates).consume()
    if ends and clear_ends:
        scrub_nodes(tx, needles, clear_ends)
    return len(updates)


def protect_and_scrub(
    tx: ManagedTransaction, needles: Needles, items: list[ToProtect]
) -> list[str]:
    """:func:`protect` ``items``, then :func:`scrub_around_people` those that were in the
    graph before (a person proven new has nothing linked to her yet)."""
    written = protect(tx, needles.key, items)
    fresh = {needles.key.pseudo_id(i.real_id) for i in items if i.new}
    for pid in fresh:
        needles.sealed.pop(pid, None)
    scrub_around_people(tx, needles, [pid for pid in written if pid not in fresh])
    return written


def sealed_values(tx: ManagedTransaction, needles: Needles, pids: Iterable[str]) -> dict[str, str]:
    """The sealed values of these protected people (cached in ``needles.sealed``); a pid
    that is not (yet) a protected node is left out."""
    sealed = needles.sealed
    wanted = sorted(set(pids) - sealed.keys())
    if wanted:
        sealed.update((r["id"], r["sealed"]) for r in tx.run(SEALED_PEOPLE, pids=wanted))
    return sealed


def scrub_around_people(tx: ManagedTransaction, needles: Needles, pids: list[str]) -> None:
    """Scrub everything linked to these protected people: their relationships and their
    unprotected neighbours."""
    if not pids:
        return
    for pid in pids:  # rewritten: read again when next needed
        needles.sealed.pop(pid, None)
    row = tx.run(NEIGHBOURS, pids=pids).single()
    if row is None:
        return
    if row["rels"]:
        scrub_relationships(tx, needles, row["rels"], ends=False)
    if row["nodes"]:
        scrub_nodes(tx, needles, row["nodes"])


def scrub_linked(tx: ManagedTransaction, needles: Needles, ids: list[str]) -> None:
    """After clear nodes were written: scrub those the input links to protected people
    (:attr:`Needles.links`) of their names, before any relationship links them."""
    if not ids:
        return
    row = tx.run(CLEAR_NODES, ids=ids).single()
    if row is not None and row["eids"]:
        scrub_nodes(tx, needles, row["eids"])


def scrub_rewritten(tx: ManagedTransaction, needles: Needles, ids: list[str]) -> None:
    """After clear nodes were (re)written: scrub those linked to protected people again."""
    if not ids:
        return
    row = tx.run(PROTECTED_IN_CLEAR, ids=ids).single()
    if row is not None and row["eids"]:
        scrub_nodes(tx, needles, row["eids"])


# -- lifting ----------------------------------------------------------------------------------

LIFT = """
MATCH (n:Entity {id: $pid}) WHERE n:Person AND n.protection IS NOT NULL
SET n = $props
"""


def lift(db: Any, key: ProtectionKey, entity_id: str) -> dict[str, Any]:
    """Store a protected person in clear again (an admin's decision, audited by the caller).
    ``entity_id`` is her real or pseudonymous id. Returns her real id and former level.
    The rules still apply to later writes: data that marks her again protects her again."""
    pid = entity_id if is_pseudo_id(entity_id) else key.pseudo_id(entity_id)
    rows = db.read(
        "MATCH (n:Entity {id: $pid}) WHERE n:Person AND n.protection IS NOT NULL "
        "RETURN n.sealed AS sealed, n.protection AS level, n.sources AS sources",
        {"pid": pid},
    )
    if not rows:
        raise NotFoundError(f"no protected person with id {entity_id!r}")
    payload = key.unseal(rows[0]["sealed"], pid)
    real = str(payload.get("id") or entity_id)
    name = str(payload.get("name") or "")
    aliases = list(payload.get("aliases") or [])
    keys = search_keys(name, aliases)
    props = {
        **(payload.get("properties") or {}),
        "id": real,
        "name": name,
        "aliases": aliases,
        "name_key": name_key(name),
        "search_keys": keys,
        "search_text": " " + " ".join(keys),
        "sources": rows[0]["sources"] or [],
    }
    needles = Needles(key)

    def work(tx: ManagedTransaction) -> None:
        tx.run(LIFT, pid=pid, props=props).consume()
        row = tx.run(NEIGHBOURS, pids=[real]).single()
        if row is not None:
            scrub_relationships(tx, needles, row["rels"], ends=False)
            scrub_nodes(tx, needles, row["nodes"])

    db.execute_write(work)
    db.bump_graph_version()
    return {"id": real, "pseudonymous_id": pid, "level": rows[0]["level"]}


# -- migration -------------------------------------------------------------------------------


def _marked_pattern() -> str:
    """``EXISTS`` tests for every relationship type that marks a victim (from the model)."""
    tests = []
    for rt in RELATIONSHIPS.values():
        if rt.marks_victim == "from":
            tests.append(f"EXISTS {{ (p)-[:{rt.name}]->() }}")
        elif rt.marks_victim == "to":
            tests.append(f"EXISTS {{ ()-[:{rt.name}]->(p) }}")
    return " OR ".join(tests) or "false"


def unprotected_people_query() -> str:
    return f"""
MATCH (p:Person) WHERE p.protection IS NULL
RETURN p.id AS id, ({_marked_pattern()}) AS marked, properties(p) AS props
"""


def migrate(db: Any, key: ProtectionKey, *, batch: int = 1000) -> int:
    """Protect every person in the graph whom the rules protect but who is stored in clear,
    and drop the old in-graph pseudonym secret. Idempotent; returns how many it protected."""
    db.write("MATCH (m:CasegraphMeta {key: 'pseudonym'}) DETACH DELETE m")
    todo = []
    for row in db.read(unprotected_people_query()):
        level = stronger_level("all" if row["marked"] else None, own_level(row["props"] or {}))
        if level is not None:
            todo.append(ToProtect(str(row["id"]), level))
    needles = Needles(key)
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]

        def work(tx: ManagedTransaction, chunk: list[ToProtect] = chunk) -> None:
            scrub_around_people(tx, needles, protect(tx, key, chunk))

        db.execute_write(work)
    if todo:
        db.bump_graph_version()
    return len(todo)
