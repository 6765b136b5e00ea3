"""Helpers for the analytics tests: turn a NetworkX graph into casegraph JSON Lines, load it
through the real ingest pipeline, and build the reference graph NetworkX should see. The
records themselves come from :mod:`tests.builders`."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import networkx as nx

from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from tests.builders import SOURCE, entity, rel, source, write_jsonl

ACTOR_TYPES = ("ASSOCIATE_OF", "REPRESENTS", "PAID")


def network_records(G: nx.Graph, *, seed: int = 0, noise: bool = True) -> list[dict[str, Any]]:
    """Records for ``G``: nodes become people and organizations (ids ``n<node>``), edges
    become actor-to-actor relationships of random types (two types on some edges, which
    the projection must collapse). With ``noise``, places, a case, ``LOCATED_IN``,
    ``SUSPECT_IN`` and ``MENTIONED_IN`` links are added: the default projection must
    leave them all out."""
    rng = random.Random(seed)
    recs: list[dict[str, Any]] = [source()]
    for n in G:
        recs.append(entity(f"n{n}", rng.choice(("Person", "Person", "Organization"))))
    for a, b in G.edges():
        rtype = rng.choice(ACTOR_TYPES)
        props = {"amount": float(rng.randint(1, 9))} if rtype == "PAID" else {}
        recs.append(rel(rtype, f"n{a}", f"n{b}", props))
        if rng.random() < 0.2:  # a second, parallel fact about the same pair
            recs.append(rel("ASSOCIATE_OF", f"n{b}", f"n{a}"))
    if noise:
        recs += [entity("loc-x", "Location"), entity("loc-y", "Location"), entity("case-z", "Case")]
        for i, n in enumerate(G):
            if i % 3 == 0:
                recs.append(rel("MENTIONED_IN", f"n{n}", SOURCE))
            if i % 4 == 0:
                recs.append(rel("LOCATED_IN", f"n{n}", "loc-x" if i % 8 else "loc-y"))
            if i % 5 == 0:
                recs.append(rel("SUSPECT_IN", f"n{n}", "case-z"))
    return recs


def reference_graph(records: list[dict[str, Any]], *, directed: bool = False) -> nx.Graph:
    """What the default projection should be, built from the records alone."""
    actors = {
        r["id"]
        for r in records
        if r["kind"] == "entity" and r["label"] in ("Person", "Organization")
    }
    H: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    H.add_nodes_from(sorted(actors))
    for r in records:
        if r["kind"] != "relationship" or r["type"] in ("MENTIONED_IN", "POSSIBLY_SAME_AS"):
            continue
        if r["from"] in actors and r["to"] in actors:
            H.add_edge(r["from"], r["to"])
    return H


def load(db: GraphDB, tmp_path: Path, records: list[dict[str, Any]], name: str = "g") -> None:
    ingest_file(db, write_jsonl(tmp_path / f"{name}.jsonl", records))


def small_graphs() -> dict[str, nx.Graph]:
    """Several small graphs of different shapes."""
    two = nx.disjoint_union(nx.barabasi_albert_graph(25, 2, seed=3), nx.cycle_graph(6))
    two.add_nodes_from([100, 101])  # isolates
    return {
        "karate": nx.karate_club_graph(),
        "power_law": nx.barabasi_albert_graph(60, 2, seed=7),
        "disconnected": two,
    }
