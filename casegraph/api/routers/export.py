"""``GET /export?format=``: the graph (or some kinds of it) for Gephi, Cytoscape, FtM, CSV.

The answer is a file (``Content-Disposition: attachment``), not a JSON answer of the API:
its media type is the format's, and its shape is documented per media type (the two JSON
formats by :class:`~casegraph.api.schemas.export.ExportJsonOut`). The caller's disclosure
is applied to the data before it is serialized.
"""

from __future__ import annotations

from typing import Any

from fastapi import Query
from fastapi.responses import Response

from casegraph.api.deps import DbDep, DisclosureDep
from casegraph.api.routing import api_router
from casegraph.api.schemas.export import ExportJsonOut
from casegraph.formats import writers
from casegraph.graph import export

router = api_router("export", tags=["export"], errors=(422, 503))

#: The 200 answer, per media type (OpenAPI).
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": ExportJsonOut,
        "description": "the export file: `json` and `cytoscape` as JSON (below), `jsonl` "
        "and `ftm` as JSON Lines, `graphml` and `gexf` as XML, `csv` as a zip of "
        "entities.csv and relationships.csv",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in sorted(set(writers.FORMATS.values()))
            if media != "application/json"
        },
    }
}


@router.get(
    "/export",
    summary="Export the graph: json, jsonl, graphml, gexf, cytoscape, ftm or csv (zip)",
    response_class=Response,
    responses=EXPORT_RESPONSES,
)
def export_graph(
    db: DbDep,
    disclosure: DisclosureDep,
    format: str = Query("json", description=", ".join(writers.FORMATS)),
    label: list[str] | None = Query(None, description="only these kinds (repeatable)"),
    with_sources: bool = Query(False, description="include MENTIONED_IN links"),
    limit: int = Query(export.MAX_EXPORT, ge=1, le=export.MAX_EXPORT),
) -> Response:
    if format not in writers.FORMATS:
        writers.serialize({"nodes": [], "edges": []}, format)  # raises a clear 422
    graph = export.graph_snapshot(db, labels=label, with_sources=with_sources, limit=limit)
    # what the caller may see, with real ids for the people she may see (so that an
    # export loads again as the same graph)
    graph = disclosure.apply(graph, real_ids=True)
    body = writers.serialize(graph, format)
    ext = writers.EXTENSIONS.get(format, format)
    return Response(
        body,
        media_type=writers.FORMATS[format],
        headers={"Content-Disposition": f'attachment; filename="casegraph.{ext}"'},
    )
