"""Graph-tool formats: GraphML and GEXF (Gephi, yEd, Cytoscape desktop) through NetworkX, and
Cytoscape.js JSON. Each takes a graph snapshot (``{"nodes", "edges"}`` of DESIGN.md).

>>> g = {"nodes": [{"id": "p1", "label": "Person", "name": "A", "aliases": [],
...                 "sources": ["s"], "properties": {"age": 40}}],
...      "edges": [{"type": "PAID", "from": "p1", "to": "p1", "sources": ["s"],
...                 "properties": {"amount": 5.0}}]}
>>> sorted(to_networkx(g).nodes["p1"])
['age', 'aliases', 'label', 'name', 'sources']
>>> to_cytoscape(g)["elements"]["edges"][0]["data"]["interaction"]
'PAID'
"""

from __future__ import annotations

import io
from typing import Any

import networkx as nx

__all__ = ["flat", "to_cytoscape", "to_gexf", "to_graphml", "to_networkx"]


def flat(value: Any) -> Any:
    """GraphML and GEXF hold scalars: lists become ``;``-joined text."""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def to_networkx(graph: dict[str, Any]) -> nx.MultiDiGraph:
    """The snapshot as a NetworkX multigraph with flat attributes."""
    g = nx.MultiDiGraph()
    for n in graph["nodes"]:
        attrs = {
            "label": n["label"],
            "name": n["name"] or "",
            "aliases": n.get("aliases", []),
            "sources": n.get("sources", []),
            **n.get("properties", {}),
        }
        g.add_node(n["id"], **{k: flat(v) for k, v in attrs.items() if v is not None})
    for e in graph["edges"]:
        attrs = {"type": e["type"], "sources": e.get("sources", []), **e.get("properties", {})}
        g.add_edge(e["from"], e["to"], **{k: flat(v) for k, v in attrs.items() if v is not None})
    return g


def to_graphml(graph: dict[str, Any]) -> str:
    out = io.BytesIO()
    nx.write_graphml(to_networkx(graph), out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def to_gexf(graph: dict[str, Any]) -> str:
    g = to_networkx(graph)
    for node_id, attrs in g.nodes(data=True):
        attrs["label"], attrs["kind"] = attrs.get("name") or node_id, attrs.get("label")
    out = io.BytesIO()
    nx.write_gexf(g, out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def to_cytoscape(graph: dict[str, Any]) -> dict[str, Any]:
    """Cytoscape.js / Cytoscape desktop JSON (``elements``: nodes and edges)."""
    nodes = [
        {
            "data": {
                "id": n["id"],
                "name": n["name"],
                "kind": n["label"],
                **{k: flat(v) for k, v in n.get("properties", {}).items()},
                "sources": flat(n.get("sources", [])),
            }
        }
        for n in graph["nodes"]
    ]
    edges = [
        {
            "data": {
                "id": f"e{i}",
                "source": e["from"],
                "target": e["to"],
                "interaction": e["type"],
                "sources": flat(e.get("sources", [])),
                **{k: flat(v) for k, v in e.get("properties", {}).items()},
            }
        }
        for i, e in enumerate(graph["edges"])
    ]
    return {
        "format_version": "1.0",
        "generated_by": "casegraph",
        "elements": {"nodes": nodes, "edges": edges},
    }
