"""Bounded interactive reads (issue 13), on the real Neo4j.

- A neighborhood follows at most ``fanout`` relationships of an entity; what the cap or
  the limit left out is counted per (entity, type, direction), and the counts agree with
  NetworkX over the same records; the edges are exactly those among the entities shown.
- Search stops at ``limit`` rows inside Cypher and gives, on the seed, the answers (and
  their order) of the unbounded queries it replaced.
- Shortest paths: "too far" in hops and in time, as a 200 answer, not an error.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from casegraph.graph import repository
from casegraph.graph.db import GraphDB
from casegraph.graph.names import name_key
from casegraph.graph.paths import shortest_paths
from casegraph.graph.schema import FULLTEXT_INDEX
from tests.analytics_support import load
from tests.builders import entity, rel, source


def hub_records(n_assoc: int = 130, n_paid: int = 40, n_member: int = 7) -> list[dict[str, Any]]:
    """A hub with many ASSOCIATE_OF (out), PAID (in) and MEMBER_OF (out), neighbors linked
    among themselves, one neighbor of the neighbors, and a document mentioning the hub."""
    recs: list[dict[str, Any]] = [source()]
    recs.append(entity("hub", name="Hub Person"))
    recs += [entity(f"a-{i}", name=f"Assoc {i}") for i in range(n_assoc)]
    recs += [entity(f"p-{i}", name=f"Payer {i}") for i in range(n_paid)]
    recs += [entity(f"o-{i}", "Organization", name=f"Org {i}") for i in range(n_member)]
    recs.append(entity("far", name="Far Person"))
    recs += [rel("ASSOCIATE_OF", "hub", f"a-{i}") for i in range(n_assoc)]
    recs += [
        rel("PAID", f"p-{i}", "hub", {"amount": 10.0 + i, "currency": "KZT"}) for i in range(n_paid)
    ]
    recs += [rel("MEMBER_OF", "hub", f"o-{i}") for i in range(n_member)]
    recs += [rel("ASSOCIATE_OF", f"a-{i}", f"a-{i + 1}") for i in range(0, n_assoc - 1, 2)]
    recs += [rel("MEMBER_OF", f"p-{i}", "o-0") for i in range(n_paid)]
    recs.append(rel("ASSOCIATE_OF", "a-3", "far"))
    recs.append(rel("MENTIONED_IN", "hub", "src-test"))
    return recs


def reference_graph(records: list[dict[str, Any]]) -> nx.MultiDiGraph:
    """The records as NetworkX sees them (documents links left out)."""
    g = nx.MultiDiGraph()
    for r in records:
        if r["kind"] == "entity":
            g.add_node(r["id"])
        elif r["kind"] == "relationship" and r["type"] != "MENTIONED_IN":
            g.add_edge(r["from"], r["to"], type=r["type"])
    return g


def expected_more(g: nx.MultiDiGraph, answer: dict[str, Any], node: str) -> dict[tuple, int]:
    """Per (type, direction): relationships of ``node`` in ``g`` minus those in the answer."""
    total: Counter[tuple[str, str]] = Counter()
    for _, _, d in g.out_edges(node, data=True):
        total[(d["type"], "out")] += 1
    for _, _, d in g.in_edges(node, data=True):
        total[(d["type"], "in")] += 1
    shown: Counter[tuple[str, str]] = Counter()
    for e in answer["edges"]:
        if e["from"] == node:
            shown[(e["type"], "out")] += 1
        if e["to"] == node:
            shown[(e["type"], "in")] += 1
    return {k: v - shown[k] for k, v in total.items() if v - shown[k] > 0}


def check_edges_are_those_among_nodes(g: nx.MultiDiGraph, answer: dict[str, Any]) -> None:
    ids = {n["id"] for n in answer["nodes"]}
    want = Counter((u, v, d["type"]) for u, v, d in g.edges(data=True) if u in ids and v in ids)
    got = Counter((e["from"], e["to"], e["type"]) for e in answer["edges"])
    assert got == want


@pytest.fixture
def hub_db(db: GraphDB, tmp_path: Path) -> tuple[GraphDB, nx.MultiDiGraph]:
    records = hub_records()
    load(db, tmp_path, records)
    return db, reference_graph(records)


@pytest.mark.parametrize(
    ("depth", "limit", "fanout"),
    [(1, 200, 25), (1, 200, 500), (2, 60, 10), (2, 500, 30), (1, 20, 50), (3, 2000, 5)],
)
def test_fanout_cap_and_more_counts_match_networkx(
    hub_db: tuple[GraphDB, nx.MultiDiGraph], depth: int, limit: int, fanout: int
) -> None:
    db, g = hub_db
    answer = repository.neighborhood(db, "hub", depth=depth, limit=limit, fanout=fanout)
    ids = [n["id"] for n in answer["nodes"]]
    assert len(ids) == len(set(ids)) <= limit
    assert answer["fanout"] == fanout
    # the hub reached no more neighbors than the cap allows
    first = [n for n in answer["nodes"] if n["depth"] == 1]
    assert len(first) <= fanout
    check_edges_are_those_among_nodes(g, answer)
    # every expanded entity the cap or the limit cut is summarized, with NetworkX's counts
    by_node: dict[str, dict[tuple[str, str], int]] = {}
    for item in answer["more"]:
        by_node.setdefault(item["node"], {})[(item["type"], item["direction"])] = item["count"]
        assert item["total"] >= item["count"] > 0
    # the hub is always expanded: its summary is NetworkX's count, empty when all is shown
    assert by_node.get("hub", {}) == expected_more(g, answer, "hub")
    for node, counts in by_node.items():
        assert counts == expected_more(g, answer, node), node
    hub_total = g.degree("hub")
    if fanout < hub_total or limit <= hub_total:
        hidden = sum(by_node["hub"].values())
        shown = sum(1 for e in answer["edges"] if "hub" in (e["from"], e["to"]))
        assert hidden + shown == hub_total


def test_small_neighborhoods_are_whole_and_unsummarized(
    hub_db: tuple[GraphDB, nx.MultiDiGraph],
) -> None:
    db, g = hub_db
    answer = repository.neighborhood(db, "a-3", depth=2, limit=2000, fanout=500)
    want = set(nx.single_source_shortest_path_length(g.to_undirected(), "a-3", cutoff=2))
    assert {n["id"] for n in answer["nodes"]} == want
    assert not answer["truncated"]
    check_edges_are_those_among_nodes(g, answer)
    # only the hub (reached at depth 1, expanded at depth 2) has relationships left out
    assert {m["node"] for m in answer["more"]} <= {"hub"}


def test_neighborhood_api_carries_more_and_checks_fanout(
    app_client: TestClient, db: GraphDB, tmp_path: Path
) -> None:
    load(db, tmp_path, hub_records())
    body = app_client.get("/entities/hub/neighborhood", params={"fanout": 20}).json()
    more = {(m["type"], m["direction"]): m for m in body["more"] if m["node"] == "hub"}
    assert more[("ASSOCIATE_OF", "out")]["total"] == 130
    assert more[("PAID", "in")]["total"] == 40
    assert sum(m["count"] for m in more.values()) == 130 + 40 + 7 - 20
    assert app_client.get("/entities/hub/neighborhood", params={"fanout": 0}).status_code == 422


# -- search: bounded, the same top-k as the unbounded queries on the seed -----------------

OLD_PREFIX = """
MATCH (node:Entity)
WHERE node.name_key STARTS WITH $key AND ($label IS NULL OR $label IN labels(node))
RETURN node, 100.0 AS score
ORDER BY node.name
LIMIT $limit
"""

OLD_FULLTEXT = f"""
CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $lucene) YIELD node, score
WHERE $label IS NULL OR $label IN labels(node)
RETURN node, score
ORDER BY score DESC, node.name
LIMIT $limit
"""


def unbounded_search(db: GraphDB, q: str, label: str | None, limit: int) -> list[str]:
    """The search this issue replaced (sorting every match), as a reference."""
    params = {"label": label, "limit": limit}
    seen: list[str] = []
    for query, extra in (
        (OLD_PREFIX, {"key": name_key(q)}),
        (OLD_FULLTEXT, {"lucene": repository._lucene(q)}),
    ):
        for row in db.read(query, {**params, **extra}):
            if row["node"]["id"] not in seen:
                seen.append(row["node"]["id"])
    return seen[:limit]


@pytest.mark.parametrize("limit", [1, 3, 20])
@pytest.mark.parametrize(
    ("q", "label"),
    [
        ("Questra", None),
        ("questra holding", None),
        ("Таев", None),
        ("Almaty", None),
        ("Kazakhstan", "Location"),
        ("a", None),
        ("stop trafficking", None),
        ("investigative", "Organization"),
        ("m", "Person"),
    ],
)
def test_search_gives_the_unbounded_top_k_on_the_seed(
    seeded: GraphDB, q: str, label: str | None, limit: int
) -> None:
    got = [r["id"] for r in repository.search(seeded, q, label=label, limit=limit)]
    assert got == unbounded_search(seeded, q, label, limit)


def test_search_plans_sort_no_match_set(seeded: GraphDB) -> None:
    """The prefix query is served in index order (no Sort, a Limit on an ordered index
    seek); the full-text query asks Lucene for its top rows only."""

    def operators(query: str, params: dict[str, Any]) -> set[str]:
        with seeded.session() as s:
            plan = s.run("EXPLAIN " + query, params).consume().plan
        found: set[str] = set()
        stack = [plan]
        while stack:
            p = stack.pop()
            found.add(str(p["operatorType"]).split("@")[0])
            stack.extend(p.get("children", []))
        return found

    params = {"key": "a", "lucene": "a*", "blind": "x", "levels": ["all"], "label": None}
    params |= {"window": 5, "inner": 5}
    prefix = operators(repository.search_statement(["prefix"]), params)
    assert "Sort" not in prefix and "Top" not in prefix, prefix
    assert any(op.startswith("NodeIndexSeekByRange") for op in prefix), prefix
    full = operators(repository.search_statement(["fulltext"]), params)
    assert "Sort" not in full and "Top" not in full, full
    # all of them in one statement (one round trip), still without a sort
    every = operators(repository.search_statement(["hit", "blind", "prefix", "fulltext"]), params)
    assert "Sort" not in every and "Top" not in every, every
    assert any(op.startswith("NodeIndexSeekByRange") for op in every), every


# -- shortest paths: too far in hops, too far in time ---------------------------------------


def test_too_far_in_hops_is_a_clear_answer(
    app_client: TestClient, db: GraphDB, tmp_path: Path
) -> None:
    load(db, tmp_path, hub_records())
    resp = app_client.get("/paths", params={"source": "p-1", "target": "far", "max_depth": 2})
    assert resp.status_code == 200
    body = resp.json()
    assert body["paths"] == [] and body["too_far"] == "max_depth"
    ok = app_client.get("/paths", params={"source": "p-1", "target": "far", "max_depth": 4})
    assert ok.json()["too_far"] is None and ok.json()["length"] == 3


def test_too_far_in_time_is_a_clear_answer_within_the_limit(db: GraphDB, tmp_path: Path) -> None:
    # a dense lattice without the target: allShortestPaths explores it all
    recs: list[dict[str, Any]] = [source()]
    n = 400
    recs += [entity(f"m-{i}") for i in range(n)] + [entity("lonely")]
    recs += [
        rel("ASSOCIATE_OF", f"m-{i}", f"m-{(i * 7 + k) % n}")
        for i in range(n)
        for k in (1, 2, 3, 5, 11)
    ]
    load(db, tmp_path, recs)
    started = time.monotonic()
    found = shortest_paths(db, "m-0", "lonely", max_depth=10, time_limit=0.001)
    elapsed = time.monotonic() - started
    assert found["paths"] == [] and found["too_far"] in ("time_limit", "max_depth")
    assert elapsed < 5
    # a search that may not finish in its time is answered "time_limit", never an error
    found = shortest_paths(db, "m-0", "m-1", max_depth=10, time_limit=0.001)
    assert found["too_far"] in (None, "time_limit")
    if found["too_far"] == "time_limit":
        assert found["paths"] == [] and found["time_limit"] == 0.001
