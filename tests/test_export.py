"""GET /export: every format reads back in the tool it is for, holds what the graph holds,
and keeps minors' details from analysts."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import networkx as nx
from fastapi.testclient import TestClient

from casegraph.graph.db import GraphDB
from casegraph.graph.schema import reset_database
from casegraph.ingest.pipeline import ingest_file

NODE_COUNT = "MATCH (n:Entity) RETURN count(n) AS c"
EDGE_COUNT = "MATCH (:Entity)-[r]->(:Entity) WHERE type(r) <> 'MENTIONED_IN' RETURN count(r) AS c"


def _count(db: GraphDB, q: str) -> int:
    return int(db.read(q)[0]["c"])


def test_graphml_and_gexf_hold_every_entity_and_relationship(
    seeded: GraphDB, seeded_client: TestClient
) -> None:
    nodes, edges = _count(seeded, NODE_COUNT), _count(seeded, EDGE_COUNT)
    r = seeded_client.get("/export", params={"format": "graphml"})
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    g = nx.read_graphml(io.BytesIO(r.content))
    assert (g.number_of_nodes(), g.number_of_edges()) == (nodes, edges)
    assert g.nodes["org-questra-world"]["name"] == "Questra World"
    gexf = nx.read_gexf(io.BytesIO(seeded_client.get("/export?format=gexf").content))
    assert (gexf.number_of_nodes(), gexf.number_of_edges()) == (nodes, edges)


def test_jsonl_export_loads_back_into_the_same_graph(
    seeded: GraphDB, seeded_client: TestClient, tmp_path: Path
) -> None:
    before = seeded.read(
        "MATCH (n:Entity) RETURN n.id AS id, n.name AS name, n.aliases AS a ORDER BY id"
    )
    rels = _count(seeded, "MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS c")
    body = seeded_client.get("/export", params={"format": "jsonl", "with_sources": True}).text
    path = tmp_path / "export.jsonl"
    path.write_text(body, encoding="utf-8")
    reset_database(seeded)
    ingest_file(seeded, path)
    after = seeded.read(
        "MATCH (n:Entity) RETURN n.id AS id, n.name AS name, n.aliases AS a ORDER BY id"
    )
    assert after == before
    assert _count(seeded, "MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS c") == rels


def test_csv_zip_and_cytoscape_and_ftm(seeded: GraphDB, seeded_client: TestClient) -> None:
    nodes, edges = _count(seeded, NODE_COUNT), _count(seeded, EDGE_COUNT)
    z = zipfile.ZipFile(io.BytesIO(seeded_client.get("/export?format=csv").content))
    ents = z.read("entities.csv").decode().splitlines()
    rels = z.read("relationships.csv").decode().splitlines()
    assert ents[0].startswith("id,label,name,aliases,sources")
    assert (len(ents) - 1, len(rels) - 1) == (nodes, edges)
    cy = seeded_client.get("/export?format=cytoscape").json()["elements"]
    assert (len(cy["nodes"]), len(cy["edges"])) == (nodes, edges)
    ftm = [json.loads(x) for x in seeded_client.get("/export?format=ftm").text.splitlines()]
    schemata = {x["schema"] for x in ftm}
    assert {"Person", "Organization", "Address"} <= schemata
    owner_ids = {x["id"] for x in ftm}
    for x in ftm:  # every link points at an exported entity
        for key in ("subject", "object", "member", "organization"):
            for ref in x["properties"].get(key, []):
                if x["schema"] not in ("Person", "Organization", "Address"):
                    assert ref in owner_ids


def test_analyst_export_hides_the_minor_viewer_may_not_export(
    seeded: GraphDB, client_for: Callable[[str], TestClient]
) -> None:
    key = seeded.protection_key
    minors = seeded.read("MATCH (p:Person {protection: 'minors'}) RETURN p.id AS id, p.sealed AS s")
    assert minors, "the seed holds a minor"
    girl = [{"n": key.unseal(m["s"], m["id"])["name"]} for m in minors]
    analyst = client_for("analyst")
    for fmt in ("graphml", "csv", "jsonl", "json"):
        r = analyst.get("/export", params={"format": fmt})
        assert r.status_code == 200, fmt
        text = (
            "".join(
                zipfile.ZipFile(io.BytesIO(r.content)).read(n).decode()
                for n in ("entities.csv", "relationships.csv")
            )
            if fmt == "csv"
            else r.text
        )
        assert girl[0]["n"] not in text, fmt
        assert "per-girl-16-almaty" not in text, fmt
        assert minors[0]["s"] not in text, fmt  # no sealed record either
    # an admin's export holds her real id and name, so that it loads again as the same graph
    admin = client_for("admin").get("/export", params={"format": "jsonl"}).text
    assert "per-girl-16-almaty" in admin and girl[0]["n"] in admin
    assert client_for("viewer").get("/export").status_code == 403


def test_unknown_format_and_kind_are_422(seeded_client: TestClient) -> None:
    r = seeded_client.get("/export", params={"format": "xlsx"})
    assert r.status_code == 422 and "xlsx" in r.json()["error"]["message"]
    r = seeded_client.get("/export", params={"label": "Human"})
    assert r.status_code == 422


def test_cli_export_writes_a_graphml_file(seeded: GraphDB, neo4j_uri: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from casegraph.cli import app
    from casegraph.settings import get_settings

    out = tmp_path / "g.graphml"
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app,
            ["export", "--format", "graphml", "-o", str(out)],
            env={"CASEGRAPH_NEO4J_URI": neo4j_uri},
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    g = nx.read_graphml(out)
    assert g.number_of_nodes() == _count(seeded, NODE_COUNT)
