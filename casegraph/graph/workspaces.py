"""Workspaces and notes as stored: ``(:Workspace {id, name, owner, owner_name, created,
updated, view})`` and ``(:Note {id, author, author_name, created, target_kind, target,
text})`` nodes, neither of them an ``Entity`` and linked to nothing (search, counts,
analytics and exports of the entity graph never see them; a note cannot change a fact).

The originals are sealed per field: ``sealed_name``/``sealed_filters`` of a workspace,
``sealed_text`` of a note.

A workspace's ``view`` is a JSON string: the entity ids in view with their positions, the
zoom and pan, the filters and the selected period. It holds stored ids only (a protected
person under her pseudonymous id), so whoever opens it gets names through the disclosure
of her own role.

Free text written here (a note's text, a workspace's name and filters) is protected as
the ingest protects a description: every word that names a protected person (one linked
to the note's target, or one the blind index finds by any word of the text, inflected
forms included) is replaced by ``[redacted]`` before it is stored, and the original is
sealed beside it (``sealed_text``, restored only for callers who may see every level).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

from casegraph.errors import NotFoundError
from casegraph.graph import repository
from casegraph.graph.db import GraphDB
from casegraph.graph.disclosure import Disclosure
from casegraph.graph.names import name_key
from casegraph.graph.protection import (
    MAX_SUFFIX,
    MIN_PART,
    is_pseudo_id,
    name_parts,
    payload_names,
    scrub,
)
from casegraph.graph.schema import BLIND_INDEX

__all__ = [
    "add_note",
    "create_workspace",
    "delete_workspace",
    "edges_among",
    "existing_ids",
    "get_workspace",
    "list_notes",
    "list_workspaces",
    "protect_text",
    "relationship_exists",
    "restore_text",
    "sources_of",
    "stored_ids",
    "stored_view",
    "update_workspace",
]

MAX_VIEW_NODES = 2000
MAX_EDGES = 10_000
#: Blind tokens per full-text query (Lucene refuses more than 1024 clauses).
TOKENS_PER_QUERY = 500
_VOWELS = "aeiouy"

CREATE_WORKSPACE = """
CREATE (w:Workspace {id: $id, name: $name, owner: $owner, owner_name: $owner_name,
                     created: $now, updated: $now, view: $view})
SET w.sealed_name = $sealed_name, w.sealed_filters = $sealed_filters
RETURN w {.*} AS w
"""
LIST_WORKSPACES = """
MATCH (w:Workspace)
RETURN w {.id, .name, .owner, .owner_name, .created, .updated, .sealed_name} AS w
ORDER BY w.updated DESC, w.id
LIMIT $limit
"""
GET_WORKSPACE = "MATCH (w:Workspace {id: $id}) RETURN w {.*} AS w"
UPDATE_WORKSPACE = """
MATCH (w:Workspace {id: $id})
SET w.updated = $now
FOREACH (_ IN CASE WHEN $set_name THEN [1] ELSE [] END |
  SET w.name = $name, w.sealed_name = $sealed_name)
FOREACH (_ IN CASE WHEN $set_view THEN [1] ELSE [] END |
  SET w.view = $view, w.sealed_filters = $sealed_filters)
RETURN w {.*} AS w
"""
DELETE_WORKSPACE = """
MATCH (w:Workspace {id: $id})
OPTIONAL MATCH (n:Note {target_kind: 'workspace', target: $id})
WITH w, collect(n) AS notes
FOREACH (n IN notes | DELETE n)
DELETE w
RETURN size(notes) AS notes
"""
CREATE_NOTE = """
CREATE (n:Note {id: $id, author: $author, author_name: $author_name, created: $now,
                target_kind: $kind, target: $target, text: $text})
SET n.sealed_text = $sealed_text
RETURN n {.*} AS n
"""
LIST_NOTES = """
MATCH (n:Note {target: $target})
WHERE $kind IS NULL OR n.target_kind = $kind
RETURN n {.*} AS n
ORDER BY n.created, n.id
LIMIT $limit
"""
NOTES_ON = """
UNWIND $targets AS t
MATCH (n:Note {target: t})
RETURN n {.*} AS n
ORDER BY n.created, n.id
LIMIT $limit
"""
KEY_NAME = "MATCH (k:ApiKey {key_id: $key_id}) RETURN k.name AS name"
EXISTING = "UNWIND $ids AS nid MATCH (n:Entity {id: nid}) RETURN n.id AS id"
NODES = "UNWIND $ids AS nid MATCH (n:Entity {id: nid}) RETURN n"
REL_EXISTS = """
MATCH (a:Entity {id: $from})-[r]->(b:Entity {id: $to}) WHERE type(r) = $type
RETURN count(r) > 0 AS found
"""
EDGES_AMONG = """
UNWIND $ids AS aid
MATCH (a:Entity {id: aid})-[r]->(b:Entity)
WHERE b.id IN $ids
RETURN r, a.id AS from_id, b.id AS to_id
LIMIT $limit
"""
SOURCES = """
MATCH (s:Source) WHERE s.id IN $ids
RETURN s.id AS id, s.name AS title, s.url AS url, s.published AS published
ORDER BY s.id
"""
# The protected people a note's target is linked to: the target itself and its neighbours.
LINKED_PEOPLE = """
UNWIND $ids AS nid
MATCH (e:Entity {id: nid})
CALL (e) {
  WITH e WHERE e:Person AND e.sealed IS NOT NULL RETURN e AS p
  UNION
  WITH e WHERE $neighbours
  MATCH (e)--(p:Person) WHERE p.sealed IS NOT NULL RETURN p
}
RETURN DISTINCT p.id AS id, p.sealed AS sealed
LIMIT 5000
"""
BLIND_PEOPLE = f"""
CALL db.index.fulltext.queryNodes('{BLIND_INDEX}', $lucene, {{limit: 500}}) YIELD node
WHERE node.sealed IS NOT NULL
RETURN node.id AS id, node.sealed AS sealed
"""


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def key_name(db: GraphDB, key_id: str) -> str | None:
    """The name of the API key ``key_id`` (``None`` without one: auth disabled)."""
    rows = db.read(KEY_NAME, {"key_id": key_id})
    return rows[0]["name"] if rows else None


# -- text protection ------------------------------------------------------------------------


def _heads(word: str) -> set[str]:
    """The name words an (inflected) text word can be: itself, itself without up to
    :data:`MAX_SUFFIX` letters, and each of those plus a vowel (a name's stem, as
    :func:`casegraph.graph.protection.scrub` matches it)."""
    key = name_key(word).replace(" ", "")
    out: set[str] = set()
    for cut in range(min(MAX_SUFFIX, len(key) - MIN_PART) + 1):
        head = key[: len(key) - cut] if cut else key
        out.add(head)
        out.update(head + v for v in _VOWELS)
    return out


def _blind_people(db: GraphDB, text: str) -> list[dict[str, Any]]:
    key = db.protection_key
    words = {w for w in name_key(text).split() if len(w) >= MIN_PART and not w.isdigit()}
    tokens = sorted({key.blind_token(h) for w in words for h in _heads(w)})
    found: list[dict[str, Any]] = []
    for i in range(0, len(tokens), TOKENS_PER_QUERY):
        lucene = " OR ".join(tokens[i : i + TOKENS_PER_QUERY])
        found.extend(db.read(BLIND_PEOPLE, {"lucene": lucene}))
    return found


def protect_text(
    db: GraphDB,
    fields: dict[str, str],
    linked: Iterable[str] = (),
    *,
    neighbours: bool = True,
    aad: str,
) -> tuple[dict[str, str], str | None]:
    """``fields`` (name → free text) scrubbed of the names of every protected person linked
    to the entities ``linked`` (and, with ``neighbours``, to their neighbours) or named by
    a word of the text (the blind index), and the sealed originals of what changed
    (``None``: nothing did)."""
    text = " ".join(fields.values())
    if not text.strip():
        return dict(fields), None
    people = {r["id"]: r["sealed"] for r in _blind_people(db, text)}
    ids = sorted(set(linked))
    if ids:
        rows = db.read(LINKED_PEOPLE, {"ids": ids, "neighbours": neighbours})
        people.update({r["id"]: r["sealed"] for r in rows})
    key = db.protection_key
    parts: set[str] = set()
    for pid, sealed in people.items():
        parts |= name_parts(payload_names(key.unseal(sealed, pid)))
    out = {name: scrub(value, frozenset(parts)) for name, value in fields.items()}
    changed = {name: [fields[name], out[name]] for name in fields if out[name] != fields[name]}
    return out, key.seal(changed, aad) if changed else None


def restore_text(
    db: GraphDB, stored: dict[str, Any], sealed: str | None, aad: str
) -> dict[str, Any]:
    """``stored`` with its scrubbed fields given back from ``sealed`` (for callers who see
    every level)."""
    if not sealed:
        return stored
    state = db.protection_key.unseal(sealed, aad)
    out = dict(stored)
    for name, (original, scrubbed) in state.items():
        if out.get(name) == scrubbed:
            out[name] = original
    return out


def workspace_aad(workspace_id: str) -> str:
    return "workspace:" + workspace_id


def filters_aad(workspace_id: str) -> str:
    return "workspace-filters:" + workspace_id


def note_aad(note_id: str) -> str:
    return "note:" + note_id


# -- entities a workspace shows -------------------------------------------------------------


STORED_PEOPLE = """
UNWIND $ids AS pid
MATCH (n:Entity {id: pid}) WHERE n:Person AND n.protection IN $levels
RETURN n.id AS id
"""


def stored_ids(db: GraphDB, disclosure: Disclosure, ids: list[str]) -> dict[str, str]:
    """The stored id each of ``ids`` means for this caller (batched
    :meth:`~casegraph.graph.disclosure.Disclosure.resolve`): a caller who may see a
    protected person may name her by her real id; anyone else's ids are taken as given."""
    out = {i: i for i in ids}
    if not disclosure.levels:
        return out
    key = db.protection_key
    pids = {i: key.pseudo_id(i) for i in ids if not is_pseudo_id(i)}
    if not pids:
        return out
    rows = db.read(
        STORED_PEOPLE, {"ids": sorted(set(pids.values())), "levels": sorted(disclosure.levels)}
    )
    found = {r["id"] for r in rows}
    out.update({i: pid for i, pid in pids.items() if pid in found})
    return out


def existing_ids(db: GraphDB, ids: list[str]) -> set[str]:
    """Which of ``ids`` are entities."""
    if not ids:
        return set()
    return {r["id"] for r in db.read(EXISTING, {"ids": sorted(set(ids))})}


def relationship_exists(db: GraphDB, start: str, rel_type: str, end: str) -> bool:
    rows = db.read(REL_EXISTS, {"from": start, "to": end, "type": rel_type})
    return bool(rows and rows[0]["found"])


def nodes_of(db: GraphDB, ids: list[str]) -> list[dict[str, Any]]:
    """The entities ``ids`` as the API shows them (before disclosure), in ``ids``' order."""
    if not ids:
        return []

    def work(tx: Any) -> list[dict[str, Any]]:
        return [repository.node_dict(r["n"]) for r in tx.run(NODES, ids=ids)]

    found = {n["id"]: n for n in db.execute_read(work)}
    return [found[i] for i in ids if i in found]


def edges_among(db: GraphDB, ids: list[str]) -> list[dict[str, Any]]:
    """The relationships among the entities ``ids`` (before disclosure)."""
    if not ids:
        return []

    def work(tx: Any) -> list[dict[str, Any]]:
        rows = tx.run(EDGES_AMONG, ids=ids, limit=MAX_EDGES)
        return [repository.edge_dict(r["r"], r["from_id"], r["to_id"]) for r in rows]

    return db.execute_read(work)


def sources_of(db: GraphDB, ids: Iterable[str]) -> list[dict[str, Any]]:
    """The source documents ``ids`` (id, title, url, published)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return [dict(r) for r in db.read(SOURCES, {"ids": wanted})]


# -- workspaces -----------------------------------------------------------------------------


def create_workspace(
    db: GraphDB,
    *,
    name: str,
    view: dict[str, Any],
    owner: str,
    owner_name: str | None,
    sealed_name: str | None,
    sealed_filters: str | None,
    workspace_id: str | None = None,
) -> dict[str, Any]:
    rows = db.write(
        CREATE_WORKSPACE,
        {
            "id": workspace_id or new_id("ws"),
            "name": name,
            "owner": owner,
            "owner_name": owner_name,
            "now": now(),
            "view": json.dumps(view, ensure_ascii=False, sort_keys=True),
            "sealed_name": sealed_name,
            "sealed_filters": sealed_filters,
        },
    )
    return dict(rows[0]["w"])


def stored_view(row: dict[str, Any]) -> dict[str, Any]:
    """The view of a stored workspace (its JSON string read)."""
    view: dict[str, Any] = json.loads(row.get("view") or "{}")
    return view


def list_workspaces(db: GraphDB, limit: int = 500) -> list[dict[str, Any]]:
    return [dict(r["w"]) for r in db.read(LIST_WORKSPACES, {"limit": limit})]


def get_workspace(db: GraphDB, workspace_id: str) -> dict[str, Any]:
    rows = db.read(GET_WORKSPACE, {"id": workspace_id})
    if not rows:
        raise NotFoundError(f"no workspace with id {workspace_id!r}")
    return dict(rows[0]["w"])


def update_workspace(
    db: GraphDB,
    workspace_id: str,
    *,
    name: str | None,
    sealed_name: str | None,
    view: dict[str, Any] | None,
    sealed_filters: str | None,
) -> dict[str, Any]:
    """Rename (``name`` not ``None``) and/or save the view (``view`` not ``None``)."""
    rows = db.write(
        UPDATE_WORKSPACE,
        {
            "id": workspace_id,
            "set_name": name is not None,
            "name": name,
            "sealed_name": sealed_name,
            "set_view": view is not None,
            "view": None if view is None else json.dumps(view, ensure_ascii=False, sort_keys=True),
            "sealed_filters": sealed_filters,
            "now": now(),
        },
    )
    if not rows:
        raise NotFoundError(f"no workspace with id {workspace_id!r}")
    return dict(rows[0]["w"])


def delete_workspace(db: GraphDB, workspace_id: str) -> int:
    """Delete a workspace and the notes on it; the number of notes deleted."""
    rows = db.write(DELETE_WORKSPACE, {"id": workspace_id})
    if not rows:
        raise NotFoundError(f"no workspace with id {workspace_id!r}")
    return int(rows[0]["notes"])


# -- notes ----------------------------------------------------------------------------------


def add_note(
    db: GraphDB,
    *,
    note_id: str,
    kind: str,
    target: str,
    text: str,
    author: str,
    author_name: str | None,
    sealed_text: str | None,
) -> dict[str, Any]:
    rows = db.write(
        CREATE_NOTE,
        {
            "id": note_id,
            "kind": kind,
            "target": target,
            "text": text,
            "author": author,
            "author_name": author_name,
            "now": now(),
            "sealed_text": sealed_text,
        },
    )
    return dict(rows[0]["n"])


def list_notes(
    db: GraphDB, target: str, kind: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    rows = db.read(LIST_NOTES, {"target": target, "kind": kind, "limit": limit})
    return [dict(r["n"]) for r in rows]


def notes_on(db: GraphDB, targets: list[str], limit: int = 5000) -> list[dict[str, Any]]:
    """The notes on any of ``targets``, oldest first."""
    if not targets:
        return []
    return [dict(r["n"]) for r in db.read(NOTES_ON, {"targets": targets, "limit": limit})]
