"""Analytics at scale (issue 13, point 4): the CSR projection, its measures against
NetworkX, the projection store shared by processes, and the 202 answer of a measure that
runs in the background."""

from __future__ import annotations

import time
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from casegraph.api.app import create_app
from casegraph.graph.analytics import csr, service
from casegraph.graph.analytics.cache import AnalyticsCache, graph_stamp
from casegraph.graph.analytics.local import csr_projection
from casegraph.graph.analytics.projection import ProjectionOptions, project
from casegraph.graph.analytics.store import ProjectionStore
from casegraph.graph.db import GraphDB
from casegraph.graph.protection import is_pseudo_id
from casegraph.settings import Settings
from tests.analytics_support import load, network_records, reference_graph, small_graphs
from tests.conftest import bearer
from tests.protection_support import AIGERIM, SUSPECT, case_file, leaks
from tests.protection_support import entity as prot_entity
from tests.protection_support import rel as prot_rel


def _weighted(G: nx.Graph, seed: int) -> nx.Graph:
    rng = np.random.default_rng(seed)
    for a, b in G.edges():
        G[a][b]["w"] = float(rng.integers(1, 9)) / 2
    return G


def _graphs() -> dict[str, tuple[nx.Graph, str | None]]:
    directed = nx.gnm_random_graph(120, 300, seed=3, directed=True)
    directed.add_nodes_from(["lonely", "alone"])  # dangling and isolated
    directed.add_edge(7, 7)
    star = nx.star_graph(9)
    star.add_edge(4, 4)  # a self-loop: stored once, counted twice by degree
    out = {
        "karate": (nx.karate_club_graph(), None),
        "karate-weighted": (nx.karate_club_graph(), "weight"),
        "directed-dangling": (directed, None),
        "directed-weighted": (_weighted(nx.DiGraph(directed), 1), "w"),
        "star-self-loop": (star, None),
        "power-law-weighted": (_weighted(nx.barabasi_albert_graph(300, 2, seed=5), 2), "w"),
        "one-node": (nx.empty_graph(1), None),
    }
    out.update({f"small-{k}": (g, None) for k, g in small_graphs().items()})
    return out


GRAPHS = _graphs()


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_csr_pagerank_and_degree_equal_networkx(name: str) -> None:
    G, weight = GRAPHS[name]
    g = csr.CSRGraph.from_networkx(G, weight)
    nodes = list(G)
    assert len(g) == len(G) and g.edges() == G.number_of_edges()
    got = csr.pagerank(g)
    expected = nx.pagerank(G, weight=weight)
    assert max(abs(got[i] - expected[v]) for i, v in enumerate(nodes)) < 1e-12
    degree = csr.degree(g)
    assert [float(x) for x in degree] == [nx.degree_centrality(G)[v] for v in nodes]
    # personalization (in row order, as NetworkX's dict is in node order) and alpha
    if len(G) > 2:
        chosen = {nodes[0]: 1.0, nodes[len(nodes) // 2]: 3.0}
        vector = np.array([chosen.get(v, 0.0) for v in nodes])
        got = csr.pagerank(g, personalization=vector, alpha=0.7)
        expected = nx.pagerank(G, weight=weight, personalization=chosen, alpha=0.7)
        assert max(abs(got[i] - expected[v]) for i, v in enumerate(nodes)) < 1e-12


def test_csr_pagerank_fails_to_converge_as_networkx_does() -> None:
    g = csr.CSRGraph.from_networkx(nx.karate_club_graph())
    with pytest.raises(nx.PowerIterationFailedConvergence):
        csr.pagerank(g, max_iter=2)
    with pytest.raises(nx.PowerIterationFailedConvergence):
        nx.pagerank(nx.karate_club_graph(), max_iter=2)


def test_top_breaks_ties_by_id_as_the_networkx_path_does() -> None:
    g = csr.CSRGraph.from_networkx(nx.star_graph(["hub", "b", "a", "d", "c"]))
    values = csr.degree(g)
    assert csr.top(g, values, 3) == [("hub", 1.0), ("a", 0.25), ("b", 0.25)]
    assert len(csr.top(g, values, 100)) == 5


def _as_networkx(g: csr.CSRGraph) -> nx.Graph:
    H: nx.Graph = nx.DiGraph() if g.directed else nx.Graph()
    H.add_nodes_from(g.entity_id(i) for i in range(len(g)))
    rows = g.rows()
    for k, (i, j) in enumerate(zip(rows, g.indices, strict=True)):
        a, b = g.entity_id(int(i)), g.entity_id(int(j))
        if g.weights is None:
            H.add_edge(a, b)
        else:
            H.add_edge(a, b, weight=float(g.weights[k]))
    return H


@pytest.mark.parametrize(
    "opts",
    [
        ProjectionOptions(),
        ProjectionOptions(directed=True),
        ProjectionOptions(weight="amount"),
        ProjectionOptions(weight="amount", directed=True),
        ProjectionOptions(kinds=("Person", "Organization", "Location", "Case")),
        ProjectionOptions(rel_types=("PAID",)),
        ProjectionOptions(kinds=("Person",)),  # relationships to organizations dropped
        ProjectionOptions(case_id="case-z", weight="amount"),
    ],
    ids=lambda o: f"{o.directed}-{o.weight}-{len(o.kinds)}-{o.rel_types}",
)
def test_csr_projection_is_the_networkx_projection(
    db: GraphDB, tmp_path: Path, opts: ProjectionOptions
) -> None:
    G0 = nx.barabasi_albert_graph(80, 2, seed=4)
    G0.add_edge(5, 5)
    load(db, tmp_path, network_records(G0, seed=4))
    G = project(db, opts)
    g = csr.fetch(db, opts)
    H = _as_networkx(g)
    assert set(H) == set(G) and H.number_of_edges() == G.number_of_edges() == g.edges()
    if opts.weight:
        for a, b, w in G.edges(data="weight"):
            assert H[a][b]["weight"] == pytest.approx(w, abs=1e-12)
    else:
        assert set(H.edges) == set(G.edges) or {frozenset(e) for e in H.edges} == {
            frozenset(e) for e in G.edges
        }
    weight = "weight" if opts.weight else None
    order = [g.entity_id(i) for i in range(len(g))]
    got = csr.pagerank(g)
    expected = nx.pagerank(G, weight=weight)
    assert max(abs(got[i] - expected[v]) for i, v in enumerate(order)) < 1e-12
    assert [float(x) for x in csr.degree(g)] == [nx.degree_centrality(G)[v] for v in order]


def test_the_store_builds_once_and_every_process_maps_it(db: GraphDB, tmp_path: Path) -> None:
    records = network_records(nx.karate_club_graph(), seed=1)
    load(db, tmp_path, records)
    opts = ProjectionOptions()
    root = tmp_path / "store"
    first = AnalyticsCache(store_dir=root)
    folder, g = csr_projection(db, opts, first)
    assert isinstance(g.indices, np.memmap) and folder.is_dir()
    assert sorted(p.name for p in folder.iterdir()) == [
        "ids.npy",
        "indices.npy",
        "indptr.npy",
        "undirected",
    ]

    def never() -> csr.CSRGraph:
        raise AssertionError("built again")

    # another worker: its own cache, the same folder; it maps, it does not build
    other = ProjectionStore(root).get_or_build(db, graph_stamp(db), opts, never)
    assert np.array_equal(other.indices, g.indices) and np.array_equal(other.ids, g.ids)
    # the scores are kept beside it: the second worker reads them
    answer = service.centrality(db, "pagerank", top=5, cache=first)
    assert (folder / "pagerank.npy").exists()
    second = AnalyticsCache(store_dir=root)
    assert service.ready(db, "pagerank", opts, cache=second)
    assert service.centrality(db, "pagerank", top=5, cache=second) == answer
    expected = nx.pagerank(reference_graph(records))
    best = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert [(r["id"], r["score"]) for r in answer["results"]] == [
        (v, round(s, 12)) for v, s in best
    ]
    # a write makes a new stamp: the next projection replaces the old folder, which goes
    db.bump_graph_version()
    new_folder, _ = csr_projection(db, opts, first)
    assert new_folder != folder and new_folder.is_dir() and not folder.exists()
    assert not folder.with_suffix(".lock").exists()
    assert [p.name for p in root.rglob(".tmp-*")] == []


def test_big_graph_answers_202_with_progress_then_200(
    db: GraphDB, settings: Settings, tmp_path: Path
) -> None:
    G = nx.barabasi_albert_graph(300, 3, seed=9)
    records = network_records(G, seed=9)
    load(db, tmp_path, records)
    big = settings.model_copy(
        update={"analytics_async_nodes": 100, "analytics_cache_dir": tmp_path / "cache"}
    )
    url = "/analytics/centrality"
    params = {"measure": "pagerank", "top": 4}
    expected = nx.pagerank(reference_graph(records))
    best = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
    with TestClient(create_app(db=db, settings=big), headers=bearer(db, "viewer")) as client:
        first = client.get(url, params=params)
        assert first.status_code == 202, first.text
        body = first.json()
        assert body["status"] == "running" and body["job"].startswith("job-")
        assert 0.0 <= body["progress"] <= 1.0
        assert first.headers["Retry-After"] == "1"
        assert first.headers["Location"].endswith("/analytics/centrality?measure=pagerank&top=4")
        deadline = time.monotonic() + 60
        answer = first
        while answer.status_code == 202 and time.monotonic() < deadline:
            assert answer.json()["job"] == body["job"]  # the same job, not a new one
            time.sleep(0.05)
            answer = client.get(url, params=params)
        assert answer.status_code == 200, answer.text
        assert [(r["id"], r["score"]) for r in answer.json()["results"]] == [
            (v, round(s, 12)) for v, s in best
        ]
        # computed: at once, whatever the top asked
        again = client.get(url, params={"measure": "pagerank", "top": 2})
        assert again.status_code == 200 and len(again.json()["results"]) == 2
        # a measure on NetworkX runs in the background too; a bad case is a 404 at the end
        closeness = client.get(url, params={"measure": "closeness"})
        assert closeness.status_code == 202
        missing = client.get(url, params={"measure": "degree", "case": "no-such-case"})
        while missing.status_code == 202:
            time.sleep(0.05)
            missing = client.get(url, params={"measure": "degree", "case": "no-such-case"})
        assert missing.status_code == 404, missing.text
        while closeness.status_code == 202:
            time.sleep(0.05)
            closeness = client.get(url, params={"measure": "closeness"})
        assert closeness.status_code == 200
        # communities too; their answer is NetworkX's own Louvain partition
        parts = client.get("/analytics/communities")
        assert parts.status_code == 202 and parts.headers["Retry-After"] == "1"
        while parts.status_code == 202:
            time.sleep(0.05)
            parts = client.get("/analytics/communities")
        assert parts.status_code == 200 and parts.json()["nodes_considered"] == 300
    # the same graph under the default threshold: 200 at once
    small = settings.model_copy(update={"analytics_cache_dir": tmp_path / "cache2"})
    with TestClient(create_app(db=db, settings=small), headers=bearer(db, "viewer")) as client:
        assert client.get(url, params={"measure": "degree"}).status_code == 200


def test_csr_answers_disclose_victims_as_before(
    db: GraphDB, settings: Settings, tmp_path: Path
) -> None:
    """PageRank and degree from the CSR projection show a protected person to a viewer by
    her pseudonymous id and no name; an admin sees her name and real id."""
    records = case_file(AIGERIM)
    records += [
        prot_rel("EXPLOITED", SUSPECT["id"], AIGERIM.id),
        prot_rel("ASSOCIATE_OF", AIGERIM.id, "kz-friend"),
        prot_rel("ASSOCIATE_OF", AIGERIM.id, "kz-friend-2"),
    ]
    records.insert(1, prot_entity("kz-friend", "Person", "Dana Friend"))
    records.insert(1, prot_entity("kz-friend-2", "Person", "Aliya Friend"))
    load(db, tmp_path, records, "victims")
    app = create_app(db=db, settings=settings)
    names = AIGERIM.needles()
    for measure in ("pagerank", "degree"):
        params = {"measure": measure, "top": 3}
        with TestClient(app, headers=bearer(db, "viewer")) as viewer:
            seen = viewer.get("/analytics/centrality", params=params)
            assert seen.status_code == 200, seen.text
            assert not leaks(seen.text, names)
            assert is_pseudo_id(seen.json()["results"][0]["id"])  # she is the hub
        with TestClient(app, headers=bearer(db, "admin")) as admin:
            seen = admin.get("/analytics/centrality", params=params)
            top = seen.json()["results"][0]
            assert top["original_id"] == AIGERIM.id and leaks(seen.text, names)
