"""Exports of the graph for other tools: Gephi (GEXF, GraphML), Cytoscape (GraphML,
Cytoscape.js JSON), FollowTheMoney, CSV and casegraph JSON Lines.

Everything starts from one snapshot in the graph shape of DESIGN.md
(:func:`graph_snapshot`), so that whatever protects a graph-shaped answer (victim
redaction) protects an export too; each ``to_*`` function then only serializes it.

>>> g = {"nodes": [{"id": "p1", "label": "Person", "name": "A", "aliases": [],
...                 "sources": ["s"], "properties": {"age": 40}}],
...      "edges": [{"type": "PAID", "from": "p1", "to": "p1", "sources": ["s"],
...                 "properties": {"amount": 5.0}}]}
>>> to_jsonl(g).splitlines()[0][:48]
'{"kind": "entity", "id": "p1", "label": "Person"'
>>> sorted(to_networkx(g).nodes["p1"])
['age', 'aliases', 'label', 'name', 'sources']
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import networkx as nx

from casegraph.errors import InvalidRequestError
from casegraph.graph.db import GraphDB
from casegraph.graph.model import SOURCE, check_kind
from casegraph.graph.repository import edge_dict, node_dict
from casegraph.ingest.ftm import EDGES as FTM_EDGES

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
MAX_EXPORT = 200_000

NODES = """
MATCH (n:Entity)
WHERE ($labels IS NULL OR any(l IN labels(n) WHERE l IN $labels))
RETURN n ORDER BY n.id LIMIT $limit
"""

EDGES = """
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a.id IN $ids AND b.id IN $ids AND ($with_sources OR type(r) <> 'MENTIONED_IN')
RETURN r, a.id AS from_id, b.id AS to_id
ORDER BY from_id, type(r), to_id
"""

_FTM_SCHEMA = {"Person": "Person", "Organization": "Organization", "Location": "Address"}
_FTM_EDGE = {rtype: schema for schema, (rtype, _, _) in FTM_EDGES.items()}
_FTM_ENDS = {
    "Ownership": ("owner", "asset"),
    "Directorship": ("director", "organization"),
    "Membership": ("member", "organization"),
    "Employment": ("employee", "employer"),
    "Family": ("person", "relative"),
    "Associate": ("person", "associate"),
    "Representation": ("agent", "client"),
    "Payment": ("payer", "beneficiary"),
    "UnknownLink": ("subject", "object"),
}


def graph_snapshot(
    db: GraphDB,
    *,
    labels: list[str] | None = None,
    with_sources: bool = False,
    limit: int = MAX_EXPORT,
) -> dict[str, Any]:
    """The entities (of ``labels``, default all) and the relationships among them."""
    if labels:
        labels = [check_kind(label) for label in labels]
    if not 1 <= limit <= MAX_EXPORT:
        raise InvalidRequestError(f"limit must be between 1 and {MAX_EXPORT}")

    def work(tx: Any) -> dict[str, Any]:
        nodes = [node_dict(r["n"]) for r in tx.run(NODES, labels=labels or None, limit=limit + 1)]
        truncated = len(nodes) > limit
        nodes = nodes[:limit]
        ids = [n["id"] for n in nodes]
        edges = [
            edge_dict(r["r"], r["from_id"], r["to_id"])
            for r in tx.run(EDGES, ids=ids, with_sources=with_sources)
        ]
        return {"nodes": nodes, "edges": edges, "truncated": truncated}

    return db.execute_read(work)


def _flat(value: Any) -> Any:
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
        g.add_node(n["id"], **{k: _flat(v) for k, v in attrs.items() if v is not None})
    for e in graph["edges"]:
        attrs = {"type": e["type"], "sources": e.get("sources", []), **e.get("properties", {})}
        g.add_edge(e["from"], e["to"], **{k: _flat(v) for k, v in attrs.items() if v is not None})
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
                **{k: _flat(v) for k, v in n.get("properties", {}).items()},
                "sources": _flat(n.get("sources", [])),
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
                "sources": _flat(e.get("sources", [])),
                **{k: _flat(v) for k, v in e.get("properties", {}).items()},
            }
        }
        for i, e in enumerate(graph["edges"])
    ]
    return {
        "format_version": "1.0",
        "generated_by": "casegraph",
        "elements": {"nodes": nodes, "edges": edges},
    }


def to_jsonl(graph: dict[str, Any]) -> str:
    """casegraph JSON Lines: loads back with ``casegraph ingest`` (sources must exist)."""
    lines = [
        json.dumps(
            {
                "kind": "source",
                "id": n["id"],
                "title": n["name"],
                "properties": {k: v for k, v in n.get("properties", {}).items() if k != "title"},
            },
            ensure_ascii=False,
        )
        for n in graph["nodes"]
        if n["label"] == SOURCE
    ]
    lines += [
        json.dumps(
            {
                "kind": "entity",
                "id": n["id"],
                "label": n["label"],
                "name": n["name"],
                "aliases": n.get("aliases", []),
                "properties": n.get("properties", {}),
                "sources": n.get("sources", []),
            },
            ensure_ascii=False,
        )
        for n in graph["nodes"]
        if n["label"] != SOURCE
    ]
    lines += [
        json.dumps(
            {
                "kind": "relationship",
                "type": e["type"],
                "from": e["from"],
                "to": e["to"],
                "properties": e.get("properties", {}),
                "sources": e.get("sources", []),
            },
            ensure_ascii=False,
        )
        for e in graph["edges"]
    ]
    return "".join(line + "\n" for line in lines)


def to_ftm(graph: dict[str, Any]) -> str:
    """FollowTheMoney entities: Person, Organization, Address, and the link schemata that
    casegraph reads (relationship types without an FtM schema become ``UnknownLink``)."""
    kinds = {n["id"]: n["label"] for n in graph["nodes"]}
    lines = []
    for n in graph["nodes"]:
        schema = _FTM_SCHEMA.get(n["label"])
        if schema is None:
            continue  # Case and Source have no FtM schema of their own
        props: dict[str, list[Any]] = {"name": [n["name"]]}
        if n.get("aliases"):
            props["alias"] = list(n["aliases"])
        for key in ("gender", "nationality", "position", "description", "country"):
            if key in n.get("properties", {}):
                props[key] = [n["properties"][key]]
        lines.append({"id": n["id"], "schema": schema, "properties": props})
    for i, e in enumerate(graph["edges"]):
        if kinds.get(e["from"]) not in _FTM_SCHEMA or kinds.get(e["to"]) not in _FTM_SCHEMA:
            continue
        schema = _FTM_EDGE.get(e["type"], "UnknownLink")
        start, end = _FTM_ENDS[schema]
        props = {start: [e["from"]], end: [e["to"]]}
        for ours, theirs in (
            ("amount", "amount"),
            ("currency", "currency"),
            ("date", "date"),
            ("role", "role"),
            ("start_date", "startDate"),
            ("end_date", "endDate"),
            ("share", "percentage"),
        ):
            if ours in e.get("properties", {}):
                props[theirs] = [e["properties"][ours]]
        if schema == "UnknownLink":
            props.setdefault("role", [e["type"]])
        lines.append(
            {"id": f"{e['from']}-{e['type']}-{e['to']}-{i}", "schema": schema, "properties": props}
        )
    return "".join(json.dumps(x, ensure_ascii=False, default=str) + "\n" for x in lines)


def to_csv_zip(graph: dict[str, Any]) -> bytes:
    """``entities.csv`` and ``relationships.csv`` (casegraph CSV) in one zip."""
    node_props = sorted({k for n in graph["nodes"] for k in n.get("properties", {})})
    edge_props = sorted({k for e in graph["edges"] for k in e.get("properties", {})})

    def cell(v: Any) -> str:
        return ";".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v))

    ents = io.StringIO()
    w = csv.writer(ents)
    w.writerow(["id", "label", "name", "aliases", "sources", *node_props])
    for n in graph["nodes"]:
        p = n.get("properties", {})
        w.writerow(
            [
                n["id"],
                n["label"],
                n["name"],
                cell(n.get("aliases")),
                cell(n.get("sources")),
                *(cell(p.get(k)) for k in node_props),
            ]
        )
    rels = io.StringIO()
    w = csv.writer(rels)
    w.writerow(["type", "from", "to", "sources", *edge_props])
    for e in graph["edges"]:
        p = e.get("properties", {})
        w.writerow(
            [
                e["type"],
                e["from"],
                e["to"],
                cell(e.get("sources")),
                *(cell(p.get(k)) for k in edge_props),
            ]
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("entities.csv", ents.getvalue())
        z.writestr("relationships.csv", rels.getvalue())
    return out.getvalue()


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
