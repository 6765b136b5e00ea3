"""The projection: what it keeps, what it leaves out, and its options."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from casegraph.errors import CasegraphError, NotFoundError
from casegraph.graph.analytics.projection import ProjectionOptions, project
from casegraph.graph.db import GraphDB
from tests.analytics_support import load, network_records, reference_graph
from tests.builders import entity, rel, source


def test_default_projection_is_the_reference(db: GraphDB, tmp_path: Path) -> None:
    records = network_records(nx.barabasi_albert_graph(40, 2, seed=1), seed=9)
    load(db, tmp_path, records)
    G = project(db)
    H = reference_graph(records)
    assert not G.is_directed()
    assert nx.utils.graphs_equal(nx.Graph(G.edges), nx.Graph(H.edges))
    assert set(G) == set(H)
    assert {d["label"] for _, d in G.nodes(data=True)} <= {"Person", "Organization"}
    assert "loc-x" not in G and "case-z" not in G and "src-test" not in G


def small_world() -> list[dict]:
    recs = [source(), entity("case-1", "Case"), entity("case-2", "Case")]
    recs += [entity(x) for x in ("a", "b", "c", "d")] + [entity("o", "Organization")]
    recs += [
        rel("PAID", "a", "b", {"amount": 10.0, "currency": "KZT", "date": "2016-03-01"}),
        rel("PAID", "a", "b", {"amount": 5.0, "currency": "KZT", "date": "2017-05-01"}),
        rel("PAID", "b", "a", {"amount": 1.0, "currency": "KZT", "date": "2018-01-01"}),
        rel("ASSOCIATE_OF", "b", "c"),
        rel("MEMBER_OF", "c", "o", {"start_date": "2015-01-01", "end_date": "2016-12-31"}),
        rel("FAMILY_OF", "d", "c"),
        rel("SUSPECT_IN", "a", "case-1"),
        rel("SUSPECT_IN", "b", "case-1"),
        rel("SUSPECT_IN", "c", "case-2"),
    ]
    return recs


def test_options(db: GraphDB, tmp_path: Path) -> None:
    load(db, tmp_path, small_world())
    weighted = project(db, ProjectionOptions(weight="amount", rel_types=("PAID",)))
    assert weighted["a"]["b"]["weight"] == 16.0  # three payments, both directions, one edge
    directed = project(db, ProjectionOptions(weight="amount", directed=True, rel_types=("PAID",)))
    assert directed["a"]["b"]["weight"] == 15.0 and directed["b"]["a"]["weight"] == 1.0
    people = project(db, ProjectionOptions(kinds=("Person",)))
    assert set(people) == {"a", "b", "c", "d"} and not people.has_edge("c", "o")
    family = project(db, ProjectionOptions(rel_types=("FAMILY_OF",)))
    assert {frozenset(e) for e in family.edges} == {frozenset("cd")}
    case = project(db, ProjectionOptions(case_id="case-1"))
    assert set(case) == {"a", "b"} and case.has_edge("a", "b")
    window = project(db, ProjectionOptions(date_from="2016-01-01", date_to="2016-12-31"))
    assert {frozenset(e) for e in window.edges} == {frozenset("ab"), frozenset("co")}
    late = project(db, ProjectionOptions(date_from="2018"))
    assert {frozenset(e) for e in late.edges} == {frozenset("ab")}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kinds": ("Planet",)},
        {"kinds": ()},
        {"kinds": ("Source",)},
        {"rel_types": ("LOVES",)},
        {"weight": "amount`) DETACH DELETE n //"},
        {"date_from": "last year"},
    ],
)
def test_bad_options_are_refused(kwargs: dict) -> None:
    with pytest.raises(CasegraphError) as exc:
        ProjectionOptions(**kwargs)
    assert 400 <= exc.value.status_code < 500


def test_unknown_case(db: GraphDB) -> None:
    with pytest.raises(NotFoundError):
        project(db, ProjectionOptions(case_id="case-nope"))
