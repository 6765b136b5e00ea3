"""Workspaces: saved views of the explorer (right ``read``).

``GET /workspaces``, ``POST /workspaces``, ``GET /workspaces/{id}``, ``PUT /workspaces/{id}``
(rename, save the view), ``DELETE /workspaces/{id}``, and ``GET /workspaces/{id}/report``
(a printable HTML report). Every reader may list and open every workspace (they are the
team's); any reader may make one; only its owner (the API key that made it) or an admin
may change or delete it. Every request is audited (with the workspace's id).

A workspace stores entity ids only: an admin's real id of a protected person is stored as
her pseudonymous id, ids that are no entity are dropped, and whoever opens it gets the
entities through her own disclosure. Its name and the filters' text are protected as free
text is (:func:`casegraph.graph.workspaces.protect_text`).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from casegraph.api.audit import annotate
from casegraph.api.deps import CallerDep, DbDep, DisclosureDep
from casegraph.api.headers import csp
from casegraph.api.rights import Caller, Forbidden
from casegraph.api.routing import api_router
from casegraph.api.schemas.workspaces import (
    DeletedOut,
    ViewIn,
    WorkspaceIn,
    WorkspaceOut,
    WorkspacesOut,
    WorkspaceUpdateIn,
)
from casegraph.formats.report import STYLESHEET, to_report_html
from casegraph.graph import workspaces as store
from casegraph.graph.db import GraphDB
from casegraph.graph.disclosure import Disclosure

router = api_router("read", tags=["workspaces"], errors=(404, 503))

REPORT_POLICY = csp()


def _view(db: GraphDB, disclosure: Disclosure, view: ViewIn) -> tuple[dict[str, Any], int]:
    """The view as stored: stored entity ids only (unknown ones dropped); how many were
    dropped."""
    asked = [n.id for n in view.nodes]
    stored = store.stored_ids(db, disclosure, asked)
    known = store.existing_ids(db, list(stored.values()))
    nodes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n in view.nodes:
        sid = stored[n.id]
        if sid in known and sid not in seen:
            seen.add(sid)
            nodes.append({"id": sid, "x": round(n.x, 2), "y": round(n.y, 2)})
    period = None
    if view.period:
        period = {"from": view.period.get("from"), "to": view.period.get("to")}
    out = {
        "nodes": nodes,
        "zoom": view.zoom,
        "pan": view.pan.model_dump() if view.pan else None,
        "filters": dict(sorted(view.filters.items())),
        "period": period,
    }
    return out, len(view.nodes) - len(nodes)


def _protect_name(
    db: GraphDB, workspace_id: str, name: str, linked: list[str]
) -> tuple[str, str | None]:
    """``name`` scrubbed of the names of protected people (those in view, those the blind
    index finds), and its sealed original."""
    clean, sealed = store.protect_text(
        db, {"name": name}, linked, neighbours=False, aad=store.workspace_aad(workspace_id)
    )
    return clean["name"], sealed


def _protect_filters(
    db: GraphDB, workspace_id: str, view: dict[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """``view`` with the text of its filters scrubbed, and the sealed original."""
    if not view.get("filters"):
        return view, None
    text = json.dumps(view["filters"], ensure_ascii=False, sort_keys=True)
    linked = [n["id"] for n in view.get("nodes", [])]
    clean, sealed = store.protect_text(
        db, {"filters": text}, linked, neighbours=False, aad=store.filters_aad(workspace_id)
    )
    return {**view, "filters": json.loads(clean["filters"])}, sealed


def _summary(db: GraphDB, disclosure: Disclosure, row: dict[str, Any]) -> dict[str, Any]:
    """A stored workspace's summary as this caller may see it (its name's original only
    for callers who see every level)."""
    out = {k: row.get(k) for k in ("id", "name", "owner", "owner_name", "created", "updated")}
    if disclosure.sees_all:
        aad = store.workspace_aad(row["id"])
        out["name"] = store.restore_text(db, out, row.get("sealed_name"), aad)["name"]
    return out


def _shown(db: GraphDB, disclosure: Disclosure, row: dict[str, Any]) -> dict[str, Any]:
    """A stored workspace with its view, as this caller may see it (the disclosure of the
    answer does the people)."""
    out = _summary(db, disclosure, row)
    view = store.stored_view(row)
    if disclosure.sees_all and row.get("sealed_filters"):
        text = json.dumps(view.get("filters") or {}, ensure_ascii=False, sort_keys=True)
        aad = store.filters_aad(row["id"])
        restored = store.restore_text(db, {"filters": text}, row["sealed_filters"], aad)
        view["filters"] = json.loads(restored["filters"])
    out["view"] = view
    return out


def _with_graph(db: GraphDB, shown: dict[str, Any]) -> dict[str, Any]:
    ids = [n["id"] for n in shown["view"].get("nodes", [])]
    nodes = store.nodes_of(db, ids)
    found = {n["id"] for n in nodes}
    return {
        **shown,
        "graph": {"nodes": nodes, "edges": store.edges_among(db, list(found))},
        "missing": len(set(ids) - found),
    }


def _owned(caller: Caller, row: dict[str, Any]) -> None:
    if caller.role != "admin" and row.get("owner") != caller.key_id:
        raise Forbidden(
            "only the owner of a workspace (or an admin) may change or delete it",
            details={"workspace": row.get("id")},
        )


@router.get(
    "/workspaces", summary="Every workspace, newest change first", response_model=WorkspacesOut
)
def get_workspaces(db: DbDep, disclosure: DisclosureDep) -> dict[str, Any]:
    return {"workspaces": [_summary(db, disclosure, w) for w in store.list_workspaces(db)]}


@router.post(
    "/workspaces",
    summary="Save a view under a name",
    response_model=WorkspaceOut,
    status_code=201,
)
def post_workspace(
    body: WorkspaceIn,
    request: Request,
    db: DbDep,
    caller: CallerDep,
    disclosure: DisclosureDep,
) -> dict[str, Any]:
    workspace_id = store.new_id("ws")
    view, dropped = _view(db, disclosure, body.view)
    view, sealed_filters = _protect_filters(db, workspace_id, view)
    linked = [n["id"] for n in view["nodes"]]
    name, sealed_name = _protect_name(db, workspace_id, body.name, linked)
    row = store.create_workspace(
        db,
        workspace_id=workspace_id,
        name=name,
        view=view,
        owner=caller.key_id,
        owner_name=store.key_name(db, caller.key_id),
        sealed_name=sealed_name,
        sealed_filters=sealed_filters,
    )
    annotate(request.state, workspace=workspace_id, action="create", nodes=len(view["nodes"]))
    return _with_graph(db, _shown(db, disclosure, row)) | {"missing": dropped}


@router.get(
    "/workspaces/{workspace_id}",
    summary="A workspace: its view and what it shows",
    response_model=WorkspaceOut,
)
def get_workspace(
    workspace_id: str, request: Request, db: DbDep, disclosure: DisclosureDep
) -> dict[str, Any]:
    row = store.get_workspace(db, workspace_id)
    annotate(request.state, workspace=workspace_id, action="open")
    return _with_graph(db, _shown(db, disclosure, row))


@router.put(
    "/workspaces/{workspace_id}",
    summary="Rename a workspace or save its view (its owner or an admin)",
    response_model=WorkspaceOut,
)
def put_workspace(
    workspace_id: str,
    body: WorkspaceUpdateIn,
    request: Request,
    db: DbDep,
    caller: CallerDep,
    disclosure: DisclosureDep,
) -> dict[str, Any]:
    row = store.get_workspace(db, workspace_id)
    _owned(caller, row)
    dropped = 0
    view: dict[str, Any] | None = None
    sealed_filters = sealed_name = None
    if body.view is not None:
        view, dropped = _view(db, disclosure, body.view)
        view, sealed_filters = _protect_filters(db, workspace_id, view)
    name = body.name
    if name is not None:
        linked = [n["id"] for n in (view or store.stored_view(row)).get("nodes", [])]
        name, sealed_name = _protect_name(db, workspace_id, name, linked)
    updated = store.update_workspace(
        db,
        workspace_id,
        name=name,
        sealed_name=sealed_name,
        view=view,
        sealed_filters=sealed_filters,
    )
    annotate(
        request.state,
        workspace=workspace_id,
        action="update",
        renamed=body.name is not None,
        view_saved=body.view is not None,
    )
    return _with_graph(db, _shown(db, disclosure, updated)) | {"missing": dropped}


@router.delete(
    "/workspaces/{workspace_id}",
    summary="Delete a workspace and its notes (its owner or an admin)",
    response_model=DeletedOut,
)
def delete_workspace(
    workspace_id: str, request: Request, db: DbDep, caller: CallerDep
) -> dict[str, Any]:
    _owned(caller, store.get_workspace(db, workspace_id))
    removed = store.delete_workspace(db, workspace_id)
    annotate(request.state, workspace=workspace_id, action="delete", notes_removed=removed)
    return {"id": workspace_id, "notes_removed": removed}


@router.get(
    "/workspaces/{workspace_id}/report",
    summary="A workspace as a printable HTML report, with the sources of every fact",
    response_class=Response,
    responses={
        200: {
            "description": "the report: an HTML page with print CSS",
            "content": {"text/html": {"schema": {"type": "string"}}},
        }
    },
)
def get_report(
    workspace_id: str, request: Request, db: DbDep, disclosure: DisclosureDep
) -> Response:
    from casegraph.api.routers.notes import shown_note  # one module per area

    shown = _with_graph(db, _shown(db, disclosure, store.get_workspace(db, workspace_id)))
    graph = shown["graph"]
    source_ids = [s for item in graph["nodes"] + graph["edges"] for s in item.get("sources") or []]
    sources = store.sources_of(db, [str(s) for s in source_ids])
    targets = [workspace_id, *(n["id"] for n in graph["nodes"])]
    targets += [f"{e['from']}|{e['type']}|{e['to']}" for e in graph["edges"]]
    notes = [shown_note(db, disclosure, n) for n in store.notes_on(db, targets)]
    # the HTML is not a JSON answer: the caller's disclosure is applied here
    data = disclosure.apply({"workspace": shown, "sources": sources, "notes": notes})
    annotate(request.state, workspace=workspace_id, action="report")
    html = to_report_html(
        data["workspace"],
        data["workspace"]["graph"],
        data["sources"],
        data["notes"],
        stylesheet=str(request.base_url).rstrip("/") + STYLESHEET,
    )
    return HTMLResponse(
        html, headers={"Cache-Control": "no-store", "Content-Security-Policy": REPORT_POLICY}
    )
