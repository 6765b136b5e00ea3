"""Centrality on the real Neo4j equals NetworkX on the same network."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from casegraph.api.app import create_app
from casegraph.cli import app as cli_app
from casegraph.graph.analytics import centrality, service
from casegraph.graph.analytics.cache import AnalyticsCache
from casegraph.graph.analytics.projection import ProjectionOptions
from casegraph.graph.db import GraphDB
from casegraph.graph.protection import is_pseudo_id
from casegraph.settings import Settings
from tests.analytics_support import load, network_records, reference_graph, small_graphs
from tests.builders import rel, source
from tests.conftest import bearer
from tests.protection_support import AIGERIM, SUSPECT, case_file, leaks
from tests.protection_support import entity as prot_entity
from tests.protection_support import rel as prot_rel

GRAPHS = small_graphs()

REFERENCE = {
    "degree": nx.degree_centrality,
    "betweenness": nx.betweenness_centrality,
    "closeness": nx.closeness_centrality,
    "pagerank": nx.pagerank,
    "eigenvector": lambda g: nx.eigenvector_centrality(g, max_iter=1000),
    "kcore": nx.core_number,
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_every_measure_equals_networkx(db: GraphDB, tmp_path: Path, name: str) -> None:
    records = network_records(GRAPHS[name], seed=len(name))
    load(db, tmp_path, records)
    expected_graph = reference_graph(records)
    cache = AnalyticsCache()
    for measure, reference in REFERENCE.items():
        G, got = service.scores(db, measure, cache=cache)
        assert set(G.nodes) == set(expected_graph.nodes)
        assert {frozenset(e) for e in G.edges} == {frozenset(e) for e in expected_graph.edges}
        expected = reference(expected_graph)
        tol = 1e-6 if measure in ("pagerank", "eigenvector") else 1e-12
        for node, value in expected.items():
            assert got[node] == pytest.approx(float(value), abs=tol), (measure, node)


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_sampled_betweenness_equals_networkx_on_the_projection(
    db: GraphDB, tmp_path: Path, name: str
) -> None:
    load(db, tmp_path, network_records(GRAPHS[name], noise=False))
    cache = AnalyticsCache()
    for k, seed in ((5, 0), (12, 42)):
        G, got = service.scores(db, "betweenness", k=k, seed=seed, cache=cache)
        expected = nx.betweenness_centrality(G, k=k, seed=seed)
        assert got == pytest.approx(expected, abs=1e-12)
    # the directed projection too
    opts = ProjectionOptions(directed=True)
    G, got = service.scores(db, "betweenness", opts, cache=cache)
    assert G.is_directed()
    assert got == pytest.approx(nx.betweenness_centrality(G), abs=1e-12)


def _random_graphs() -> list[nx.Graph]:
    rng = random.Random(5)
    out: list[nx.Graph] = []
    for i in range(4):
        n = rng.randint(10, 80)
        out.append(nx.gnm_random_graph(n, rng.randint(n, 3 * n), seed=i))
        out.append(nx.gnm_random_graph(n, rng.randint(n, 3 * n), seed=i, directed=True))
    out.append(nx.relabel_nodes(nx.les_miserables_graph(), str))  # string node ids
    star = nx.star_graph(7)
    star.add_edge(3, 3)  # a self-loop
    out.append(star)
    return out


@pytest.mark.parametrize("G", _random_graphs(), ids=lambda g: f"{len(g)}-{g.is_directed()}")
def test_igraph_betweenness_equals_networkx(G: nx.Graph) -> None:
    assert centrality.betweenness(G) == pytest.approx(nx.betweenness_centrality(G), abs=1e-12)
    for k, seed in ((2, 1), (len(G) // 2, 7), (len(G), 3)):
        got = centrality.betweenness(G, k=k, seed=seed)
        assert got == pytest.approx(nx.betweenness_centrality(G, k=k, seed=seed), abs=1e-12)


def test_api_top_three_betweenness_matches_networkx(
    app_client: TestClient, db: GraphDB, tmp_path: Path
) -> None:
    G = nx.barabasi_albert_graph(50, 2, seed=11)
    records = network_records(G, seed=11)
    load(db, tmp_path, records)
    resp = app_client.get("/analytics/centrality", params={"measure": "betweenness", "top": 3})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["measure"] == "betweenness"
    assert body["nodes_considered"] == 50
    expected = nx.betweenness_centrality(reference_graph(records))
    top3 = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    assert [r["id"] for r in body["results"]] == [n for n, _ in top3]
    assert [round(r["score"], 3) for r in body["results"]] == [round(s, 3) for _, s in top3]
    assert [r["rank"] for r in body["results"]] == [1, 2, 3]
    assert set(body["results"][0]) >= {"id", "name", "label", "score", "rank"}


def test_api_projection_parameters(app_client: TestClient, db: GraphDB, tmp_path: Path) -> None:
    records = network_records(nx.karate_club_graph(), seed=2)
    load(db, tmp_path, records)
    resp = app_client.get(
        "/analytics/centrality",
        params={"measure": "degree", "top": 500, "rel": "ASSOCIATE_OF", "directed": "true"},
    )
    assert resp.status_code == 200, resp.text
    H = nx.DiGraph()
    H.add_nodes_from(reference_graph(records).nodes)
    H.add_edges_from((r["from"], r["to"]) for r in records if r.get("type") == "ASSOCIATE_OF")
    expected = nx.degree_centrality(H)
    got = {r["id"]: r["score"] for r in resp.json()["results"]}
    assert got == pytest.approx(expected, abs=1e-9)
    people = app_client.get(
        "/analytics/centrality", params={"measure": "degree", "kind": "Person", "top": 500}
    ).json()
    assert {r["label"] for r in people["results"]} == {"Person"}


@pytest.mark.parametrize(
    "params",
    [
        {"measure": "fame"},
        {"measure": "pagerank", "kind": "Planet"},
        {"measure": "pagerank", "rel": "LOVES"},
        {"measure": "pagerank", "top": 0},
        {"measure": "betweenness", "k": 10_000},
        {"measure": "pagerank", "date_from": "yesterday"},
    ],
)
def test_api_bad_parameters_are_4xx(seeded_client: TestClient, params: dict[str, object]) -> None:
    resp = seeded_client.get("/analytics/centrality", params=params)
    assert 400 <= resp.status_code < 500, resp.text
    assert resp.json()["error"]["message"]


def test_cache_is_invalidated_by_an_ingest(db: GraphDB, tmp_path: Path) -> None:
    G = nx.path_graph(5)
    load(db, tmp_path, network_records(G, noise=False), "first")
    cache = AnalyticsCache()
    before = service.centrality(db, "betweenness", top=5, cache=cache)
    again = service.centrality(db, "betweenness", top=5, cache=cache)
    assert again == before and cache.hits >= 1  # the ranking itself is cached
    # close the path into a cycle: every node becomes equally central
    load(db, tmp_path, [source(), rel("ASSOCIATE_OF", "n0", "n4")], "second")
    after = service.centrality(db, "betweenness", top=5, cache=cache)
    expected = nx.betweenness_centrality(nx.cycle_graph(5))
    assert [r["score"] for r in after["results"]] == pytest.approx([expected[0]] * 5)
    assert after != before


def test_write_back_and_cli(db: GraphDB, tmp_path: Path, settings: Settings) -> None:
    records = network_records(nx.karate_club_graph(), seed=4, noise=False)
    load(db, tmp_path, records)
    env = {"CASEGRAPH_NEO4J_URI": settings.neo4j_uri}
    result = CliRunner().invoke(
        cli_app,
        [
            "analyze",
            "centrality",
            "--measure",
            "pagerank",
            "--top",
            "3",
            "--format",
            "json",
            "--write",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    expected = nx.pagerank(reference_graph(records))
    assert body["written"] == 34
    stored = {
        r["id"]: r["v"]
        for r in db.read(
            "MATCH (n:Entity) WHERE n.centrality_pagerank IS NOT NULL "
            "RETURN n.id AS id, n.centrality_pagerank AS v"
        )
    }
    assert stored == pytest.approx(expected, abs=1e-6)
    assert [r["id"] for r in body["results"]] == sorted(expected, key=lambda n: -expected[n])[:3]
    bad = CliRunner().invoke(cli_app, ["analyze", "centrality", "--measure", "fame"], env=env)
    assert bad.exit_code == 1
    assert "unknown measure" in bad.output


def test_api_shortest_path_on_the_projection_matches_networkx(
    db: GraphDB, settings: Settings, tmp_path: Path
) -> None:
    """``GET /analytics/shortest-path``: hop count and a valid path as NetworkX finds them;
    with ``weight`` the path of least total weight; none across components; unknown ids 404."""
    records = network_records(GRAPHS["disconnected"], seed=2)
    # a detour that is longer in hops but cheaper in amount than the direct payment
    records += [
        rel("PAID", "n0", "n100", {"amount": 900.0}),
        rel("PAID", "n0", "n101", {"amount": 1.0}),
        rel("PAID", "n101", "n100", {"amount": 1.0}),
    ]
    load(db, tmp_path, records)
    H = reference_graph(records)
    app = create_app(db=db, settings=settings)
    with TestClient(app, headers=bearer(db, "viewer")) as client:

        def get(**params: object) -> dict[str, object]:
            resp = client.get("/analytics/shortest-path", params=params)
            assert resp.status_code == 200, resp.text
            body: dict[str, object] = resp.json()
            return body

        for a, b in (("n0", "n24"), ("n3", "n17"), ("n25", "n28"), ("n7", "n7")):
            body = get(source=a, target=b)
            ids = [p["id"] for p in body["path"]]  # type: ignore[attr-defined]
            assert body["length"] == nx.shortest_path_length(H, a, b) == len(ids) - 1
            assert ids[0] == a and ids[-1] == b
            assert all(H.has_edge(x, y) for x, y in itertools.pairwise(ids))
            assert body["backend"] == "local"
        assert get(source="n0", target="n28") == {
            "source": "n0",
            "target": "n28",
            "length": None,
            "path": [],
            "backend": "local",
        }
        direct = get(source="n0", target="n100", rel="PAID")
        assert [p["id"] for p in direct["path"]] == ["n0", "n100"]  # type: ignore[attr-defined]
        cheap = get(source="n0", target="n100", rel="PAID", weight="amount")
        assert [p["id"] for p in cheap["path"]] == ["n0", "n101", "n100"]  # type: ignore[attr-defined]
        missing = client.get("/analytics/shortest-path", params={"source": "n0", "target": "zz"})
        assert missing.status_code == 404 and "'zz'" in missing.json()["error"]["message"]


def test_shortest_path_never_shows_a_victim_the_role_may_not_see(
    db: GraphDB, settings: Settings, tmp_path: Path
) -> None:
    """A viewer naming a protected person by her real id gets what an unknown id gets; the
    path through her shows her pseudonymous id only. An admin may name her and sees her."""
    records = case_file(AIGERIM)
    records += [
        prot_rel("EXPLOITED", SUSPECT["id"], AIGERIM.id),
        prot_rel("ASSOCIATE_OF", AIGERIM.id, "kz-friend"),
    ]
    records.insert(1, prot_entity("kz-friend", "Person", "Dana Friend"))
    load(db, tmp_path, records, "victims")
    app = create_app(db=db, settings=settings)
    names = AIGERIM.needles()
    params = {"source": SUSPECT["id"], "target": "kz-friend"}
    with TestClient(app, headers=bearer(db, "viewer")) as viewer:
        through = viewer.get("/analytics/shortest-path", params=params)
        assert through.status_code == 200, through.text
        assert through.json()["length"] == 2 and not leaks(through.text, names)
        middle = through.json()["path"][1]["id"]
        assert is_pseudo_id(middle)
        named = viewer.get("/analytics/shortest-path", params={**params, "target": AIGERIM.id})
        unknown = viewer.get("/analytics/shortest-path", params={**params, "target": "kz-nobody"})
        assert named.status_code == unknown.status_code == 404
        said = named.json()["error"]["message"].replace(AIGERIM.id, "X")
        assert said == unknown.json()["error"]["message"].replace("kz-nobody", "X")
    with TestClient(app, headers=bearer(db, "admin")) as admin:
        seen = admin.get("/analytics/shortest-path", params={**params, "target": AIGERIM.id})
        assert seen.status_code == 200, seen.text
        assert seen.json()["length"] == 1 and leaks(seen.text, names)


def test_cli_analyze_path(db: GraphDB, tmp_path: Path, settings: Settings) -> None:
    records = network_records(nx.path_graph(4), seed=1, noise=False)
    load(db, tmp_path, records)
    env = {"CASEGRAPH_NEO4J_URI": settings.neo4j_uri}
    result = CliRunner().invoke(
        cli_app, ["analyze", "path", "n0", "n3", "--format", "json"], env=env
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["length"] == 3 and [p["id"] for p in body["path"]] == ["n0", "n1", "n2", "n3"]
    table = CliRunner().invoke(cli_app, ["analyze", "path", "n0", "n3"], env=env)
    assert table.exit_code == 0 and "3 hop(s) from n0 to n3" in table.output
    bad = CliRunner().invoke(cli_app, ["analyze", "path", "n0", "nowhere"], env=env)
    assert bad.exit_code == 1 and "nowhere" in bad.output
