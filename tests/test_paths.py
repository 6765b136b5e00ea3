"""Shortest paths in Neo4j: all of the shortest ones, each hop with its type and sources."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from fastapi.testclient import TestClient

from casegraph.graph.db import GraphDB
from tests.analytics_support import load
from tests.builders import entity, rel, source


def diamond() -> list[dict]:
    """a → b → d and a → c → d (two shortest paths of 2), a long way a-e-f-g-d, and a
    document that mentions a and d (a shortcut the paths must not take)."""
    recs = [source(), source("src-court", "court record")]
    recs += [entity(f"p-{x}") for x in "abcdefg"]
    recs += [
        rel("ASSOCIATE_OF", "p-a", "p-b", sources=["src-court"]),
        rel("FAMILY_OF", "p-d", "p-b", {"relationship": "brother"}),
        rel("ASSOCIATE_OF", "p-a", "p-c"),
        rel("REPRESENTS", "p-c", "p-d", sources=["src-test", "src-court"]),
        rel("ASSOCIATE_OF", "p-a", "p-e"),
        rel("ASSOCIATE_OF", "p-e", "p-f"),
        rel("ASSOCIATE_OF", "p-f", "p-g"),
        rel("ASSOCIATE_OF", "p-g", "p-d"),
        rel("MENTIONED_IN", "p-a", "src-test"),
        rel("MENTIONED_IN", "p-d", "src-test"),
    ]
    return recs


def test_all_shortest_paths_with_sources(
    app_client: TestClient, db: GraphDB, tmp_path: Path
) -> None:
    recs = diamond()
    load(db, tmp_path, recs)
    resp = app_client.get("/paths", params={"source": "p-a", "target": "p-d", "max_depth": 4})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    G = nx.Graph()
    G.add_edges_from(
        (r["from"], r["to"])
        for r in recs
        if r["kind"] == "relationship" and r["type"] != "MENTIONED_IN"
    )
    expected = {tuple(p) for p in nx.all_shortest_paths(G, "p-a", "p-d")}
    assert {tuple(p["nodes"]) for p in body["paths"]} == expected
    assert body["length"] == 2
    hops = {(h["from"], h["to"]): h for p in body["paths"] for h in p["hops"]}
    assert hops[("p-a", "p-b")]["sources"] == ["src-court"]
    assert hops[("p-b", "p-d")]["type"] == "FAMILY_OF"
    assert hops[("p-b", "p-d")]["direction"] == "backward"  # stored as d → b
    assert sorted(hops[("p-c", "p-d")]["sources"]) == ["src-court", "src-test"]
    # graph shape
    assert {n["id"] for n in body["nodes"]} == {"p-a", "p-b", "p-c", "p-d"}
    assert all({"id", "label", "name"} <= set(n) for n in body["nodes"])
    assert len(body["edges"]) == 4
    assert all({"type", "from", "to", "sources"} <= set(e) for e in body["edges"])


def test_depth_limit_and_no_path(app_client: TestClient, db: GraphDB, tmp_path: Path) -> None:
    load(db, tmp_path, diamond())
    short = app_client.get("/paths", params={"source": "p-e", "target": "p-c", "max_depth": 1})
    assert short.status_code == 200
    assert short.json()["paths"] == [] and short.json()["length"] is None
    ok = app_client.get("/paths", params={"source": "p-e", "target": "p-c", "max_depth": 2})
    assert [p["nodes"] for p in ok.json()["paths"]] == [["p-e", "p-a", "p-c"]]


def test_bad_requests(app_client: TestClient, db: GraphDB, tmp_path: Path) -> None:
    load(db, tmp_path, diamond())
    cases = [
        ({"source": "p-a", "target": "p-zz"}, 404, "p-zz"),
        ({"source": "p-a", "target": "p-d", "max_depth": 11}, 422, "max_depth"),
        ({"source": "p-a", "target": "p-d", "max_depth": 0}, 422, "max_depth"),
        ({"source": "p-a", "target": "p-d", "max_depth": "3; DROP"}, 422, "max_depth"),
        ({"source": "p-a", "target": "p-a"}, 422, "different"),
    ]
    for params, status, word in cases:
        resp = app_client.get("/paths", params=params)
        assert resp.status_code == status, (params, resp.text)
        assert word in resp.text
