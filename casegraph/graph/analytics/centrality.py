"""Centrality measures on a projection, with NetworkX's definitions and normalizations.

Every function takes a NetworkX graph (see :mod:`.projection`) and returns
``{node: score}``. The numbers are NetworkX's:

========== ============================================================================
measure    definition (NetworkX function, defaults)
========== ============================================================================
degree     ``degree_centrality`` (degree / (n - 1))
betweenness``betweenness_centrality(normalized=True, k=k, seed=seed, weight=weight)``
closeness  ``closeness_centrality`` (Wasserman–Faust scaling; incoming distance if directed)
pagerank   ``pagerank(alpha=0.85, weight=weight)``
eigenvector``eigenvector_centrality(max_iter=1000, weight=weight)``
kcore      ``core_number`` (self-loops removed first, as NetworkX requires)
========== ============================================================================

Unweighted betweenness, exact or sampled, is computed by igraph (C) and rescaled exactly as
NetworkX rescales: the same sampled sources (``random.Random(seed).sample(nodes, k)``, which
is what NetworkX draws), the same ordered-pair counting, the same normalization. The tests
prove equality with ``networkx.betweenness_centrality`` on several graphs, directed and not,
exact and sampled.

Examples
--------
>>> import networkx as nx
>>> G = nx.path_graph(["a", "b", "c"])
>>> betweenness(G)
{'a': 0.0, 'b': 1.0, 'c': 0.0}
>>> degree(G)["b"]
1.0
>>> MEASURES["pagerank"](G, weight=None)["b"] > 0.4
True
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Hashable
from typing import Any

import networkx as nx

from casegraph.errors import InvalidRequestError

Scores = dict[Hashable, float]


def degree(
    G: nx.Graph, *, weight: str | None = None, k: int | None = None, seed: int = 0
) -> Scores:
    """``networkx.degree_centrality`` (unweighted by definition)."""
    return dict(nx.degree_centrality(G))


def closeness(
    G: nx.Graph, *, weight: str | None = None, k: int | None = None, seed: int = 0
) -> Scores:
    """``networkx.closeness_centrality`` (``distance=weight`` when a weight is given)."""
    return dict(nx.closeness_centrality(G, distance=weight))


def pagerank(
    G: nx.Graph, *, weight: str | None = None, k: int | None = None, seed: int = 0
) -> Scores:
    """``networkx.pagerank`` (alpha 0.85; NetworkX computes it with SciPy sparse)."""
    if len(G) == 0:
        return {}
    return dict(nx.pagerank(G, weight=weight))


def eigenvector(
    G: nx.Graph, *, weight: str | None = None, k: int | None = None, seed: int = 0
) -> Scores:
    """``networkx.eigenvector_centrality`` (power iteration, ``max_iter=1000``).

    Power iteration works on disconnected projections (NetworkX's ARPACK variant refuses
    them); the scores concentrate on the component with the largest eigenvalue.
    """
    if len(G) == 0:
        return {}
    if G.number_of_edges() == 0:
        return dict.fromkeys(G, 0.0)
    try:
        return dict(nx.eigenvector_centrality(G, max_iter=1000, weight=weight))
    except nx.PowerIterationFailedConvergence as exc:
        raise InvalidRequestError(f"eigenvector centrality did not converge: {exc}") from exc


def kcore(G: nx.Graph, *, weight: str | None = None, k: int | None = None, seed: int = 0) -> Scores:
    """``networkx.core_number`` on the graph without self-loops (the k-core each node is in)."""
    H = G
    if nx.number_of_selfloops(G):
        H = G.copy()
        H.remove_edges_from(list(nx.selfloop_edges(H)))
    return {n: float(c) for n, c in nx.core_number(H).items()}


def betweenness(
    G: nx.Graph, *, weight: str | None = None, k: int | None = None, seed: int = 0
) -> Scores:
    """Normalized betweenness, exact or from ``k`` sources sampled with ``seed``.

    Equals ``networkx.betweenness_centrality(G, k=k, normalized=True, weight=weight,
    seed=seed)``. Weighted graphs are handed to NetworkX itself; unweighted ones go to igraph.
    """
    n = len(G)
    if k is not None and not 1 <= k <= n:
        raise InvalidRequestError(f"k must be between 1 and the number of nodes ({n})")
    if weight is not None:
        return dict(nx.betweenness_centrality(G, k=k, normalized=True, weight=weight, seed=seed))
    if n == 0:
        return {}
    nodes = list(G)
    sampled = None if k is None else random.Random(seed).sample(nodes, k)
    raw = _igraph_betweenness(G, nodes, sampled)
    return _rescale(raw, n, directed=G.is_directed(), sampled_nodes=sampled)


def _igraph_betweenness(
    G: nx.Graph, nodes: list[Hashable], sources: list[Hashable] | None
) -> dict[Hashable, float]:
    """Brandes' sums over ordered (source, target) pairs, as NetworkX accumulates them."""
    import igraph as ig

    index = {v: i for i, v in enumerate(nodes)}
    g = ig.Graph(
        n=len(nodes),
        edges=[(index[a], index[b]) for a, b in G.edges() if a != b],
        directed=G.is_directed(),
    )
    kwargs: dict[str, Any] = {"directed": G.is_directed()}
    if sources is not None:
        kwargs["sources"] = [index[s] for s in sources]
    values = g.betweenness(**kwargs)
    # igraph counts each unordered pair once on undirected graphs; NetworkX counts both
    # orders and halves later.
    factor = 1.0 if G.is_directed() else 2.0
    return {v: float(values[i]) * factor for i, v in enumerate(nodes)}


def _rescale(
    raw: dict[Hashable, float],
    n: int,
    *,
    directed: bool,
    sampled_nodes: list[Hashable] | None,
) -> Scores:
    """NetworkX's normalization (``endpoints=False``, ``normalized=True``)."""
    N = n - 1  # endpoints excluded: v cannot be the target
    if N < 2:
        return raw
    if sampled_nodes is None:
        scale = 1 / (N * (N - 1))
        return {v: b * scale for v, b in raw.items()}
    K = len(sampled_nodes)
    scale_source = 1 / ((K - 1) * (N - 1)) if K > 1 else math.nan
    scale_nonsource = 1 / (K * (N - 1))
    chosen = set(sampled_nodes)
    return {v: b * (scale_source if v in chosen else scale_nonsource) for v, b in raw.items()}


MEASURES: dict[str, Callable[..., Scores]] = {
    "degree": degree,
    "betweenness": betweenness,
    "closeness": closeness,
    "pagerank": pagerank,
    "eigenvector": eigenvector,
    "kcore": kcore,
}
"""Every measure by the name the API and the CLI use."""


def check_measure(name: str) -> str:
    """Return ``name`` if it is a known measure, else raise :class:`InvalidRequestError`."""
    if name not in MEASURES:
        raise InvalidRequestError(
            f"measure: unknown measure {name!r}; known measures: {', '.join(MEASURES)}"
        )
    return name


def compute(
    G: nx.Graph, measure: str, *, weight: str | None = None, k: int | None = None, seed: int = 0
) -> Scores:
    """Run the measure called ``measure`` on ``G``."""
    return MEASURES[check_measure(measure)](G, weight=weight, k=k, seed=seed)
