"""The saved query over the analytics write-back: ``top-by-centrality`` ranks entities by
the scores ``write_scores`` stored, checked against NetworkX on the fixture's graph."""

from __future__ import annotations

import networkx as nx

from casegraph.graph.analytics.writeback import write_scores
from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from casegraph.queries.library import load_checked_library
from casegraph.queries.service import run_saved
from casegraph.settings import Settings
from tests.queries_support import NETWORK, read


def test_top_by_centrality_ranks_by_the_written_back_scores(
    db: GraphDB, settings: Settings
) -> None:
    ingest_file(db, NETWORK)
    content = read([NETWORK]).as_stored(db)  # protected people under their pseudonymous ids
    scores = nx.betweenness_centrality(nx.Graph(content.undirected()))
    assert write_scores(db, "betweenness", scores) == len(scores)
    lib = load_checked_library(db)
    result = run_saved(db, lib, "top-by-centrality", {"top": 5}, settings)
    top = sorted(scores.values(), reverse=True)[:5]
    assert [r["score"] for r in result.rows] == top
    for row in result.rows:
        assert row["score"] == scores[row["id"]]
    people = run_saved(db, lib, "top-by-centrality", {"kind": "Person", "top": 3}, settings)
    expected = sorted((v for k, v in scores.items() if content.label(k) == "Person"), reverse=True)[
        :3
    ]
    assert [r["score"] for r in people.rows] == expected
    assert {r["kind"] for r in people.rows} == {"Person"}
    none = run_saved(db, lib, "top-by-centrality", {"measure": "pagerank"}, settings)
    assert none.rows == []
