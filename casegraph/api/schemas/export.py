"""``/export``: the JSON formats' shapes (the other formats are files: JSON Lines,
GraphML, GEXF, a zip of CSV files)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, RootModel

from casegraph.api.schemas.common import GraphOut, Schema


class GraphExportOut(GraphOut):
    """``format=json``: the graph shape, and whether ``limit`` cut it."""

    truncated: bool


class CytoscapeOut(Schema):
    """``format=cytoscape``: Cytoscape.js elements (``{"data": {...}}`` per node and edge)."""

    elements: dict[str, list[dict[str, Any]]] = Field(description="`nodes` and `edges`")


class ExportJsonOut(RootModel[GraphExportOut | CytoscapeOut]):
    """The answer of ``GET /export`` in a JSON format (``json`` or ``cytoscape``)."""
