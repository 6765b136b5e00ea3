"""``GET /export?format=``: the graph (or some kinds of it) for Gephi, Cytoscape, FtM, CSV."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from casegraph.api.deps import get_db
from casegraph.api.disclosure import get_disclosure
from casegraph.graph import export
from casegraph.graph.db import GraphDB
from casegraph.graph.disclosure import Disclosure

router = APIRouter(tags=["export"])


@router.get(
    "/export",
    summary="Export the graph: json, jsonl, graphml, gexf, cytoscape, ftm or csv (zip)",
    response_class=Response,
)
def export_graph(
    format: str = Query("json", description=", ".join(export.FORMATS)),
    label: list[str] | None = Query(None, description="only these kinds (repeatable)"),
    with_sources: bool = Query(False, description="include MENTIONED_IN links"),
    limit: int = Query(export.MAX_EXPORT, ge=1, le=export.MAX_EXPORT),
    db: GraphDB = Depends(get_db),
    disclosure: Disclosure = Depends(get_disclosure),
) -> Response:
    if format not in export.FORMATS:
        export.serialize({"nodes": [], "edges": []}, format)  # raises a clear 422
    graph = export.graph_snapshot(db, labels=label, with_sources=with_sources, limit=limit)
    # what the caller may see, with real ids for the people she may see (so that an
    # export loads again as the same graph)
    graph = disclosure.apply(graph, real_ids=True)
    body = export.serialize(graph, format)
    ext = export.EXTENSIONS.get(format, format)
    return Response(
        body,
        media_type=export.FORMATS[format],
        headers={"Content-Disposition": f'attachment; filename="casegraph.{ext}"'},
    )
