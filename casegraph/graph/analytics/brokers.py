"""Brokers: entities with high betweenness whose ties reach into several communities.

A broker here is a node whose neighbours belong to at least ``min_communities`` Louvain
communities (its own counted), ranked by betweenness (NetworkX's normalized
betweenness, exact unless ``k`` is given). Each broker comes with the communities it
touches and how many of its ties go outside its own community.

Examples
--------
>>> import networkx as nx
>>> G = nx.union(nx.complete_graph(["a", "b", "c"]), nx.complete_graph(["x", "y", "z"]))
>>> G.add_edges_from([("c", "m"), ("m", "x")])
>>> [b.node for b in find_brokers(G, seed=1)]
['m', 'x']
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx

from casegraph.graph.analytics.centrality import betweenness
from casegraph.graph.analytics.communities import Partition, louvain


@dataclass(frozen=True)
class Broker:
    node: Hashable
    betweenness: float
    community: int
    communities: list[int]
    outside_ties: int


def find_brokers(
    G: nx.Graph,
    *,
    partition: Partition | None = None,
    scores: dict[Hashable, float] | None = None,
    min_communities: int = 2,
    k: int | None = None,
    seed: int = 0,
) -> list[Broker]:
    """Brokers of ``G``, highest betweenness first (ties by node id)."""
    partition = partition or louvain(G, seed=seed)
    scores = scores if scores is not None else betweenness(G, k=k, seed=seed)
    member = partition.membership()
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    out: list[Broker] = []
    for node in G:
        own = member[node]
        touched = {member[m] for m in U[node] if m != node} | {own}
        if len(touched) < min_communities:
            continue
        outside = sum(1 for m in U[node] if m != node and member[m] != own)
        out.append(Broker(node, scores[node], own, sorted(touched), outside))
    out.sort(key=lambda b: (-b.betweenness, str(b.node)))
    return out
