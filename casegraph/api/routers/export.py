"""``GET /export?format=``: the graph (or some kinds of it) for Gephi, Cytoscape, FtM, CSV."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from casegraph.api.deps import Caller, get_caller, get_db
from casegraph.api.redaction import redact_for_role
from casegraph.graph import export
from casegraph.graph.db import GraphDB

router = APIRouter(tags=["export"])


@router.get(
    "/export",
    summary="Export the graph: json, jsonl, graphml, gexf, cytoscape, ftm or csv (zip)",
    response_class=Response,
)
def export_graph(
    request: Request,
    format: str = Query("json", description=", ".join(export.FORMATS)),
    label: list[str] | None = Query(None, description="only these kinds (repeatable)"),
    with_sources: bool = Query(False, description="include MENTIONED_IN links"),
    limit: int = Query(export.MAX_EXPORT, ge=1, le=export.MAX_EXPORT),
    db: GraphDB = Depends(get_db),
    caller: Caller = Depends(get_caller),
) -> Response:
    if format not in export.FORMATS:
        export.serialize({"nodes": [], "edges": []}, format)  # raises a clear 422
    graph = export.graph_snapshot(db, labels=label, with_sources=with_sources, limit=limit)
    graph = redact_for_role(request.app.state.victims, caller.role, graph)
    body = export.serialize(graph, format)
    ext = export.EXTENSIONS.get(format, format)
    return Response(
        body,
        media_type=export.FORMATS[format],
        headers={"Content-Disposition": f'attachment; filename="casegraph.{ext}"'},
    )
