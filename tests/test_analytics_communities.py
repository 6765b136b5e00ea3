"""Communities, brokers and key players on the real Neo4j, checked against NetworkX."""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from casegraph.graph.analytics import service
from casegraph.graph.analytics.cache import AnalyticsCache
from casegraph.graph.analytics.keyplayers import fragmentation
from casegraph.graph.db import GraphDB
from tests.analytics_support import load, network_records, reference_graph, small_graphs

GRAPHS = small_graphs()


def borgatti_f(G: nx.Graph) -> float:
    """Borgatti's F written out from its definition: disconnected ordered pairs / all."""
    nodes = list(G)
    n = len(nodes)
    reach = {v: nx.node_connected_component(G, v) for v in nodes}
    disconnected = sum(1 for a in nodes for b in nodes if a != b and b not in reach[a])
    return disconnected / (n * (n - 1))


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_louvain_and_modularity_equal_networkx(db: GraphDB, tmp_path: Path, name: str) -> None:
    load(db, tmp_path, network_records(GRAPHS[name], seed=3))
    cache = AnalyticsCache()
    for seed in (0, 7):
        body = service.communities(db, seed=seed, top=1000, cache=cache)
        G = service.projection(db, cache=cache)
        expected = nx.community.louvain_communities(G, seed=seed)
        got = [{m["id"] for m in c["members"]} for c in body["communities"]]
        assert sorted(map(sorted, got)) == sorted(map(sorted, expected))
        assert body["modularity"] == pytest.approx(nx.community.modularity(G, expected))
        assert [c["size"] for c in body["communities"]] == sorted(
            (len(c) for c in expected), reverse=True
        )
        assert sum(c["size"] for c in body["communities"]) == len(G)


def test_communities_api_shape(seeded_client: TestClient) -> None:
    body = seeded_client.get("/analytics/communities").json()
    assert set(body) >= {"modularity", "communities"}
    assert body["communities"]
    first = body["communities"][0]
    assert set(first) >= {"id", "size", "members"}
    assert first["size"] == len(first["members"])


def test_brokers_bridge_communities(app_client: TestClient, db: GraphDB, tmp_path: Path) -> None:
    # two cliques joined through one go-between: the go-between is the top broker
    G = nx.union(nx.complete_graph(range(6)), nx.complete_graph(range(10, 16)))
    G.add_edges_from([(5, 99), (99, 10)])
    records = network_records(G, seed=1, noise=False)
    load(db, tmp_path, records)
    body = app_client.get("/analytics/brokers", params={"top": 3}).json()
    assert body["brokers"][0]["id"] == "n99"
    between = nx.betweenness_centrality(reference_graph(records))
    for b in body["brokers"]:
        assert b["betweenness"] == pytest.approx(between[b["id"]])
        assert len(b["communities"]) >= 2
    assert {b["id"] for b in body["brokers"]} <= {"n5", "n99", "n10"}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_key_players_fragmentation(db: GraphDB, tmp_path: Path, name: str) -> None:
    records = network_records(GRAPHS[name], seed=5, noise=False)
    load(db, tmp_path, records)
    H = reference_graph(records)
    body = service.key_players(db, 2, cache=AnalyticsCache())
    assert body["fragmentation_before"] == pytest.approx(borgatti_f(H))
    removed = H.copy()
    removed.remove_nodes_from([p["id"] for p in body["players"]])
    assert body["fragmentation_after"] == pytest.approx(borgatti_f(removed))
    assert body["fragmentation_after"] >= body["fragmentation_before"]
    # no single swap of a player for an outsider does better (checked by brute force)
    players = [p["id"] for p in body["players"]]
    for i, v in itertools.product(range(2), H):
        if v not in players:
            trial = [*players[:i], v, *players[i + 1 :]]
            f = borgatti_f(nx.restricted_view(H, trial, []))
            assert f <= body["fragmentation_after"] + 1e-12


def test_key_players_of_a_star_of_stars(
    app_client: TestClient, db: GraphDB, tmp_path: Path
) -> None:
    G = nx.Graph()
    for hub in (1, 2, 3):
        G.add_edge(0, hub)
        G.add_edges_from((hub, hub * 10 + i) for i in range(4))
    load(db, tmp_path, network_records(G, noise=False))
    body = app_client.get("/analytics/key-players", params={"k": 3}).json()
    # greedy alone would take the centre first; the swap step finds the three hubs,
    # which leave nothing connected at all
    assert {p["id"] for p in body["players"]} == {"n1", "n2", "n3"}
    assert body["fragmentation_after"] == 1.0
    assert body["fragmentation_before"] == 0.0
    after = G.copy()
    after.remove_nodes_from([1, 2, 3])
    assert body["fragmentation_after"] == pytest.approx(fragmentation(after))


@pytest.mark.parametrize("k", [0, 21, 10_000])
def test_key_players_rejects_bad_k(seeded_client: TestClient, k: int) -> None:
    resp = seeded_client.get("/analytics/key-players", params={"k": k})
    assert resp.status_code == 422
    assert "k must be between" in resp.json()["error"]["message"]


def test_fragmentation_definition() -> None:
    for G in (nx.Graph([(1, 2), (3, 4)]), nx.path_graph(4), nx.empty_graph(3)):
        assert fragmentation(G) == pytest.approx(borgatti_f(G))
    for a, b in itertools.combinations(range(4), 2):
        G = nx.path_graph(4)
        G.remove_edge(*sorted((a, b))) if G.has_edge(a, b) else None
        assert fragmentation(G) == pytest.approx(borgatti_f(G))
