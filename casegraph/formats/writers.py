"""Which writer serializes which export format (``casegraph export``, ``GET /export``).

>>> sorted(FORMATS)
['csv', 'cytoscape', 'ftm', 'gexf', 'graphml', 'json', 'jsonl']
>>> serialize({"nodes": [], "edges": []}, "jsonl")
b''
"""

from __future__ import annotations

import json
from typing import Any

from casegraph.errors import InvalidRequestError
from casegraph.formats.csv import to_csv_zip
from casegraph.formats.ftm import to_ftm
from casegraph.formats.graphs import to_cytoscape, to_gexf, to_graphml
from casegraph.formats.jsonl import to_jsonl

__all__ = ["EXTENSIONS", "FORMATS", "serialize"]

FORMATS: dict[str, str] = {
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "graphml": "application/graphml+xml",
    "gexf": "application/xml",
    "cytoscape": "application/json",
    "ftm": "application/x-ndjson",
    "csv": "application/zip",
}
EXTENSIONS = {"cytoscape": "cyjs", "ftm": "ftm.jsonl", "csv": "zip"}


def serialize(graph: dict[str, Any], fmt: str) -> bytes:
    """The snapshot in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise InvalidRequestError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    if fmt == "csv":
        return to_csv_zip(graph)
    text: str
    if fmt == "json":
        text = json.dumps(graph, ensure_ascii=False, default=str)
    elif fmt == "cytoscape":
        text = json.dumps(to_cytoscape(graph), ensure_ascii=False, default=str)
    elif fmt == "jsonl":
        text = to_jsonl(graph)
    elif fmt == "graphml":
        text = to_graphml(graph)
    elif fmt == "gexf":
        text = to_gexf(graph)
    else:
        text = to_ftm(graph)
    return text.encode("utf-8")
