"""Notes on entities, relationships and workspaces (right ``read``): ``POST /notes``,
``GET /notes?target=...``.

Every reader may read every note and add notes; a note is never changed or deleted (the
notes on a workspace go with it). A note records its author (the API key's id and name)
and time, is audited (its id and target, never its text), and never changes a fact: it is
a node of its own, linked to nothing, naming its target by id.

Its text is protected as a description is: the names of the protected people linked to
its target (the target itself and its neighbours; a relationship's two ends; a
workspace's entities), and of any protected person a word of the text names (the blind
index, inflected forms included), are stored as ``[redacted]``; the original is sealed and
given back only to callers who may see every level.
"""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request

from casegraph.api.audit import annotate
from casegraph.api.deps import CallerDep, DbDep, DisclosureDep
from casegraph.api.routing import api_router
from casegraph.api.schemas.workspaces import NoteIn, NoteOut, NotesOut
from casegraph.errors import InvalidRequestError, NotFoundError
from casegraph.graph import workspaces as store
from casegraph.graph.db import GraphDB
from casegraph.graph.disclosure import Disclosure
from casegraph.graph.model import RELATIONSHIPS

router = api_router("read", tags=["notes"], errors=(404, 503))

NOTE_KEYS = ("id", "target_kind", "target", "text", "author", "author_name", "created")


def shown_note(db: GraphDB, disclosure: Disclosure, row: dict[str, Any]) -> dict[str, Any]:
    """A stored note as this caller may see it (its original text only for callers who may
    see every level)."""
    out = {k: row.get(k) for k in NOTE_KEYS}
    if disclosure.sees_all:
        out = store.restore_text(db, out, row.get("sealed_text"), store.note_aad(row["id"]))
    return out


def _relationship(db: GraphDB, disclosure: Disclosure, key: str) -> tuple[str, list[str]]:
    parts = key.split("|")
    if len(parts) != 3 or parts[1] not in RELATIONSHIPS:
        raise InvalidRequestError(
            "a relationship is named FROM|TYPE|TO (entity ids and a relationship type)",
            details={"field": "target"},
        )
    start, rel_type, end = parts
    stored = store.stored_ids(db, disclosure, [start, end])
    start, end = stored[start], stored[end]
    return f"{start}|{rel_type}|{end}", [start, end]


def _target(
    db: GraphDB, disclosure: Disclosure, kind: str, target: str
) -> tuple[str, list[str], bool]:
    """The stored target, the entities its note is linked to, and whether their neighbours
    count too; an unknown target is a 404 (the same for a protected person's real id as
    for any unknown id, for callers who may not see her)."""
    if kind == "entity":
        sid = store.stored_ids(db, disclosure, [target])[target]
        if not store.existing_ids(db, [sid]):
            raise NotFoundError(f"no entity with id {target!r}")
        return sid, [sid], True
    if kind == "relationship":
        key, ends = _relationship(db, disclosure, target)
        start, rel_type, end = key.split("|")
        if not store.relationship_exists(db, start, rel_type, end):
            raise NotFoundError(f"no relationship {target!r}")
        return key, ends, False
    row = store.get_workspace(db, target)
    ids = [n["id"] for n in store.stored_view(row).get("nodes", [])]
    return target, ids, False


@router.post("/notes", summary="Add a note", response_model=NoteOut, status_code=201)
def post_note(
    body: NoteIn, request: Request, db: DbDep, caller: CallerDep, disclosure: DisclosureDep
) -> dict[str, Any]:
    target, linked, neighbours = _target(db, disclosure, body.target_kind, body.target)
    note_id = store.new_id("note")
    clean, sealed = store.protect_text(
        db, {"text": body.text}, linked, neighbours=neighbours, aad=store.note_aad(note_id)
    )
    row = store.add_note(
        db,
        note_id=note_id,
        kind=body.target_kind,
        target=target,
        text=clean["text"],
        author=caller.key_id,
        author_name=store.key_name(db, caller.key_id),
        sealed_text=sealed,
    )
    annotate(
        request.state,
        note=note_id,
        target_kind=body.target_kind,
        target=target,
        redacted=sealed is not None,
    )
    return shown_note(db, disclosure, row)


@router.get(
    "/notes", summary="The notes on an entity, relationship or workspace", response_model=NotesOut
)
def get_notes(
    request: Request,
    db: DbDep,
    disclosure: DisclosureDep,
    target: str = Query(
        ..., min_length=1, max_length=1500, description="entity id, FROM|TYPE|TO, or workspace id"
    ),
    target_kind: str | None = Query(
        None, pattern="^(entity|relationship|workspace)$", description="only this kind"
    ),
) -> dict[str, Any]:
    if "|" in target:
        stored, _ = _relationship(db, disclosure, target)
    else:
        stored = store.stored_ids(db, disclosure, [target])[target]
    annotate(request.state, target=stored)
    notes = store.list_notes(db, stored, target_kind)
    return {"notes": [shown_note(db, disclosure, n) for n in notes]}
